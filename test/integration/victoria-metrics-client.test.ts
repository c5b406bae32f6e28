// The one VictoriaMetrics client against a real VictoriaMetrics (the run's shared one), behind a recording
// proxy where a test needs to see or script the traffic, and behind a real vmauth for credentials.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  exportRaw,
  forceFlush,
  importUrl,
  queryInstant,
  queryRange,
  QueryError,
  redactUrl,
  vmEndpoint,
  writeBatch,
  type VmConnection,
} from '../../shared/victoria-metrics/index.js';
import { freePort } from '../support/ports.js';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.js';
import { startVmauth, type VmauthHandle } from '../support/vmauth.js';

const vmUrl = inject('vmUrl');
const noSleep = { sleep: async () => {}, random: () => 0.5 };

/** A metric name no other test writes. */
function unique(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Writes one sample half a minute ago and reads it back through `conn`, flushing first. */
async function roundTrip(conn: VmConnection, name: string, value: number): Promise<number[]> {
  const at = Date.now() - 30_000;
  const written = await writeBatch(`${name}{job="vmclient"} ${value} ${at}\n`, conn, { deadlineMs: Date.now() + 10_000 });
  expect(written).toEqual({ ok: true, attempts: 1 });
  await forceFlush({ url: vmUrl });
  const series = await exportRaw(conn, `${name}{job="vmclient"}`, 0, Date.now() + 60_000);
  return series.flatMap((s) => s.values);
}

describe('URLs', () => {
  it('joins endpoints below a path prefix, keeping the base query string and leaving credentials out', () => {
    expect(vmEndpoint('http://vmselect:8481/select/0/prometheus/', '/api/v1/query').toString()).toBe('http://vmselect:8481/select/0/prometheus/api/v1/query');
    const withParams = vmEndpoint('http://u:p@vmauth:8427/x?auth_key=k', '/api/v1/export', new URLSearchParams({ 'match[]': 'up' }));
    expect(withParams.toString()).toBe('http://vmauth:8427/x/api/v1/export?auth_key=k&match%5B%5D=up');
    expect(importUrl('http://vminsert:8480/insert/42/prometheus/').toString()).toBe('http://vminsert:8480/insert/42/prometheus/api/v1/import/prometheus');
    expect(importUrl('http://vm:8428/api/v1/import/prometheus?extra_label=a=b').toString()).toBe('http://vm:8428/api/v1/import/prometheus?extra_label=a=b');
    expect(redactUrl('http://u:secret@vmauth:8427/x?auth_key=k')).toMatch(/^http:\/\/vmauth:8427\/x\?[^=]*$/);
  });
});

describe('against a real VictoriaMetrics', () => {
  it('writes, queries, range-queries and exports', async () => {
    const name = unique('vmclient_rw');
    expect(await roundTrip({ url: vmUrl }, name, 42)).toEqual([42]);
    const nowSec = Math.floor(Date.now() / 1000);
    expect(await queryInstant({ url: vmUrl }, `${name}{job="vmclient"}`, nowSec + 5)).toEqual([{ labels: { job: 'vmclient' }, value: 42 }]);
    const range = await queryRange({ url: vmUrl }, `${name} * 2`, { startSec: nowSec - 60, endSec: nowSec - 5, stepSec: 5 });
    expect(range).toHaveLength(1);
    expect(range[0]?.values.at(-1)).toBe(84);
  });

  it('turns a bad expression into a bad_query error carrying VictoriaMetrics’ own message', async () => {
    const err = await queryInstant({ url: vmUrl }, 'rate(', Date.now() / 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect(err).toMatchObject({ kind: 'bad_query', status: 422 });
    expect((err as Error).message).toMatch(/^VictoriaMetrics answered 422: .*unexpected token/);
  });

  it('works below a path prefix (VictoriaMetrics’ own /prometheus prefix)', async () => {
    const name = unique('vmclient_prefix');
    expect(await roundTrip({ url: `${vmUrl}/prometheus/` }, name, 7)).toEqual([7]);
  });

  it('says which VictoriaMetrics it cannot reach, and that a write may be retried', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await writeBatch('x 1 1700000000000\n', { url: closed }, { deadlineMs: Date.now() + 50, ...noSleep });
    expect(result).toMatchObject({ ok: false, retriable: true });
    expect(result.ok ? '' : result.message).toMatch(new RegExp(`^cannot reach VictoriaMetrics at ${closed}/api/v1/import/prometheus: ECONNREFUSED`));
  });
});

describe('behind a proxy', () => {
  let proxy: RecordingProxy;
  let failuresLeft = 0;
  beforeAll(async () => {
    proxy = await startRecordingProxy(vmUrl, {
      stripPrefix: '/tenant/7',
      answer: (req) => (req.path.includes('/import/') && failuresLeft-- > 0 ? { status: 503, body: 'overloaded' } : undefined),
    });
  });
  afterAll(async () => proxy.close());

  it('sends every request below the base URL’s path', async () => {
    const name = unique('vmclient_tenant');
    proxy.requests.length = 0;
    expect(await roundTrip({ url: `${proxy.url}/tenant/7` }, name, 3)).toEqual([3]);
    expect(proxy.requests.map((r) => r.path.split('?')[0])).toEqual(['/tenant/7/api/v1/import/prometheus', '/tenant/7/api/v1/export']);
    expect(proxy.requests[0]?.headers['content-encoding']).toBe('gzip');
  });

  it('retries a write VictoriaMetrics answers 5xx, and the samples arrive once', async () => {
    const name = unique('vmclient_retry');
    proxy.requests.length = 0;
    failuresLeft = 2;
    const now = Date.now();
    const conn = { url: `${proxy.url}/tenant/7` };
    const result = await writeBatch(`${name} 5 ${now}\n`, conn, { deadlineMs: now + 10_000, ...noSleep });
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(proxy.requests.filter((r) => r.path.includes('/import/'))).toHaveLength(3);
    await forceFlush({ url: vmUrl });
    expect((await exportRaw(conn, name, 0, now + 60_000)).map((s) => s.values)).toEqual([[5]]);
  });

  it('gives up on 5xx at the deadline with the last answer, backing off exponentially', async () => {
    failuresLeft = 1_000;
    // A clock that moves only when the writer waits: the deadline comes after a known number of attempts.
    let clock = Date.now();
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      clock += ms;
    };
    const options = { deadlineMs: clock + 1_000, now: () => clock, sleep, random: () => 0.5, maxBackoffMs: 400 };
    const result = await writeBatch('x 1 1700000000000\n', { url: `${proxy.url}/tenant/7` }, options);
    failuresLeft = 0;
    expect(result).toMatchObject({ ok: false, retriable: true, status: 503, attempts: 6 });
    expect(result.ok ? '' : result.message).toContain('answered 503: overloaded');
    // Full jitter (here half) of 200, 400, then the 400 cap: the next wait would pass the deadline.
    expect(waits).toEqual([100, 200, 200, 200, 200]);
  });

  it('does not retry a write VictoriaMetrics refuses (4xx), and says what VictoriaMetrics said', async () => {
    proxy.requests.length = 0;
    const result = await writeBatch(Buffer.from('this is not gzip'), { url: `${proxy.url}/tenant/7` }, { deadlineMs: Date.now() + 10_000, ...noSleep });
    expect(result).toMatchObject({ ok: false, retriable: false, attempts: 1, status: 400 });
    expect(result.ok ? '' : result.message).toMatch(/answered 400: .*cannot read gzipped lines/);
    expect(proxy.requests).toHaveLength(1);
  });

  it('sends the credentials as an Authorization header on every request, flush included', async () => {
    proxy.requests.length = 0;
    const conn: VmConnection = { url: `${proxy.url}/tenant/7`, auth: { type: 'bearer', token: 'tok-abc' } };
    await writeBatch('x 1 1700000000000\n', conn, { deadlineMs: Date.now() + 10_000 });
    await forceFlush(conn);
    await queryInstant(conn, '1', Date.now() / 1000);
    expect(proxy.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-abc', 'Bearer tok-abc', 'Bearer tok-abc']);
    expect(proxy.requests[1]?.path).toBe('/tenant/7/internal/force_flush');
  });
});

describe('behind vmauth', () => {
  let vmauth: VmauthHandle;
  beforeAll(async () => {
    vmauth = await startVmauth([
      { username: 'periscope', password: 's3cret-pw', urlPrefix: vmUrl },
      { bearerToken: 'tok-123456', urlPrefix: vmUrl },
    ]);
  });
  afterAll(async () => vmauth.stop());

  it('authenticates with basic auth, given explicitly or in the URL, and with a bearer token', async () => {
    const name = unique('vmclient_auth');
    expect(await roundTrip({ url: vmauth.url, auth: { type: 'basic', username: 'periscope', password: 's3cret-pw' } }, name, 1)).toEqual([1]);
    const inUrl = new URL(vmauth.url);
    inUrl.username = 'periscope';
    inUrl.password = 's3cret-pw';
    expect(await queryInstant({ url: inUrl.toString() }, 'vector(2)', Date.now() / 1000)).toEqual([{ labels: {}, value: 2 }]);
    expect(await queryInstant({ url: vmauth.url, auth: { type: 'bearer', token: 'tok-123456' } }, 'vector(3)', Date.now() / 1000)).toEqual([{ labels: {}, value: 3 }]);
  });

  it('never puts a credential into an error, even where vmauth quotes it', async () => {
    const wrongToken = await queryInstant({ url: vmauth.url, auth: { type: 'bearer', token: 'tok-not-known-9' } }, '1', Date.now() / 1000).catch((e: Error) => e);
    expect(wrongToken).toBeInstanceOf(QueryError);
    // vmauth answers 'cannot find the provided auth token "Bearer tok-not-known-9" in config'.
    expect((wrongToken as Error).message).toMatch(/answered 400: cannot find the provided auth token/);
    expect((wrongToken as Error).message).not.toContain('tok-not-known-9');
    // Refused credentials are kept for later (spooled), not set aside as malformed: a person fixes them.
    const noAuth = await writeBatch('x 1 1700000000000\n', { url: vmauth.url }, { deadlineMs: Date.now() + 10_000 });
    expect(noAuth).toMatchObject({ ok: false, retriable: true, status: 401 });
    const unknownToken = await writeBatch('x 1 1700000000000\n', { url: vmauth.url, auth: { type: 'bearer', token: 'tok-not-known-9' } }, { deadlineMs: Date.now() + 10_000 });
    expect(unknownToken).toMatchObject({ ok: false, retriable: true, status: 400, attempts: 1 });
    expect(JSON.stringify(unknownToken)).not.toContain('tok-not-known-9');
    const closed = `http://periscope:s3cret-pw@127.0.0.1:${await freePort()}/?auth_key=k3y-value`;
    const unreachable = await writeBatch('x 1 1700000000000\n', { url: closed }, { deadlineMs: Date.now() + 50, ...noSleep });
    const message = unreachable.ok ? '' : unreachable.message;
    expect(message).toContain('cannot reach VictoriaMetrics');
    expect(message).not.toMatch(/s3cret-pw|k3y-value|periscope/);
  });
});
