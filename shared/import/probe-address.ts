// The probed target (what Prometheus puts in __param_target) → the address field of a Periscope module block,
// read the way each blackbox_exporter 0.23 prober reads its target:
// - http: a URL; without http:// or https:// it is prefixed with http://.
// - tcp: host:port.
// - dns: the server as written: host, host:port, [v6]:port or a bare IPv6 address (port 53, or 853 for DNS
//   over TLS). blackbox takes no scheme here: "tcp://10.0.0.2" fails every probe there, so it is left out.
// - grpc: host:port or host (port 80, or 443 with tls); an http:// or https:// prefix and a path are dropped,
//   as blackbox drops them (TLS comes from the module's `tls`, not the scheme).
import { dnsModuleSchema, grpcModuleSchema } from '../config/schema.js';
import type { ImportedProber } from './blackbox-modules.js';

export type AddressResult =
  | {
      /** The module block's address field, e.g. { server: '10.0.0.2' }. */
      field: Record<string, string>;
      /** What Periscope writes as `instance` for it (compared with Prometheus' instance). */
      written: string;
    }
  | { problem: string };

const HOST_PORT_RE = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/;

/** URLs in messages never show a password. */
export function hidePassword(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}

function httpAddress(probeTarget: string): AddressResult {
  const url = /^https?:\/\//.test(probeTarget) ? probeTarget : `http://${probeTarget}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `"${hidePassword(url)}" is not a URL` };
  }
  if (parsed.password) return { problem: "the URL carries a password; move it to the module's basic_auth (password_from)" };
  return { field: { url }, written: url.replace(/^(https?:\/\/)[^/?#@]*@/i, '$1') };
}

function tcpAddress(probeTarget: string): AddressResult {
  const match = HOST_PORT_RE.exec(probeTarget);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) return { problem: `"${probeTarget}" is not host:port, as the tcp prober needs` };
  return { field: { address: probeTarget }, written: probeTarget };
}

function dnsAddress(probeTarget: string, module: Record<string, unknown>): AddressResult {
  const parsed = dnsModuleSchema.safeParse({ ...module, server: probeTarget });
  if (!parsed.success) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(probeTarget) ? ': blackbox_exporter takes no scheme for a DNS server either (its probe of this fails); set transport_protocol in the module' : '';
    return { problem: `"${hidePassword(probeTarget)}" is not a DNS server address (host, host:port or [v6]:port)${scheme}` };
  }
  return { field: { server: probeTarget }, written: probeTarget };
}

function grpcAddress(probeTarget: string, module: Record<string, unknown>): AddressResult {
  const withScheme = /^https?:\/\//.test(probeTarget) ? probeTarget : `http://${probeTarget}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { problem: `"${hidePassword(probeTarget)}" is not host:port, as the grpc prober needs` };
  }
  if (url.password) return { problem: 'the target carries a password, which blackbox ignores; use the module\'s metadata_from for credentials' };
  // URL drops a scheme's default port ("http://h:80" → host "h"); blackbox keeps what was written.
  const written = /^(?:https?:\/\/)?(?:[^/@]*@)?([^/?#]*)/.exec(probeTarget)?.[1] ?? url.host;
  if (!grpcModuleSchema.safeParse({ ...module, address: written }).success) return { problem: `"${hidePassword(probeTarget)}" is not host:port, as the grpc prober needs` };
  return { field: { address: written }, written };
}

/** The address field for `prober`, or why the target cannot be imported (never echoing a password). */
export function addressFor(prober: ImportedProber, probeTarget: string, module: Record<string, unknown>): AddressResult {
  switch (prober) {
    case 'http':
      return httpAddress(probeTarget);
    case 'tcp':
      return tcpAddress(probeTarget);
    case 'dns':
      return dnsAddress(probeTarget, module);
    case 'grpc':
      return grpcAddress(probeTarget, module);
  }
}
