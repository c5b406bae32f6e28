// Loopback targets for the benchmark, in their own process so their CPU is not counted as the prober's.
// HTTP paths: /fast (200 at once), /delay/<ms> (200 after ms), /status/<code>, /hang (never answers).
// With a certificate directory argument (bench/certs.ts wrote it) it also serves /fast over HTTPS with
// TLS 1.3 and TLS 1.2 each with an RSA and an ECDSA certificate, and a TCP port that accepts and closes.
// Prints {"http": port, "https": {...}, "tcp": port} on one line, then serves until killed.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const handler = (req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/delay/')) {
    const ms = Number(url.slice(7)) || 0;
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), ms);
    return;
  }
  if (url.startsWith('/status/')) {
    res.writeHead(Number(url.slice(8)) || 500, { 'content-type': 'text/plain' }).end('status');
    return;
  }
  if (url.startsWith('/hang')) return;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
};

const listen = (server) =>
  new Promise((resolve) => {
    server.keepAliveTimeout = 1000;
    server.maxConnections = 20_000;
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });

const ports = { http: await listen(http.createServer(handler)) };
const certDir = process.argv[2];
if (certDir) {
  ports.https = {};
  for (const key of ['rsa', 'ecdsa']) {
    for (const version of ['TLSv1.3', 'TLSv1.2']) {
      const options = { cert: readFileSync(`${certDir}/${key}.pem`), key: readFileSync(`${certDir}/${key}.key`), minVersion: version, maxVersion: version };
      ports.https[`${key}_${version === 'TLSv1.3' ? 'tls13' : 'tls12'}`] = await listen(https.createServer(options, handler));
    }
  }
  const tcp = net.createServer((socket) => socket.end());
  tcp.maxConnections = 20_000;
  ports.tcp = await new Promise((resolve) => tcp.listen(0, '127.0.0.1', () => resolve(tcp.address().port)));
}
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.on('SIGTERM', () => process.exit(0));
