// A small local service for the local run to probe, so `npm start` shows real probes on a fresh machine
// without touching any public host: plain HTTP and HTTPS (self-signed certificate made with openssl).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DemoService {
  httpUrl: string;
  httpsUrl: string;
  /** The self-signed certificate, usable as tls_config.ca_file. */
  certFile: string;
  close(): Promise<void>;
}

let orders = 0;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'last-modified': new Date(Date.now() - 3_600_000).toUTCString() });
    res.end(JSON.stringify(body));
  };
  switch (path) {
    case '/healthz':
      return json(200, { status: 'ok', checks: { database: 'up', queue: 'up' } });
    case '/orders':
      orders += 1 + Math.floor(Math.random() * 5);
      return json(200, { orders_created_total: orders });
    case '/slow':
      setTimeout(() => json(200, { status: 'ok', slow: true }), 250);
      return;
    case '/redirect':
      res.writeHead(302, { location: '/healthz' });
      res.end();
      return;
    default:
      return json(404, { error: 'not found' });
  }
}

async function ensureCertificate(dir: string): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, 'demo-cert.pem');
  const keyFile = join(dir, 'demo-key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    await mkdir(dir, { recursive: true });
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]);
  }
  return { certFile, keyFile };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export async function startDemoService(options: { dataDir: string; httpPort: number; httpsPort: number }): Promise<DemoService> {
  const { certFile, keyFile } = await ensureCertificate(join(options.dataDir, 'demo'));
  const http = createHttpServer(handle);
  const https = createHttpsServer({ cert: await readFile(certFile), key: await readFile(keyFile) }, handle);
  const httpPort = await listen(http, options.httpPort);
  const httpsPort = await listen(https, options.httpsPort);
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpsUrl: `https://localhost:${httpsPort}`,
    certFile,
    close: async () => {
      http.closeAllConnections();
      https.closeAllConnections();
      await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => https.close(r))]);
    },
  };
}
