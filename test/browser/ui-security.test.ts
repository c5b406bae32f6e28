// The UI server under requests a hostile page or a stray client can send: a request target that is not a URL
// (`GET //[`, `GET http://[`) once killed `periscope ui` and with it `periscope run`; a Host header naming
// another site (DNS rebinding) was answered. The real `periscope ui` runs as a child process; raw requests
// go over a socket (fetch cannot send these), and the process must still be up and answering afterwards.
import net from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyCatalog } from '../../shared/reporting/index.js';
import type { MetricsReader } from '../../shared/reporting/vm-reader.js';
import { startUiServer } from '../../shared/ui/index.js';
import { CONTENT_SECURITY_POLICY, hostAllowed, requestUrl } from '../../shared/ui/request-guard.js';
import { launchBrowser, watchedPage } from '../support/browser.js';
import { freePort } from '../support/ports.js';
import { startProcess, type ManagedProcess } from '../support/processes.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
let ui: ManagedProcess;
let port: number;

/** Sends `head` as written (plus a blank line) and returns the status line and headers of the answer. */
function raw(head: string): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  return new Promise((done, fail) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(head)}`)));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', fail);
    socket.on('close', () => {
      const [top = '', ...lines] = text.split('\r\n\r\n')[0]?.split('\r\n') ?? [];
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      done({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(top)?.[1] ?? 0), headers, text });
    });
    socket.write(`${head}\r\nconnection: close\r\n\r\n`);
  });
}

beforeAll(async () => {
  port = await freePort();
  const closed = await freePort();
  // Nothing listens at the VictoriaMetrics URL: pages answer 502, /healthz answers from the UI itself.
  ui = startProcess(process.execPath, [join(ROOT, 'bin/periscope.js'), 'ui', '--vm-url', `http://127.0.0.1:${closed}`, '--listen', `127.0.0.1:${port}`, '--allowed-hosts', 'periscope.internal'], 'periscope ui');
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await raw(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1:${port}`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (ui.exited() || Date.now() > end) throw new Error(`periscope ui did not start:\n${ui.outputTail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  await ui?.stop();
});

describe('periscope ui under hostile requests', () => {
  it.each([
    ['GET //[ (a path that parses as an authority)', 'GET //[ HTTP/1.1', 200, 404],
    ['GET http://[ (an absolute-form target that is no URL)', 'GET http://[ HTTP/1.1', 400, 400],
    ['GET http://127.0.0.1/ (absolute form: not served)', 'GET http://127.0.0.1/healthz HTTP/1.1', 400, 400],
    ['GET //evil.example/x', 'GET //evil.example/x HTTP/1.1', 404, 404],
    ['GET /%', 'GET /% HTTP/1.1', 404, 404],
  ])('%s is answered and the process lives on', async (_title, line, low, high) => {
    const answer = await raw(`${line}\r\nhost: 127.0.0.1:${port}`);
    expect(answer.status).toBeGreaterThanOrEqual(low);
    expect(answer.status).toBeLessThanOrEqual(high);
    expect(answer.headers['x-frame-options']).toBe('DENY');
    const health = await raw(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1:${port}`);
    expect(health.status).toBe(200);
    expect(ui.exited()).toBe(false);
  });

  it('refuses a Host naming another site (DNS rebinding) with 421, answers localhost, addresses and allowed names', async () => {
    const rebound = await raw('GET /api/overview HTTP/1.1\r\nhost: attacker.example:8430');
    expect(rebound.status).toBe(421);
    expect(rebound.text).not.toContain('"targets"');
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `app.localhost:${port}`, `[::1]:${port}`, 'periscope.internal', `PERISCOPE.INTERNAL:${port}`]) {
      expect((await raw(`GET /healthz HTTP/1.1\r\nhost: ${host}`)).status, host).toBe(200);
    }
    for (const host of ['periscope.internal.attacker.example', 'localhost.attacker.example', 'bad host', '']) {
      const status = (await raw(`GET /healthz HTTP/1.1\r\nhost: ${host}`)).status;
      // Node itself refuses a malformed Host line with 400 before the handler sees it.
      expect([400, 421], host).toContain(status);
    }
    expect(ui.exited()).toBe(false);
  });

  it('sends the security headers on pages, errors and static files', async () => {
    for (const path of ['/healthz', '/', '/static/overview.js', '/nope']) {
      const answer = await raw(`GET ${path} HTTP/1.1\r\nhost: localhost:${port}`);
      expect(answer.status, path).toBeGreaterThan(0);
      expect(answer.headers['content-security-policy'], path).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers['x-frame-options'], path).toBe('DENY');
      expect(answer.headers['x-content-type-options'], path).toBe('nosniff');
      expect(answer.headers['referrer-policy'], path).toBe('no-referrer');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });

  it('answers a method other than GET and HEAD with 405, and HEAD without a body', async () => {
    const post = await raw(`POST /healthz HTTP/1.1\r\nhost: localhost:${port}\r\ncontent-length: 0`);
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await raw(`HEAD /healthz HTTP/1.1\r\nhost: localhost:${port}`);
    expect(head.status).toBe(200);
    expect(head.text.split('\r\n\r\n')[1]).toBe('');
  });
});

describe('request guard', () => {
  it('parses every origin-form target without throwing and refuses the rest', () => {
    expect(requestUrl('//[')?.pathname).toBe('//[');
    expect(requestUrl('/target?target=a&group=b')?.searchParams.get('group')).toBe('b');
    expect(requestUrl('http://[')).toBeUndefined();
    expect(requestUrl('*')).toBeUndefined();
    expect(requestUrl(undefined)?.pathname).toBe('/');
  });

  it('lets IP literals, localhost names and allowed names through', () => {
    const allowed = new Set(['ui.example']);
    expect(hostAllowed(undefined, allowed)).toBe(true);
    expect(hostAllowed('10.0.0.5:8430', allowed)).toBe(true);
    expect(hostAllowed('[fe80::1]:8430', allowed)).toBe(true);
    expect(hostAllowed('ui.example.', allowed)).toBe(true);
    expect(hostAllowed('evil.example', allowed)).toBe(false);
    expect(hostAllowed('127.0.0.1.nip.io', allowed)).toBe(false);
    expect(hostAllowed('user@localhost', allowed)).toBe(false);
  });
});

describe('the pages under their Content-Security-Policy, in chromium', () => {
  it('load without a violation, and the policy blocks inline script and other hosts', async () => {
    // No data: the pages render their empty states, which still load every script and stylesheet.
    const reader: MetricsReader = { instant: async () => [], range: async () => [], raw: async () => [] };
    const server = await startUiServer({ reader, catalog: emptyCatalog(), source: 'test' });
    const browser = await launchBrowser();
    try {
      const { page, errors } = await watchedPage(browser);
      for (const path of ['/', '/alerts', '/target?target=a&group=b&stage=c&account=d&hours=1']) {
        await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
      }
      expect(errors).toEqual([]);
      const outcome = await page.evaluate(async () => {
        // What an injected payload would try: an inline script, and a request to another host.
        const doc = (globalThis as unknown as { document: { createElement(t: string): Record<string, unknown> & { setAttribute(k: string, v: string): void }; body: { appendChild(n: unknown): void }; addEventListener(e: string, f: (ev: { violatedDirective: string }) => void): void } }).document;
        const violations: string[] = [];
        doc.addEventListener('securitypolicyviolation', (event) => violations.push(event.violatedDirective));
        const script = doc.createElement('script');
        script.textContent = 'globalThis.injected = true';
        doc.body.appendChild(script);
        const image = doc.createElement('img');
        // Another origin on loopback: were the policy missing, the request would still stay on this machine.
        image.setAttribute('src', 'http://127.0.0.2:9/x.png');
        doc.body.appendChild(image);
        await new Promise((resolve) => setTimeout(resolve, 200));
        return { injected: (globalThis as { injected?: boolean }).injected === true, violations };
      });
      expect(outcome.injected).toBe(false);
      expect(outcome.violations).toEqual(expect.arrayContaining(['script-src-elem', 'img-src']));
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
