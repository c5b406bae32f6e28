// The import fixtures (test/fixtures/import/*) name hosts under .example, never contacted. The tests copy a
// fixture to a temporary directory with every host:port replaced by a loopback server that behaves as
// that endpoint would (up, down, 404, auth…), so blackbox_exporter, Prometheus and Periscope probe the same
// local servers.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBody, startHttpServer, startTcpServer, type TestServer } from './http-servers.js';
import { freePort } from './ports.js';

export const ADMIN_PASSWORD = 'compose-admin-password';

function reply(res: http.ServerResponse, status: number, body = '', type = 'text/plain'): void {
  res.writeHead(status, { 'content-type': type }).end(body);
}

/** One handler for every fixture host: the path decides the answer. */
async function handle(req: http.IncomingMessage, res: http.ServerResponse, host: string): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  await readBody(req);
  if (host === 'admin') {
    const expected = `Basic ${Buffer.from(`monitor:${ADMIN_PASSWORD}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return reply(res, 401, 'who are you');
    return reply(res, 200, 'admin ok');
  }
  if (path === '/missing') return reply(res, 404, 'not here');
  if (path === '/ping') return req.method === 'POST' ? reply(res, 200, '{"pong":true}', 'application/json') : reply(res, 405);
  if (path === '/status') return reply(res, 200, '{"Status": "OK"}', 'application/json');
  if (path === '/ready') return reply(res, 503, 'warming up');
  if (path === '/health') return reply(res, 204);
  return reply(res, 200, 'ok');
}

export interface FixtureRig {
  /** Fixture host:port (or host) → loopback host:port. */
  hosts: Record<string, string>;
  /** Rewrites fixture text: every fixture host replaced by its loopback server. */
  rewrite(text: string): string;
  /** A copy of the fixture directory with every file rewritten. */
  copy(fixture: string): Promise<string>;
  close(): Promise<void>;
}

const HTTP_HOSTS = ['web', 'api', 'admin', 'orders', 'payments'];
const TCP_HOSTS = ['db.example:5432', 'orders-db.example:5432'];
const CLOSED_HOSTS = ['closed.example:9', 'payments-db.example:5432'];

export async function startFixtureRig(): Promise<FixtureRig> {
  const servers: TestServer[] = [];
  const hosts: Record<string, string> = {};
  for (const host of HTTP_HOSTS) {
    const server = await startHttpServer((req, res) => void handle(req, res, host));
    servers.push(server);
    hosts[`${host}.example`] = `127.0.0.1:${server.port}`;
  }
  for (const host of TCP_HOSTS) {
    const server = await startTcpServer((socket) => socket.end());
    servers.push(server);
    hosts[host] = `127.0.0.1:${server.port}`;
  }
  for (const host of CLOSED_HOSTS) hosts[host] = `127.0.0.1:${await freePort()}`;
  const patterns = Object.entries(hosts)
    .sort(([a], [b]) => b.length - a.length)
    .map(([from, to]) => [new RegExp(`(?<![\\w.-])${from.replace(/\./g, '\\.')}(?![\\w-]|:\\d)`, 'g'), to] as const);
  const rewrite = (text: string): string => patterns.reduce((out, [from, to]) => out.replace(from, to), text);
  const dirs: string[] = [];
  return {
    hosts,
    rewrite,
    async copy(fixture) {
      const dir = await mkdtemp(join(tmpdir(), 'periscope-import-fixture-'));
      dirs.push(dir);
      await cp(fixture, dir, { recursive: true });
      const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
      for (const entry of files) {
        const path = join(entry.parentPath, entry.name);
        await writeFile(path, rewrite(await readFile(path, 'utf8')));
      }
      return dir;
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}
