// The test rig's blackbox_exporter: the real binary the differential tests use as their oracle behaves as
// test/support/blackbox.ts promises (results, debug log, CPU time, bad configs reported with its output).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlackbox, type BlackboxHandle } from '../support/blackbox.js';

describe('blackbox_exporter', () => {
  let server: Server;
  let target: string;
  let blackbox: BlackboxHandle;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/ok' ? 200 : 404;
      response.end('rig\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    target = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    blackbox = await startBlackbox(`
http_2xx:
  prober: http
  timeout: 5s
  http:
    preferred_ip_protocol: ip4
`);
  });
  afterAll(async () => {
    await blackbox?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('reports a 200 as success', async () => {
    const metrics = await blackbox.probe('http_2xx', `${target}/ok`);
    expect(metrics.get('probe_success')).toEqual([{ labels: {}, value: 1 }]);
    expect(metrics.get('probe_http_status_code')).toEqual([{ labels: {}, value: 200 }]);
  });

  it('reports a 404 as failure with its status code', async () => {
    const metrics = await blackbox.probe('http_2xx', `${target}/missing`);
    expect(metrics.get('probe_success')).toEqual([{ labels: {}, value: 0 }]);
    expect(metrics.get('probe_http_status_code')).toEqual([{ labels: {}, value: 404 }]);
  });

  it('gives its debug log', async () => {
    const text = await blackbox.probeDebug('http_2xx', `${target}/ok`);
    expect(text).toContain('Probe succeeded');
    expect(text).toContain('probe_success 1');
  });

  it('refuses an unknown module', async () => {
    await expect(blackbox.probe('nope', `${target}/ok`)).rejects.toThrow(/HTTP 400/);
  });

  it('reads its CPU time', async () => {
    const cpu = await blackbox.cpuSeconds();
    expect(Number.isFinite(cpu)).toBe(true);
    expect(cpu).toBeGreaterThanOrEqual(0);
  });

  it('starts from module entries alone and from a whole config, and reports a bad config', async () => {
    const whole = await startBlackbox('modules:\n  tcp:\n    prober: tcp\n');
    await whole.stop();
    await expect(startBlackbox('tcp:\n  prober: tcp\n  nonsense_field: 1\n')).rejects.toThrow(
      /exited before it was ready[^]*nonsense_field/,
    );
  });
});
