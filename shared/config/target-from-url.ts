// A target from a bare address, for `periscope probe URL` and manual Lambda invocations: the scheme picks
// the module (http/https, tcp/tls, postgres). The result still goes through the schema.
import { ConfigError } from './errors.js';
import type { ModuleName, TargetInput } from './schema.js';

export function detectModule(address: string, source: string, explicit?: string): ModuleName {
  const bad = (path: string, message: string): never => {
    throw new ConfigError(source, [{ path, message }]);
  };
  if (explicit !== undefined) {
    if (explicit !== 'http' && explicit !== 'tcp' && explicit !== 'postgres') bad('module', `unknown module "${explicit}" (http, tcp or postgres)`);
    return explicit as ModuleName;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(address)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return 'http';
  if (scheme === 'tcp' || scheme === 'tls') return 'tcp';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme) bad('target', `unknown scheme "${scheme}://" (use http(s)://, tcp://, postgres:// or host:port with module tcp)`);
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
  return { name: 'manual', postgres: { url: address } };
}
