// The web UI: a read-only HTTP server over VictoriaMetrics' query API (GET and HEAD only; it writes
// nothing). Pages are rendered on the server from bounded queries; the browser scripts and uPlot are served
// from the package, never from a CDN. Bound to 127.0.0.1 unless told otherwise. Every request is answered,
// whatever it holds: the handler never throws (a request that killed the UI would kill `periscope run` with
// it), the Host header is checked against DNS rebinding, and every response carries the security headers of
// request-guard.ts.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { activeAlerts, alertHistory } from '../reporting/alerts.js';
import type { Catalog } from '../reporting/catalog.js';
import { collectOverview, type OverviewFilter } from '../reporting/overview.js';
import { collectTargetDetail, type TargetRef } from '../reporting/target-detail.js';
import type { MetricsReader } from '../reporting/vm-reader.js';
import { html, page } from './html.js';
import { alertsPage, liveJson, overviewPage, targetPage, type RenderedPage } from './pages.js';
import { GROUP_BY, type GroupBy } from './render-overview.js';
import { STYLES } from './styles.js';
import { errorMessage } from '../observability/error-message.js';
import { hostAllowed, requestUrl, SECURITY_HEADERS } from './request-guard.js';

export interface UiOptions {
  reader: MetricsReader;
  catalog: Catalog;
  /** Where the data comes from, shown in the page header (credentials removed). */
  source: string;
  host?: string;
  port?: number;
  /** Host names (besides IP addresses and localhost) a browser may reach the UI by. */
  allowedHosts?: ReadonlySet<string>;
  now?: () => number;
  /** Told of a request that failed inside the UI itself (not a VictoriaMetrics error); default: stderr. */
  onError?: (err: unknown) => void;
  /** How often the pages read again in the browser (default 10 s). */
  refreshMs?: number;
}

export interface UiServer {
  url: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const STATIC: Record<string, { file: () => string; type: string }> = {
  '/static/uPlot.iife.min.js': { file: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript' },
  '/static/uPlot.min.css': { file: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css' },
  '/static/overview.js': { file: () => join(import.meta.dirname, 'browser', 'overview.js'), type: 'text/javascript' },
  '/static/target.js': { file: () => join(import.meta.dirname, 'browser', 'target.js'), type: 'text/javascript' },
  '/static/live.js': { file: () => join(import.meta.dirname, 'browser', 'live.js'), type: 'text/javascript' },
};

class BadRequest extends Error {}

const HOURS = [1, 6, 24];

function hoursParam(url: URL): number {
  const hours = Number(url.searchParams.get('hours') ?? 6);
  if (!HOURS.includes(hours)) throw new BadRequest(`hours must be one of ${HOURS.join(', ')}`);
  return hours;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store', ...extra });
  res.end(head ? undefined : body);
}

/** The last resort when answering failed half-way: end the exchange without throwing again. */
function abandon(res: ServerResponse): void {
  try {
    if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n', false);
    else res.destroy();
  } catch {
    res.destroy();
  }
}

function param(url: URL, name: string): string | undefined {
  const v = url.searchParams.get(name);
  return v === null || v === '' ? undefined : v;
}

function targetRef(url: URL): TargetRef {
  const ref = { target: param(url, 'target'), group: param(url, 'group'), stage: param(url, 'stage'), account: param(url, 'account') };
  const missing = Object.entries(ref).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length) throw new BadRequest(`missing query parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  return ref as TargetRef;
}

export function createUiHandler(options: UiOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const now = options.now ?? Date.now;
  const statics = new Map<string, Buffer>();
  const meta = () => `data: ${options.source}`;
  const deps = { reader: options.reader, catalog: options.catalog };
  // A page, or with ?live=1 its regions as JSON for the page's own refresh (live.js).
  const rendered = (r: RenderedPage, url: URL) =>
    url.searchParams.get('live') === '1'
      ? { type: 'application/json', body: liveJson(r) }
      : { type: 'text/html', body: page({ title: r.title, nav: r.nav, meta: meta(), body: r.body, scripts: r.scripts, refreshMs: options.refreshMs ?? 10_000, generatedMs: r.generatedMs }) };

  async function route(url: URL): Promise<{ status?: number; type: string; body: string | Buffer }> {
    const at = now();
    const filter: OverviewFilter = { group: param(url, 'group'), stage: param(url, 'stage'), account: param(url, 'account') };
    switch (url.pathname) {
      case '/': {
        const by = (param(url, 'by') ?? 'group') as GroupBy;
        if (!GROUP_BY.includes(by)) throw new BadRequest(`by must be one of ${GROUP_BY.join(', ')}`);
        return rendered(await overviewPage(deps, at, filter, by, param(url, 'q') ?? ''), url);
      }
      case '/target':
        return rendered(await targetPage(deps, at, targetRef(url), hoursParam(url)), url);
      case '/alerts':
        return rendered(await alertsPage(deps, at), url);
      case '/api/overview':
        return { type: 'application/json', body: JSON.stringify(await collectOverview(options.reader, options.catalog, at, filter)) };
      case '/api/alerts':
        return { type: 'application/json', body: JSON.stringify({ active: await activeAlerts(options.reader, at), history: await alertHistory(options.reader, at - 86_400_000, at) }) };
      case '/api/target':
        return { type: 'application/json', body: JSON.stringify(await collectTargetDetail(options.reader, targetRef(url), at)) };
      case '/static/style.css':
        return { type: 'text/css', body: STYLES };
      case '/healthz':
        return { type: 'text/plain', body: 'ok\n' };
      default: {
        const file = STATIC[url.pathname];
        if (!file) return { status: 404, type: 'text/html', body: page({ title: 'Not found', nav: 'overview', body: html`<h1>Not found</h1><p><a href="/">Overview</a></p>` }) };
        let content = statics.get(url.pathname);
        if (!content) statics.set(url.pathname, (content = await readFile(file.file())));
        return { type: file.type, body: content };
      }
    }
  }

  // The name the server listens on (--listen ui.internal:8430) is one it answers for.
  const allowedHosts = new Set(options.allowedHosts ?? []);
  if (options.host && isIP(options.host) === 0) allowedHosts.add(options.host.toLowerCase());
  const onError = options.onError ?? ((err: unknown) => process.stderr.write(`periscope ui: request failed: ${errorMessage(err)}\n`));

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      send(res, 405, 'text/plain', 'read-only: GET and HEAD only\n', false, { allow: 'GET, HEAD' });
      return;
    }
    if (!hostAllowed(req.headers.host, allowedHosts)) {
      // 421 Misdirected Request: this server does not answer for that name (a DNS rebinding page, or a
      // name the operator has not allowed with --allowed-hosts).
      send(res, 421, 'text/plain', 'this Periscope UI does not answer for that host name; open it by address or localhost, or start it with --allowed-hosts\n', head);
      return;
    }
    const url = requestUrl(req.url);
    if (!url) {
      send(res, 400, 'text/plain', 'bad request target\n', head);
      return;
    }
    try {
      const { status, type, body } = await route(url);
      send(res, status ?? 200, type, body, head);
    } catch (err) {
      const bad = err instanceof BadRequest;
      const message = errorMessage(err);
      const wantsJson = url.pathname.startsWith('/api/');
      const status = bad ? 400 : 502;
      if (wantsJson) send(res, status, 'application/json', JSON.stringify({ error: message }), head);
      else send(res, status, 'text/html', page({ title: 'Periscope — error', nav: 'overview', body: html`<h1>${bad ? 'Bad request' : 'Cannot read VictoriaMetrics'}</h1><p class="reason">${message}</p>` }), head);
    }
  }

  // Total: whatever a request holds or a page does, the promise resolves and the exchange ends.
  return async (req, res) => {
    try {
      await answer(req, res);
    } catch (err) {
      onError(err);
      abandon(res);
    }
  };
}

export async function startUiServer(options: UiOptions): Promise<UiServer> {
  const handler = createUiHandler(options);
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      // Later server errors (EMFILE on accept) are logged; an 'error' event without a listener ends the process.
      server.on('error', (err) => (options.onError ?? ((e: unknown) => process.stderr.write(`periscope ui: ${errorMessage(e)}\n`)))(err));
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
