// Secrets where the issue found them leaking: carried by a redirect to another host, in the vmui link of a
// notification built from a --vm-url with credentials, echoed by a PostgreSQL server into an error message,
// and percent-encoded in a step's URL in --debug (`periscope check` itself: test/integration/secrets-check-command.test.ts).
// Real loopback servers: 127.0.0.1 and localhost are two host names for the same address, so a redirect from
// one to the other leaves the first host.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryUrl } from '../../shared/alerting/evaluation/plan-notifications.js';
import { createSecretResolver, loadTarget, type TargetInput } from '../../shared/config/index.js';
import { redactSecrets, secretForms, withoutUserinfo } from '../../shared/observability/redact.js';
import { formatDebug, formatSummaryLine, formatWaterfall } from '../../shared/probing/format.js';
import { runProbe, type ProbeResult } from '../../shared/probing/index.js';
import { readBody, startHttpServer, type TestServer } from '../support/http-servers.js';

const PASSWORD = 'pa ss/wörd?&=#"+';
const API_KEY = 'key-7f3a9c1d2e';
/** Substituted into a URL as is: what the URL parser percent-encodes (space, quote, <, >, non-ASCII), no & or #. */
const URL_SECRET = 'to ken"wö<1>';
const secrets = createSecretResolver({ env: { PROBE_PASSWORD: PASSWORD, PROBE_KEY: API_KEY, URL_SECRET } });

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const seenBy = { first: [] as Seen[], other: [] as Seen[] };
let first: TestServer;
let other: TestServer;
/** The other server by a name that is not the first one's (127.0.0.1 → localhost). */
let otherUrl: string;

async function record(into: Seen[], req: IncomingMessage, res: ServerResponse, redirect?: (path: string) => string | undefined): Promise<void> {
  const body = await readBody(req);
  const path = req.url ?? '/';
  into.push({ path, headers: req.headers, body });
  const location = redirect?.(path);
  if (location) {
    res.writeHead(Number(new URL(path, 'http://x').searchParams.get('status') ?? 307), { location }).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
}

beforeAll(async () => {
  other = await startHttpServer((req, res) => void record(seenBy.other, req, res));
  otherUrl = `http://localhost:${other.port}`;
  first = await startHttpServer(
    (req, res) =>
      void record(seenBy.first, req, res, (path) => {
        if (path.startsWith('/away')) return `${otherUrl}/landed`;
        if (path.startsWith('/stay')) return '/landed-here';
        return undefined;
      }),
  );
});

afterAll(async () => {
  await Promise.all([first?.close(), other?.close()]);
});

function reset(): void {
  seenBy.first.length = 0;
  seenBy.other.length = 0;
}

async function probe(input: TargetInput, debug = false): Promise<ProbeResult> {
  const target = await loadTarget(input, 'test');
  return runProbe(target, { timeoutMs: 3000, secrets, debug });
}

/** Everything a person or a log could see of a result. */
function printed(result: ProbeResult): string {
  return [JSON.stringify(result), formatWaterfall(result), formatDebug(result), formatSummaryLine(result)].join('\n');
}

function expectNoSecret(text: string): void {
  for (const form of [PASSWORD, API_KEY, URL_SECRET].flatMap(secretForms)) expect(text).not.toContain(form);
}

describe('a redirect to another host', () => {
  it('carries no custom header, no credential and no header holding a secret (plain http target, 308)', async () => {
    reset();
    const result = await probe({
      name: 'plain',
      http: {
        url: `${first.url}/away?status=308`,
        bearer_token_from: 'env:PROBE_KEY',
        headers: { 'X-Custom': 'literal-value', Accept: 'application/json', 'Accept-Language': 'en', 'User-Agent': 'probe-agent' },
      },
    });
    expect(result.success).toBe(true);
    expect(seenBy.first[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(seenBy.first[0]?.headers['x-custom']).toBe('literal-value');
    const landed = seenBy.other[0];
    expect(landed?.path).toBe('/landed');
    expect(landed?.headers.authorization).toBeUndefined();
    expect(landed?.headers['x-custom']).toBeUndefined();
    expect(landed?.headers.accept).toBe('application/json');
    expect(landed?.headers['accept-language']).toBe('en');
    expect(landed?.headers['user-agent']).toBe('probe-agent');
  });

  it('drops the headers set from variables_from on a multi-step 307, keeps them on the same host', async () => {
    reset();
    const result = await probe({
      name: 'steps',
      steps: [
        {
          name: 'stay',
          url: `${first.url}/stay`,
          headers: { 'X-Api-Key': '${key}', Accept: 'application/json' },
          variables_from: { key: 'env:PROBE_KEY' },
        },
        {
          name: 'away',
          url: `${first.url}/away?status=307`,
          // A secret in a header a redirect may otherwise carry (Accept) is dropped too.
          headers: { 'X-Api-Key': '${key}', Accept: 'application/json; key=${key}', 'X-Trace': 'abc' },
        },
      ],
    });
    expect(result.success, result.message).toBe(true);
    expect(seenBy.first.map((s) => s.path)).toEqual(['/stay', '/landed-here', '/away?status=307']);
    expect(seenBy.first[1]?.headers['x-api-key']).toBe(API_KEY);
    const landed = seenBy.other[0];
    expect(landed?.path).toBe('/landed');
    expect(landed?.headers['x-api-key']).toBeUndefined();
    expect(landed?.headers.accept).toBeUndefined();
    expect(landed?.headers['x-trace']).toBeUndefined();
    expectNoSecret(JSON.stringify(landed));
  });

  it('is not followed when a 307/308 would repeat a body holding a secret; the same host gets it', async () => {
    reset();
    const login = (path: string) => ({
      name: 'login',
      url: `${first.url}${path}`,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"user":"probe","password":"${password}"}',
      variables_from: { password: 'env:PROBE_PASSWORD' },
    });
    const away = await probe({ name: 'login-away', steps: [login('/away?status=307')] });
    expect(away.success).toBe(false);
    expect(away.reason).toBe('status_code');
    expect(away.message).toMatch(/not following the 307 redirect to localhost:\d+: the request body holds a secret/);
    expect(seenBy.other).toEqual([]);
    expectNoSecret(printed(away));

    const stay = await probe({ name: 'login-stay', steps: [login('/stay?status=308')] });
    expect(stay.success, stay.message).toBe(true);
    expect(seenBy.first.at(-1)?.path).toBe('/landed-here');
    expect(seenBy.first.at(-1)?.body).toContain(PASSWORD);
  });
});

describe('secrets in --debug and messages', () => {
  it('never shows a step URL secret, raw or percent-encoded', async () => {
    reset();
    const result = await probe(
      {
        name: 'url-secret',
        steps: [{ name: 'call', url: `${first.url}/call/\${key}?token=\${token}&k=\${key}`, variables_from: { token: 'env:URL_SECRET', key: 'env:PROBE_KEY' } }],
      },
      true,
    );
    expect(result.success, result.message).toBe(true);
    // The server did get it: the URL held it percent-encoded.
    expect(seenBy.first[0]?.path).toBe(`/call/${API_KEY}?token=to%20ken%22w%C3%B6%3C1%3E&k=${API_KEY}`);
    expect(formatDebug(result)).toContain('/call/<redacted>?token=<redacted>&k=<redacted>');
    expectNoSecret(printed(result));
  });

  it('keeps a password a PostgreSQL server echoes in its error out of the result, --debug and the summary', async () => {
    // A server that asks for a cleartext password and answers with an error quoting it.
    const server = net.createServer((socket) => {
      let startup = true;
      socket.on('error', () => undefined);
      socket.on('data', (data: Buffer) => {
        if (startup) {
          startup = false;
          const auth = Buffer.alloc(9);
          auth.write('R', 0);
          auth.writeUInt32BE(8, 1);
          auth.writeUInt32BE(3, 5); // AuthenticationCleartextPassword
          socket.write(auth);
          return;
        }
        const said = data.subarray(5, data.length - 1).toString('utf8');
        const fields = Buffer.from(`SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed: you said "${said}" (${encodeURIComponent(said)})\0\0`, 'utf8');
        const error = Buffer.alloc(5);
        error.write('E', 0);
        error.writeUInt32BE(4 + fields.length, 1);
        socket.end(Buffer.concat([error, fields]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const result = await probe({ name: 'db', postgres: { host: '127.0.0.1', port, sslmode: 'disable', password_from: 'env:PROBE_PASSWORD' } }, true);
      expect(result.success).toBe(false);
      expect(result.reason).toBe('auth');
      expect(result.message).toContain('you said "<redacted>" (<redacted>)');
      expectNoSecret(printed(result));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('URLs with credentials', () => {
  it('withoutUserinfo strips user:password from URLs anywhere in a text, valid or not', () => {
    expect(withoutUserinfo('https://user:p%40ss@vm.example:8428/x?y=1')).toBe('https://vm.example:8428/x?y=1');
    expect(withoutUserinfo('cannot reach http://u:p@ss@[bad/ and https://a@b.example')).toBe('cannot reach http://[bad/ and https://b.example');
    expect(withoutUserinfo('mailto:someone@example.com')).toBe('mailto:someone@example.com');
  });

  it('the vmui link has neither the userinfo nor the query string of --vm-url', () => {
    const link = queryUrl('http://admin:hunter2@127.0.0.1:8428/?authToken=t0ken', 'up == 0');
    expect(link).toBe('http://127.0.0.1:8428/vmui/#/?g0.expr=up%20%3D%3D%200&g0.range_input=1h&g0.tab=0');
  });

  it('redactSecrets replaces every encoded form, longest first', () => {
    const text = `a=${encodeURIComponent(PASSWORD)} b=${PASSWORD} c=${JSON.stringify(PASSWORD)} d=${encodeURIComponent(PASSWORD).replace(/%20/g, '+')}`;
    const out = redactSecrets(text, [PASSWORD]);
    expect(out).toBe('a=<redacted> b=<redacted> c="<redacted>" d=<redacted>');
  });
});

describe('redacting a probe result', () => {
  it('touches free text only: a one-letter secret leaves reasons, names and labels alone', async () => {
    const { redactResult } = await import('../../shared/probing/redact-result.js');
    const result: ProbeResult = {
      target: 'status-api',
      module: 'http',
      instance: 'http://127.0.0.1:1/s',
      success: false,
      reason: 'status_code',
      message: 'status code 500 is not 2xx: s',
      timestamp_ms: 0,
      duration_seconds: 0,
      timeout_seconds: 1,
      phases: [],
      samples: [{ name: 'probe_failure_info', labels: { reason: 'status_code' }, value: 1 }],
    };
    const out = redactResult(result, new Set(['s']));
    expect(out.reason).toBe('status_code');
    expect(out.target).toBe('status-api');
    expect(out.samples).toEqual(result.samples);
    expect(out.message).not.toContain('s');
    expect(redactResult(result, new Set())).toBe(result);
  });
});
