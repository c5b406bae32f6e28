// A small local service for the local run to probe, so `npm start` shows real probes on a fresh machine
// without touching any public host: plain HTTP and HTTPS (self-signed certificate made with openssl).
//
// The certificate is valid for 90 days and renewed when fewer than 30 remain — at start, and twice a day while
// the service runs (the HTTPS server takes the new one without a restart; the probe rereads its ca_file when
// the file changes). 30 days keeps it clear of the shipped CertificateExpiringSoon rule (14 days), so the demo
// never raises a certificate alert, while the expiry column still shows a real, moving date. A new certificate
// at every start would do as well for the probes, but would change the fingerprint the UI shows at each start.
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const DAY_MS = 86_400_000;
export const DEMO_CERT_DAYS = 90;
/** Renewed when fewer days than this remain. */
export const DEMO_CERT_RENEW_DAYS = 30;
const RENEW_CHECK_MS = 12 * 3_600_000;

/** The group of targets/local.yml that fails on purpose (a missing page, a closed port). */
export const DEMO_ERRORS_GROUP = 'demo-errors';

export interface DemoService {
  httpUrl: string;
  httpsUrl: string;
  /** The self-signed certificate, usable as tls_config.ca_file. */
  certFile: string;
  /** When the certificate in use expires (ISO date). */
  certValidUntil: string;
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

interface DemoCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  notAfterMs: number;
}

/** The certificate and key in `dir` when both are readable, belong together and stay valid past `renewAfterMs`. */
async function usableCertificate(certFile: string, keyFile: string, renewAfterMs: number): Promise<DemoCertificate | undefined> {
  try {
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    const x509 = new X509Certificate(cert);
    const notAfterMs = Date.parse(x509.validTo);
    if (!(notAfterMs > renewAfterMs) || !x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    return { certFile, keyFile, cert, key, notAfterMs };
  } catch {
    return undefined; // missing, unreadable or not PEM: make a new one
  }
}

/** The demo certificate in `dir`: the one there, or a new one when it is missing or expires within 30 days. */
export async function ensureDemoCertificate(dir: string, nowMs = Date.now()): Promise<DemoCertificate> {
  const certFile = join(dir, 'demo-cert.pem');
  const keyFile = join(dir, 'demo-key.pem');
  const renewAfterMs = nowMs + DEMO_CERT_RENEW_DAYS * DAY_MS;
  const existing = await usableCertificate(certFile, keyFile, renewAfterMs);
  if (existing) return existing;
  await mkdir(dir, { recursive: true });
  // Written beside and renamed into place: a probe reading ca_file meanwhile sees the old file or the new one.
  const [newCert, newKey] = [`${certFile}.new`, `${keyFile}.new`];
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', newKey, '-out', newCert, '-days', String(DEMO_CERT_DAYS), '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  await rename(newKey, keyFile);
  await rename(newCert, certFile);
  await Promise.all([rm(newCert, { force: true }), rm(newKey, { force: true })]);
  const made = await usableCertificate(certFile, keyFile, nowMs);
  if (!made) throw new Error(`openssl wrote no usable certificate to ${certFile}`);
  return made;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // The port goes with the error, so the caller can name it (EADDRINUSE).
    server.once('error', (err: NodeJS.ErrnoException) => reject(Object.assign(err, { port })));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export async function startDemoService(options: { dataDir: string; httpPort: number; httpsPort: number }): Promise<DemoService> {
  const dir = join(options.dataDir, 'demo');
  let certificate = await ensureDemoCertificate(dir);
  const http = createHttpServer(handle);
  const https = createHttpsServer({ cert: certificate.cert, key: certificate.key }, handle);
  const closeBoth = async () => {
    http.closeAllConnections();
    https.closeAllConnections();
    await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => https.close(r))]);
  };
  let httpPort: number;
  let httpsPort: number;
  try {
    httpPort = await listen(http, options.httpPort);
    httpsPort = await listen(https, options.httpsPort);
  } catch (err) {
    await closeBoth();
    throw err;
  }
  // A run left going for months keeps a valid certificate: renewed in place, no restart.
  const renewal = setInterval(() => {
    void ensureDemoCertificate(dir)
      .then((next) => {
        if (next.cert === certificate.cert) return;
        certificate = next;
        https.setSecureContext({ cert: next.cert, key: next.key });
      })
      // The old certificate stays in use; the next check tries again.
      .catch((err: unknown) => process.stderr.write(`demo service: renewing ${certificate.certFile} failed: ${(err as Error).message}\n`));
  }, RENEW_CHECK_MS);
  renewal.unref();
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpsUrl: `https://localhost:${httpsPort}`,
    certFile: certificate.certFile,
    certValidUntil: new Date(certificate.notAfterMs).toISOString().slice(0, 10),
    close: async () => {
      clearInterval(renewal);
      await closeBoth();
    },
  };
}
