// Multi-step HTTP checks against a real API on loopback: log in with a password given by reference, take the
// token from the JSON reply, call with it, take an id, call again. Failures name their step; secrets and
// tokens never appear in the result or in `periscope probe --debug`.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createSecretResolver, parseTarget, parseTargetsFile } from '../shared/config/index.js';
import { runProbe, type ProbeResult } from '../shared/probing/index.js';
import { loadRegexEngine } from '../shared/regex/index.js';
import { readBody, startHttpServer, type TestServer } from './support/http-servers.js';

const PASSWORD = 'correct-horse-battery-staple';
const issued: string[] = [];
const seen: Array<{ method: string; url: string; authorization?: string; body: string }> = [];
let api: TestServer;
let dir: string;

async function handler(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push({ method: req.method ?? '', url: url.pathname + url.search, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body });
  const json = (status: number, value: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
  const token = req.headers.authorization?.replace(/^Bearer /, '');
  if (url.pathname === '/login' && req.method === 'POST') {
    const credentials = JSON.parse(body || '{}') as { user?: string; password?: string };
    if (credentials.password !== PASSWORD) return json(401, { error: 'bad credentials' });
    const fresh = `tok-${randomBytes(16).toString('hex')}`;
    issued.push(fresh);
    return json(200, { token: fresh, expires_in: 300 }, { 'x-session': `sid=${randomBytes(8).toString('hex')}; Path=/` });
  }
  if (url.pathname === '/slow') {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return json(200, { ok: true });
  }
  if (!token || !issued.includes(token)) return json(401, { error: 'no token' });
  if (url.pathname === '/orders') return url.searchParams.get('fail') ? json(503, { error: 'orders database down' }) : json(200, { items: [{ id: 'ord-20261202-7' }, { id: 'ord-20261202-8' }] });
  if (url.pathname.startsWith('/orders/')) return url.pathname === '/orders/ord-20261202-7' ? json(200, { id: 'ord-20261202-7', state: 'shipped' }) : json(404, { error: 'no such order' });
  return json(404, { error: 'not found' });
}

const login = () => ({
  name: 'login',
  url: `${api.url}/login`,
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: '{"user":"probe","password":"${password}"}',
  variables_from: { password: 'env:API_PASSWORD' },
  extract: { token: { json: '$.token' }, session: { header: 'X-Session', regexp: 'sid=([0-9a-f]+)' } },
});
const orders = (query = '') => ({
  name: 'orders',
  url: `${api.url}/orders${query}`,
  headers: { Authorization: 'Bearer ${token}' },
  extract: { order: { json: 'items[0].id' } },
});
const order = () => ({
  name: 'order',
  url: `${api.url}/orders/\${order}`,
  headers: { Authorization: 'Bearer ${token}' },
  fail_if_body_not_matches_regexp: ['"state":"shipped"'],
});

function probe(steps: unknown[], debug = false, timeout = '5s'): Promise<ProbeResult> {
  const spec = parseTarget({ name: 'orders-flow', timeout, steps }, 'test');
  return runProbe(spec, { timeoutMs: 5000, debug, secrets: createSecretResolver({ env: { API_PASSWORD: PASSWORD } }) });
}

const sample = (result: ProbeResult, name: string, labels: Record<string, string> = {}) =>
  result.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

// parseTarget compiles the modules' RE2 patterns synchronously: the engine must be loaded first.
beforeAll(() => loadRegexEngine());

beforeAll(async () => {
  api = await startHttpServer((req, res) => void handler(req, res));
  dir = await mkdtemp(join(tmpdir(), 'periscope-steps-'));
});

afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('multi-step checks', () => {
  it('logs in, carries the token and an extracted id into later steps, and succeeds once', async () => {
    const before = seen.length;
    const result = await probe([login(), orders(), order()]);
    expect(result.success, result.message).toBe(true);
    const calls = seen.slice(before);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /login', 'GET /orders', 'GET /orders/ord-20261202-7']);
    expect(JSON.parse(calls[0]?.body ?? '{}')).toEqual({ user: 'probe', password: PASSWORD });
    expect(calls[1]?.authorization).toBe(`Bearer ${issued.at(-1)}`);
    expect(calls[2]?.authorization).toBe(`Bearer ${issued.at(-1)}`);
    expect(result.samples.filter((s) => s.name === 'probe_success')).toEqual([{ name: 'probe_success', labels: {}, value: 1 }]);
    for (const step of ['login', 'orders', 'order']) {
      expect(sample(result, 'probe_http_status_code', { step })?.value).toBe(200);
      expect(sample(result, 'probe_http_step_success', { step })?.value).toBe(1);
      expect(sample(result, 'probe_http_step_duration_seconds', { step })?.value).toBeGreaterThan(0);
      expect(sample(result, 'probe_http_duration_seconds', { step, phase: 'processing' })).toBeDefined();
    }
    expect(result.steps?.map((s) => [s.name, s.extracted])).toEqual([['login', ['token', 'session']], ['orders', ['order']], ['order', []]]);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(JSON.stringify(result)).not.toContain(issued.at(-1));
  });

  it('fails at a middle step, names it, and runs nothing after it', async () => {
    const before = seen.length;
    const result = await probe([login(), orders('?fail=1'), order()]);
    expect(result).toMatchObject({ success: false, reason: 'status_code' });
    expect(result.message).toMatch(/^step "orders" \(2 of 3\): /);
    expect(sample(result, 'probe_failure_info')?.labels).toEqual({ reason: 'status_code', step: 'orders' });
    expect(sample(result, 'probe_http_status_code', { step: 'orders' })?.value).toBe(503);
    expect(sample(result, 'probe_http_step_success', { step: 'login' })?.value).toBe(1);
    expect(sample(result, 'probe_http_step_success', { step: 'orders' })?.value).toBe(0);
    expect(sample(result, 'probe_http_step_success', { step: 'order' })).toBeUndefined();
    expect(seen.slice(before).map((c) => c.url)).toEqual(['/login', '/orders?fail=1']);
  });

  it('fails with reason extract when a variable is not in the response', async () => {
    const broken = { ...orders(), extract: { order: { json: 'items[5].id' } } };
    const result = await probe([login(), broken, order()]);
    expect(result).toMatchObject({ success: false, reason: 'extract' });
    expect(result.message).toBe('step "orders" (2 of 3): cannot extract ${order}: the JSON body has no value at items[5].id');
    expect(sample(result, 'probe_http_step_success', { step: 'orders' })?.value).toBe(0);
  });

  it('fails the login step on a wrong password and never shows it', async () => {
    const spec = parseTarget({ name: 'flow', steps: [login(), orders()] }, 'test');
    const result = await runProbe(spec, { timeoutMs: 5000, debug: true, secrets: createSecretResolver({ env: { API_PASSWORD: 'wrong-password-123' } }) });
    expect(result).toMatchObject({ success: false, reason: 'status_code' });
    expect(result.message).toMatch(/^step "login" \(1 of 2\)/);
    expect(JSON.stringify(result)).not.toContain('wrong-password-123');
  });

  it('shares one timeout across the steps: the step that runs out of it is named', async () => {
    const spec = parseTarget({ name: 'flow', timeout: '800ms', steps: [login(), { name: 'slow', url: `${api.url}/slow` }, orders()] }, 'test');
    const result = await runProbe(spec, { timeoutMs: 800, secrets: createSecretResolver({ env: { API_PASSWORD: PASSWORD } }) });
    expect(result).toMatchObject({ success: false, reason: 'timeout', timeout_seconds: 0.8 });
    expect(result.message).toMatch(/^step "slow" \(2 of 3\): /);
    // The login's time counts against the same budget: the whole check ends near 800 ms, not 800 ms after the login.
    expect(result.duration_seconds).toBeLessThan(1.4);
    expect(sample(result, 'probe_timeout_seconds')?.value).toBe(0.8);
  });

  it('rejects a variable no earlier step defines, naming the step and field', () => {
    const attempt = () => parseTarget({ name: 'flow', steps: [orders(), login()] }, 'targets.yml');
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('targets.yml: steps[0].headers.Authorization: uses ${token}, which no earlier step extracts and variables_from does not define');
  });

  it('rejects unknown keys, bad types and a literal password in a step', () => {
    const text = `groups:\n  - name: g\n    targets:\n      - name: flow\n        steps:\n          - name: a\n            url: http://127.0.0.1:1/\n            extrct: {}\n          - name: b\n            url: http://127.0.0.1:1/\n            method: 3\n            basic_auth: { username: u, password: hunter2 }\n`;
    let error: ConfigError | undefined;
    try {
      parseTargetsFile(text, 'steps.yml');
    } catch (err) {
      error = err as ConfigError;
    }
    const problems = error?.problems.map((p) => `${p.path}: ${p.message}`) ?? [];
    expect(problems).toContain('groups[0].targets[0].steps[0].extrct: unknown field "extrct"');
    expect(problems.some((p) => p.startsWith('groups[0].targets[0].steps[1].method: '))).toBe(true);
    expect(problems.some((p) => p.startsWith('groups[0].targets[0].steps[1].basic_auth.password: literal secrets are not accepted'))).toBe(true);
    expect(error?.message).not.toContain('hunter2');
  });

  it('periscope probe --debug shows each step but neither the password nor the token', async () => {
    const file = join(dir, 'targets.yml');
    const yaml = JSON.stringify({ groups: [{ name: 'api', targets: [{ name: 'orders-flow', steps: [login(), orders(), order()] }] }] });
    await writeFile(file, yaml);
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['bin/periscope.js', 'probe', '--config', file, '--target', 'orders-flow', '--debug'], { env: { ...process.env, API_PASSWORD: PASSWORD }, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      );
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^OK {2}steps /);
    for (const step of ['login', 'orders', 'order']) expect(run.stdout).toContain(`step "${step}"`);
    expect(run.stdout).toContain('> POST');
    expect(run.stdout).toContain('extracted ${token} (36 characters, not shown)');
    expect(run.stdout).not.toContain(PASSWORD);
    for (const token of issued) expect(run.stdout).not.toContain(token);
  });
});
