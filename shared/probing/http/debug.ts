// result.debug for `periscope probe --debug`: the request, each hop's response head, a body excerpt and a
// step log. Kept only when asked for, with credentials redacted and secret values scrubbed.
import { monotonicSeconds } from '../clock.js';
import type { DebugInfo } from '../types.js';
import type { ResponseHeaders } from './checks.js';
import type { Hop } from './hop.js';
import { httpInstance } from './request.js';
import { REDACTED, redactSecrets } from '../../observability/redact.js';

const REDACTED_REQUEST_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** Replaces every occurrence of a secret value, raw or encoded (a server may echo credentials back; a step's URL holds them percent-encoded). */
export function scrubSecrets(text: string, secretValues: readonly string[]): string {
  return secretValues.length === 0 ? text : redactSecrets(text, secretValues);
}

export class DebugRecorder {
  private readonly info: DebugInfo & { responses: NonNullable<DebugInfo['responses']> } = { log: [], responses: [] };

  constructor(
    private readonly started: number,
    private readonly secretValues: readonly string[],
  ) {}

  scrub(text: string): string {
    return scrubSecrets(text, this.secretValues);
  }

  line(text: string): void {
    const ms = ((monotonicSeconds() - this.started) * 1000).toFixed(1);
    this.info.log.push(`${ms} ms  ${this.scrub(text)}`);
  }

  request(method: string, url: string, headers: Record<string, string>): void {
    const shown: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [name, value] of Object.entries(headers)) {
      shown[name] = REDACTED_REQUEST_HEADERS.has(name) ? REDACTED : this.scrub(value);
    }
    this.info.request = { method, url: this.scrub(url), headers: shown };
  }

  response(url: string, status: number, headers: ResponseHeaders): void {
    const shown: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      const values = typeof value === 'string' ? [value] : value;
      // Session cookies are credentials too: keep the names, drop the values.
      shown[name] = name === 'set-cookie'
        ? values.map((v) => `${v.slice(0, Math.max(0, v.indexOf('=')))}=${REDACTED}`).join(', ')
        : this.scrub(values.join(', '));
    }
    this.info.responses.push({ url: this.scrub(url), status, headers: shown });
  }

  result(bodyExcerpt: string | undefined): DebugInfo {
    return bodyExcerpt === undefined ? this.info : { ...this.info, body_excerpt: this.scrub(bodyExcerpt) };
  }
}

function ms(from: number | undefined, to: number | undefined): string {
  return from === undefined || to === undefined ? '-' : `${((to - from) * 1000).toFixed(1)} ms`;
}

/** One debug line per hop: where it connected and how long each step took. */
export function describeHop(hop: Hop): string {
  const t = hop.trace;
  const { resolved, tls } = hop.connection;
  const parts = [`hop ${hop.request.method} ${httpInstance(hop.request.url.href)}`];
  if (resolved) parts.push(`to ${resolved.address}`);
  parts.push(`connect ${ms(t.resolved, t.connected)}`);
  if (tls) {
    const verified = tls.verified ? 'verified' : `not verified: ${tls.verify_error ?? 'unknown'}`;
    parts.push(`tls ${ms(t.connected, t.tlsDone)} (${tls.version}, ${tls.cipher}, ${verified})`);
  }
  parts.push(`first byte ${ms(t.gotConn, t.firstByte)}`, `body ${ms(t.firstByte, t.end)}`);
  return parts.join(', ');
}
