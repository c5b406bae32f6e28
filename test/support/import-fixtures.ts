// The import fixtures (test/fixtures/import/*) name hosts under .example, never contacted. The tests copy a
// fixture to a temporary directory with every host:port replaced by a loopback server that behaves as
// that endpoint would (up, down, 404, auth, NXDOMAIN, NOT_SERVING…), so blackbox_exporter, Prometheus and
// Periscope probe the same local servers. DNS servers are dnsmasq (the resolver) and a scripted server (the
// zone's name server, also over TLS); gRPC servers are health servers, one over TLS with a test CA whose
// certificate replaces the fixtures' /etc/blackbox/internal-ca.pem.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCa } from './certs.js';
import { startDnsmasq, startScriptedDns, type Answer, type Reply } from './dns-servers.js';
import { startGrpcHealthServer } from './grpc-servers.js';
import { readBody, startHttpServer, startTcpServer } from './http-servers.js';
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

const ZONE = 'svc.internal';
const soa: Answer = {
  name: ZONE,
  type: 'SOA',
  ttl: 3600,
  data: { mname: `ns1.${ZONE}`, rname: `hostmaster.${ZONE}`, serial: 2026120201, refresh: 7200, retry: 900, expire: 1209600, minimum: 300 },
};

/** The internal zone's name server: SOA with its NS records and glue; any other name in it is NXDOMAIN. */
function zoneServer(question: { name: string; type: string }): Reply {
  const name = question.name.toLowerCase();
  if (name === ZONE && question.type === 'SOA') {
    return {
      answers: [soa],
      authorities: [1, 2].map((n): Answer => ({ name: ZONE, type: 'NS', ttl: 3600, data: `ns${n}.${ZONE}` })),
      additionals: [1, 2].map((n): Answer => ({ name: `ns${n}.${ZONE}`, type: 'A', ttl: 3600, data: `10.0.0.${n}` })),
    };
  }
  return name.endsWith(ZONE) ? { rcode: 'NXDOMAIN', authorities: [soa] } : { rcode: 'REFUSED' };
}

/** The fixtures' CA file path, replaced by the test CA's. */
const FIXTURE_CA_FILE = '/etc/blackbox/internal-ca.pem';

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
// ns2 (the zone's secondary) and down-grpc are down: nothing listens there.
const CLOSED_HOSTS = ['closed.example:9', 'payments-db.example:5432', 'ns2.example:53', 'down-grpc.example:50051'];

export async function startFixtureRig(): Promise<FixtureRig> {
  const servers: Array<{ close(): Promise<void> }> = [];
  const hosts: Record<string, string> = {};
  const dirs: string[] = [];
  const certDir = await mkdtemp(join(tmpdir(), 'periscope-import-ca-'));
  dirs.push(certDir);
  const ca = await TestCa.create('Platform Internal CA');
  const caFile = join(certDir, 'internal-ca.pem');
  await writeFile(caFile, ca.certPem);
  const leaf = await ca.issue({ dnsNames: [`ns1.${ZONE}`, 'localhost'], ipAddresses: ['127.0.0.1'] });

  const resolver = await startDnsmasq(['--address=/orders.svc.internal/10.1.2.3', `--local=/${ZONE}/`]);
  servers.push({ close: () => resolver.stop() });
  hosts['resolver.example'] = resolver.address;
  // By name, so the two targets of one job keep distinct instances (and the server's name gets resolved).
  hosts['resolver.example:53'] = `localhost:${resolver.port}`;
  const ns1 = await startScriptedDns(zoneServer, { cert: leaf.certPem, key: leaf.keyPem });
  servers.push(ns1);
  hosts['ns1.example:53'] = ns1.address;
  hosts['ns1.example:853'] = ns1.tlsAddress ?? '';
  const grpcServers = {
    'orders-grpc.example:50051': await startGrpcHealthServer({ statuses: { '': 'SERVING', 'orders.v1.Orders': 'SERVING' } }),
    'billing-grpc.example:50051': await startGrpcHealthServer({ statuses: { '': 'SERVING', 'billing.v1.Billing': 'NOT_SERVING' } }),
    'secure-grpc.example:50443': await startGrpcHealthServer({ statuses: { '': 'SERVING' }, tls: leaf }),
  };
  for (const [host, server] of Object.entries(grpcServers)) {
    servers.push(server);
    hosts[host] = server.address;
  }

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
  const rewrite = (text: string): string => patterns.reduce((out, [from, to]) => out.replace(from, to), text).replaceAll(FIXTURE_CA_FILE, caFile);
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
