// blackbox_exporter's http prober metrics, computed from what the hops recorded: phase durations summed
// over hops, and the probe_http_* samples of the final response.
import { NO_LABELS } from '../samples.js';
import { tlsSamples } from '../tls.js';
import type { PhaseTiming, Sample, TlsInfo } from '../types.js';
import type { BodyReader } from './body.js';
import { httpVersionNumber } from './checks.js';
import type { HopTrace } from './connect.js';
import type { ResponseHead } from './exchange.js';
import type { Hop } from './hop.js';

/** What the final response said, kept as numbers so headers and body can be dropped early. */
export interface FinalResponse {
  hop: Hop;
  head: ResponseHead;
  contentLength: number;
  lastModified: number | undefined;
  /** The body is kept for body checks. */
  checkBody: boolean;
  reader: BodyReader | undefined;
}

/**
 * probe_http_duration_seconds by phase, summed over hops as blackbox sums its round-trip traces. Only the
 * final response's body is read, so only the last hop has a transfer; `end` closes one cut short.
 */
export function httpPhases(traces: readonly HopTrace[], end: number): PhaseTiming[] {
  let resolve = 0;
  let connect = 0;
  let tls = 0;
  let processing = 0;
  let transfer = 0;
  const last = traces.length - 1;
  traces.forEach((t, index) => {
    resolve += t.resolveSeconds;
    if (t.connected !== undefined && t.resolved !== undefined) connect += t.connected - t.resolved;
    if (t.tlsDone !== undefined && t.connected !== undefined) tls += t.tlsDone - t.connected;
    if (t.firstByte !== undefined && t.gotConn !== undefined) processing += t.firstByte - t.gotConn;
    if (index === last && t.firstByte !== undefined) transfer += (t.end ?? end) - t.firstByte;
  });
  return [
    { phase: 'resolve', seconds: resolve },
    { phase: 'connect', seconds: connect },
    { phase: 'tls', seconds: tls },
    { phase: 'processing', seconds: processing },
    { phase: 'transfer', seconds: transfer },
  ];
}

/**
 * The phase a hop was in when the probe ended: httpPhases gives it no time (blackbox's metrics do the same), so
 * the waterfall puts the rest of the probe's duration there. Undefined when the response head arrived (a body
 * cut short is timed as transfer already).
 */
export function unfinishedHttpPhase(trace: HopTrace | undefined): string | undefined {
  if (trace === undefined || trace.resolved === undefined) return 'resolve';
  if (trace.connected === undefined) return 'connect';
  if (trace.gotConn === undefined) return 'tls';
  if (trace.firstByte === undefined) return 'processing';
  return undefined;
}

/**
 * The probe_http_* samples (0 where there was no response, as Go's empty http.Response gives), plus the
 * certificate samples of the last hop's TLS connection, verified or not.
 */
export function httpSamples(final: FinalResponse | undefined, redirects: number, failedDueToRegex: number, tls: TlsInfo | undefined): Sample[] {
  const head = final?.head;
  const samples: Sample[] = [
    { name: 'probe_http_status_code', labels: NO_LABELS, value: head?.status ?? 0 },
    { name: 'probe_http_content_length', labels: NO_LABELS, value: final?.contentLength ?? 0 },
    { name: 'probe_http_uncompressed_body_length', labels: NO_LABELS, value: final?.reader?.length ?? 0 },
    { name: 'probe_http_redirects', labels: NO_LABELS, value: redirects },
    { name: 'probe_http_ssl', labels: NO_LABELS, value: head?.tls ? 1 : 0 },
    { name: 'probe_http_version', labels: NO_LABELS, value: httpVersionNumber(head?.version) },
    { name: 'probe_failed_due_to_regex', labels: NO_LABELS, value: failedDueToRegex },
  ];
  if (final?.lastModified !== undefined) {
    samples.push({ name: 'probe_http_last_modified_timestamp_seconds', labels: NO_LABELS, value: final.lastModified });
  }
  if (tls) samples.push(...tlsSamples(tls));
  return samples;
}
