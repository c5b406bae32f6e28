// Multi-step HTTP checks against a real API on loopback: log in with a password given by reference, take the
// token from the JSON reply, call with it, take an id, call again. Failures name their step; secrets and
// tokens never appear in the result (nor in `periscope probe --debug`: test/integration/multistep-debug.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createSecretResolver, parseTarget, parseTargetsFile } from '../../shared/config/index.js';
import { runProbe, type ProbeResult } from '../../shared/probing/index.js';
import { loadRegexEngine } from '../../shared/regex/index.js';
import { loginStep, orderStep, ordersStep, ORDERS_API_PASSWORD as PASSWORD, startOrdersApi, type OrdersApi } from '../support/orders-api.js';

let api: OrdersApi;
const login = () => loginStep(api.url);
const orders = (query = '') => ordersStep(api.url, query);
const order = () => orderStep(api.url);

function probe(steps: unknown[], debug = false, timeout = '5s'): Promise<ProbeResult> {
  const spec = parseTarget({ name: 'orders-flow', timeout, steps }, 'test');
  return runProbe(spec, { timeoutMs: 5000, debug, secrets: createSecretResolver({ env: { API_PASSWORD: PASSWORD } }) });
}

const sample = (result: ProbeResult, name: string, labels: Record<string, string> = {}) =>
  result.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

// parseTarget compiles the modules' RE2 patterns synchronously: the engine must be loaded first.
beforeAll(() => loadRegexEngine());

beforeAll(async () => {
  api = await startOrdersApi();
});

afterAll(async () => {
  await api?.close();
});

describe('multi-step checks', () => {
  it('logs in, carries the token and an extracted id into later steps, and succeeds once', async () => {
    const before = api.seen.length;
    const result = await probe([login(), orders(), order()]);
    expect(result.success, result.message).toBe(true);
    const calls = api.seen.slice(before);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /login', 'GET /orders', 'GET /orders/ord-20261202-7']);
    expect(JSON.parse(calls[0]?.body ?? '{}')).toEqual({ user: 'probe', password: PASSWORD });
    expect(calls[1]?.authorization).toBe(`Bearer ${api.issued.at(-1)}`);
    expect(calls[2]?.authorization).toBe(`Bearer ${api.issued.at(-1)}`);
    expect(result.samples.filter((s) => s.name === 'probe_success')).toEqual([{ name: 'probe_success', labels: {}, value: 1 }]);
    for (const step of ['login', 'orders', 'order']) {
      expect(sample(result, 'probe_http_status_code', { step })?.value).toBe(200);
      expect(sample(result, 'probe_http_step_success', { step })?.value).toBe(1);
      expect(sample(result, 'probe_http_step_duration_seconds', { step })?.value).toBeGreaterThan(0);
      expect(sample(result, 'probe_http_duration_seconds', { step, phase: 'processing' })).toBeDefined();
    }
    expect(result.steps?.map((s) => [s.name, s.extracted])).toEqual([['login', ['token', 'session']], ['orders', ['order']], ['order', []]]);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(JSON.stringify(result)).not.toContain(api.issued.at(-1));
  });

  it('fails at a middle step, names it, and runs nothing after it', async () => {
    const before = api.seen.length;
    const result = await probe([login(), orders('?fail=1'), order()]);
    expect(result).toMatchObject({ success: false, reason: 'status_code' });
    expect(result.message).toMatch(/^step "orders" \(2 of 3\): /);
    expect(sample(result, 'probe_failure_info')?.labels).toEqual({ reason: 'status_code', step: 'orders' });
    expect(sample(result, 'probe_http_status_code', { step: 'orders' })?.value).toBe(503);
    expect(sample(result, 'probe_http_step_success', { step: 'login' })?.value).toBe(1);
    expect(sample(result, 'probe_http_step_success', { step: 'orders' })?.value).toBe(0);
    expect(sample(result, 'probe_http_step_success', { step: 'order' })).toBeUndefined();
    expect(api.seen.slice(before).map((c) => c.url)).toEqual(['/login', '/orders?fail=1']);
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
});
