// A target from a bare address, for `periscope probe URL` and manual Lambda invocations: the scheme picks
// the module (http/https, tcp/tls, postgres, dns, grpc/grpcs). The result still goes through the schema.
//   dns://SERVER[:PORT]/NAME[?type=A&class=IN&transport_protocol=tcp&dns_over_tls=true]
//   grpc://HOST:PORT[/SERVICE] (plaintext), grpcs://HOST:PORT[/SERVICE] (TLS)
import { ConfigError } from './errors.js';
import type { ModuleName, TargetInput } from './schema.js';

export function detectModule(address: string, source: string, explicit?: string): ModuleName {
  const bad = (path: string, message: string): never => {
    throw new ConfigError(source, [{ path, message }]);
  };
  if (explicit !== undefined) {
    if (!['http', 'tcp', 'postgres', 'dns', 'grpc'].includes(explicit)) bad('module', `unknown module "${explicit}" (http, tcp, postgres, dns or grpc)`);
    return explicit as ModuleName;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(address)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return 'http';
  if (scheme === 'tcp' || scheme === 'tls') return 'tcp';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'dns') return 'dns';
  if (scheme === 'grpc' || scheme === 'grpcs') return 'grpc';
  if (scheme) bad('target', `unknown scheme "${scheme}://" (use http(s)://, tcp://, postgres://, dns://, grpc(s):// or host:port with module tcp)`);
  if (/^[^\s/]+:\d+$/.test(address)) bad('target', `"${address}" has no scheme: write tcp://${address} or give the module tcp`);
  return bad('target', `"${address}" is not a URL or host:port`);
}

/** The smallest target that probes `address`; callers add options to its module block. */
export function targetInputFromUrl(address: string, source: string, explicitModule?: string): TargetInput & { name: string } {
  const module = detectModule(address, source, explicitModule);
  if (module === 'http') return { name: 'manual', http: { url: address } };
  if (module === 'tcp') {
    const tls = /^tls:\/\//i.test(address);
    return { name: 'manual', tcp: { address: address.replace(/^(tcp|tls):\/\//i, '').replace(/\/$/, ''), ...(tls ? { tls: true } : {}) } };
  }
  // The query parameters are checked by the schema like any other module keys.
  if (module === 'dns') return { name: 'manual', dns: dnsFromUrl(address, source) as TargetInput['dns'] & object };
  if (module === 'grpc') {
    const match = /^(grpcs?):\/\/([^/]+)(?:\/(.*))?$/i.exec(address);
    if (!match) return { name: 'manual', grpc: { address } };
    const service = decodeURIComponent(match[3] ?? '');
    return { name: 'manual', grpc: { address: match[2] as string, ...(match[1]?.toLowerCase() === 'grpcs' ? { tls: true } : {}), ...(service ? { service } : {}) } };
  }
  return { name: 'manual', postgres: { url: address } };
}

/** dns://SERVER/NAME?type=…: the query parameters are module keys (type and class stand for query_type, query_class). */
function dnsFromUrl(address: string, source: string): Record<string, unknown> {
  const match = /^dns:\/\/([^/?]+)\/([^?]*)(?:\?(.*))?$/i.exec(address);
  if (!match || !match[2]) {
    throw new ConfigError(source, [{ path: 'target', message: `"${address}" is not dns://SERVER[:PORT]/NAME (e.g. dns://127.0.0.1:53/example.com?type=A)` }]);
  }
  const module: Record<string, unknown> = { server: match[1], query_name: decodeURIComponent(match[2]) };
  for (const [key, value] of new URLSearchParams(match[3] ?? '')) {
    const name = key === 'type' ? 'query_type' : key === 'class' ? 'query_class' : key;
    module[name] = value === 'true' ? true : value === 'false' ? false : value;
  }
  return module;
}
