// Resource records as text, in the presentation format of miekg/dns's RR.String() ("name.\tTTL\tIN\tA\t10.1.2.3"):
// blackbox_exporter matches its validate_*_rrs regexes against that text, so a regex written for blackbox
// must see the same string here. Pure: a decoded record (dns-packet's shape) in, a line out.
import { isIP } from 'node:net';

/** dns-packet's decoded record, loosely typed: its data's shape depends on the type. */
export interface DecodedRecord {
  name: string;
  type: string;
  class?: string;
  ttl?: number;
  data?: unknown;
}

export function fqdn(name: string): string {
  if (name === '' || name === '.') return '.';
  return name.endsWith('.') ? name : `${name}.`;
}

/** Go's net.IP.String(): RFC 5952 for IPv6 (the WHATWG URL parser writes the same canonical form). */
function ipText(address: string): string {
  if (isIP(address) !== 6) return address;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** miekg's sprintTxt: each string quoted, with \" \\ and \DDD for bytes outside printable ASCII. */
function quoted(bytes: Uint8Array | string): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  let out = '"';
  for (const byte of buf) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${String(byte).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

function field(data: unknown, key: string): unknown {
  return data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
}

function rdataText(type: string, data: unknown): string {
  switch (type) {
    case 'A':
    case 'AAAA':
      return ipText(String(data));
    case 'NS':
    case 'CNAME':
    case 'PTR':
    case 'DNAME':
      return fqdn(String(data));
    case 'MX':
      return `${String(field(data, 'preference'))} ${fqdn(String(field(data, 'exchange')))}`;
    case 'SOA':
      return [
        fqdn(String(field(data, 'mname'))),
        fqdn(String(field(data, 'rname'))),
        field(data, 'serial'),
        field(data, 'refresh'),
        field(data, 'retry'),
        field(data, 'expire'),
        field(data, 'minimum'),
      ].join(' ');
    case 'SRV':
      return `${String(field(data, 'priority'))} ${String(field(data, 'weight'))} ${String(field(data, 'port'))} ${fqdn(String(field(data, 'target')))}`;
    case 'TXT':
    case 'SPF': {
      const parts = Array.isArray(data) ? data : [data];
      return parts.map((part) => quoted(part as Uint8Array | string)).join(' ');
    }
    case 'CAA':
      return `${String(field(data, 'flags') ?? 0)} ${String(field(data, 'tag'))} ${quoted(String(field(data, 'value')))}`;
    default:
      // RFC 3597 for what we do not render: miekg renders more types, but none a health check usually asks for.
      if (data instanceof Uint8Array) return `\\# ${data.length} ${Buffer.from(data).toString('hex')}`;
      return JSON.stringify(data) ?? '';
  }
}

export function recordText(record: DecodedRecord): string {
  return `${fqdn(record.name)}\t${record.ttl ?? 0}\t${record.class ?? 'IN'}\t${record.type}\t${rdataText(record.type, record.data)}`;
}
