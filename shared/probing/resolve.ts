// Name resolution with blackbox_exporter's preferred_ip_protocol / ip_protocol_fallback semantics, timed.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { monotonicSeconds } from './clock.js';
import type { ProbeBudget } from './deadline.js';
import { classifyError, ProbeFailure } from './failure.js';

export interface Resolved {
  address: string;
  family: 4 | 6;
  seconds: number;
}

export async function resolveHost(
  host: string,
  preferred: 'ip4' | 'ip6',
  fallback: boolean,
  budget: ProbeBudget,
): Promise<Resolved> {
  const bare = host.replace(/^\[|\]$/g, '');
  const literal = isIP(bare);
  if (literal !== 0) return { address: bare, family: literal as 4 | 6, seconds: 0 };
  // RFC 6761: ".invalid" never resolves, and software should say so without asking a DNS server.
  if (/(^|\.)invalid\.?$/i.test(bare)) throw new ProbeFailure('dns', `cannot resolve ${bare}: .invalid names never resolve (RFC 6761)`);
  const start = monotonicSeconds();
  const want = preferred === 'ip6' ? 6 : 4;
  try {
    const addresses = await budget.race(lookup(bare, { all: true }), false);
    const match = addresses.find((a) => a.family === want) ?? (fallback ? addresses[0] : undefined);
    if (!match) {
      throw new ProbeFailure('dns', `${bare} has no IPv${want} address and ip_protocol_fallback is off`);
    }
    return { address: match.address, family: match.family as 4 | 6, seconds: monotonicSeconds() - start };
  } catch (err) {
    if (budget.aborted) throw budget.failure(false);
    const { message } = classifyError(err, 'resolve');
    throw err instanceof ProbeFailure ? err : new ProbeFailure('dns', `cannot resolve ${bare}: ${message}`);
  }
}

const hashCache = new Map<string, number>();

/** FNV-1a 32-bit over the address bytes, as blackbox_exporter's probe_ip_addr_hash (cached: few distinct addresses). */
export function ipAddressHash(address: string): number {
  const cached = hashCache.get(address);
  if (cached !== undefined) return cached;
  const hash = fnv1a(ipBytes(address));
  if (hashCache.size < 10_000) hashCache.set(address, hash);
  return hash;
}

function fnv1a(bytes: number[]): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

function ipBytes(address: string): number[] {
  if (isIP(address) === 4) return address.split('.').map(Number);
  // Expand IPv6 (including an embedded IPv4 tail) into 16 bytes.
  let text = address;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4tail) {
    const [a, b, c, d] = (v4tail[1] as string).split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -(v4tail[1] as string).length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailParts];
  const bytes: number[] = [];
  for (const group of groups) {
    const value = parseInt(group || '0', 16);
    bytes.push(value >> 8, value & 0xff);
  }
  // An IPv4-mapped address hashes as the IPv4 address, as Go's To4() does.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  return bytes;
}
