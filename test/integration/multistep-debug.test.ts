// `periscope probe --debug` on a multi-step target of a targets file: every step shown, neither the password
// nor a token. The steps themselves are test/unit/multistep-probe.test.ts.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginStep, orderStep, ordersStep, ORDERS_API_PASSWORD as PASSWORD, startOrdersApi, type OrdersApi } from '../support/orders-api.js';

let api: OrdersApi;
let dir: string;
const login = () => loginStep(api.url);
const orders = () => ordersStep(api.url);
const order = () => orderStep(api.url);

beforeAll(async () => {
  api = await startOrdersApi();
  dir = await mkdtemp(join(tmpdir(), 'periscope-steps-'));
});

afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('multi-step checks from the command line', () => {
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
    for (const token of api.issued) expect(run.stdout).not.toContain(token);
  });
});
