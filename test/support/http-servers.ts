// Local servers for the HTTP prober tests: plain HTTP, HTTPS and raw TCP on 127.0.0.1, each tracking its
// sockets so a test can assert the prober closed its connection, and close() leaves nothing open.
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:43121 */
  url: string;
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections accepted and since closed. */
  readonly closed: number;
  /** Resolves once every accepted connection has closed (or after timeoutMs, with false). */
  allClosed(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

type Listener = http.Server | https.Server | http2.Http2SecureServer | net.Server;

function track(server: Listener, scheme: string): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let closed = 0;
  const waiters: Array<() => void> = [];
  const onSocket = (socket: net.Socket): void => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      closed += 1;
      sockets.delete(socket);
      if (sockets.size === 0) waiters.splice(0).forEach((wake) => wake());
    });
  };
  // For TLS servers the raw TCP connection is what the prober opens and must close.
  server.on('connection', onSocket);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        url: `${scheme}://127.0.0.1:${address.port}`,
        port: address.port,
        get accepted() {
          return accepted;
        },
        get closed() {
          return closed;
        },
        allClosed(timeoutMs = 2000) {
          if (sockets.size === 0) return Promise.resolve(true);
          return new Promise<boolean>((done) => {
            const timer = setTimeout(() => done(false), timeoutMs);
            waiters.push(() => {
              clearTimeout(timer);
              done(true);
            });
          });
        },
        close() {
          for (const socket of sockets) socket.destroy();
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}

export function startHttpServer(handler: http.RequestListener): Promise<TestServer> {
  return track(http.createServer(handler), 'http');
}

export interface HttpsServerOptions {
  certPem: string;
  keyPem: string;
  /** Ask for a client certificate, verified against this CA (the handler sees socket.authorized). */
  requestCert?: boolean;
  clientCaPem?: string;
}

export function startHttpsServer(handler: http.RequestListener, options: HttpsServerOptions): Promise<TestServer> {
  const server = https.createServer(
    {
      cert: options.certPem,
      key: options.keyPem,
      ...(options.requestCert ? { requestCert: true, rejectUnauthorized: false, ca: options.clientCaPem } : {}),
    },
    handler,
  );
  // A failed handshake (the prober rejecting the certificate) is expected here, not a test error.
  server.on('tlsClientError', () => {});
  return track(server, 'https');
}

/** HTTPS that negotiates HTTP/2 by ALPN and still serves HTTP/1.1 clients. */
export function startHttp2Server(
  handler: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  options: HttpsServerOptions,
): Promise<TestServer> {
  const server = http2.createSecureServer({ cert: options.certPem, key: options.keyPem, allowHTTP1: true }, handler);
  server.on('tlsClientError', () => {});
  return track(server, 'https');
}

/**
 * A server that speaks raw TCP: for peers that hang, trickle, reset or never answer. Its sockets are kept
 * flowing (so it notices the prober closing even when it never reads): attach 'data' listeners at once.
 */
export function startTcpServer(onConnection: (socket: net.Socket) => void): Promise<TestServer> {
  return track(
    net.createServer((socket) => {
      onConnection(socket);
      socket.resume();
    }),
    'http',
  );
}

/** Reads a request body to the end. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
