// Loopback servers that answer the way an attacker's (or a broken) endpoint does: floods, bombs, endless
// streams, oversized heads. Every flood honours the socket's backpressure, so the test process holds a
// chunk at a time however long the prober keeps reading; each server closes what it opened.
import http2 from 'node:http2';
import net from 'node:net';
import { brotliCompressSync, constants as zlibConstants, deflateSync, gzipSync } from 'node:zlib';

export interface Closable {
  close(): Promise<void>;
}

/** Writes what `next` returns until it returns undefined (then ends) or the peer goes away. */
export function flood(stream: net.Socket | http2.ServerHttp2Stream, next: () => Buffer | string | undefined): void {
  const pump = (): void => {
    while (!stream.destroyed && stream.writable) {
      const chunk = next();
      if (chunk === undefined) {
        stream.end();
        return;
      }
      if (!stream.write(chunk)) {
        stream.once('drain', pump);
        return;
      }
    }
  };
  stream.on('error', () => undefined);
  pump();
}

/** Writes `chunk` every `everyMs` until the peer goes away. */
export function drip(socket: net.Socket, chunk: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else socket.write(chunk);
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}

function tracked<T extends net.Server | http2.Http2Server | http2.Http2SecureServer>(server: T): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        close: () => {
          for (const socket of sockets) socket.destroy();
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}

/** A raw TCP server: `onRequest` gets the socket once the request head (up to the blank line) is in. */
export function rawHttpServer(onRequest: (path: string, socket: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      // Keep reading (and discarding) so the server notices the prober closing.
      socket.resume();
      onRequest(head.split(' ')[1] ?? '/', socket);
    };
    socket.on('data', onData);
  });
  return tracked(server);
}

/** A 16 MiB run of zeros, gzip-compressed (~16 KiB): sent again and again it never ends (a multi-member gzip). */
export const GZIP_MEMBER = gzipSync(Buffer.alloc(16 * 1024 * 1024));
/** 64 MiB of zeros as one raw-deflate and one zlib-wrapped stream, and as brotli: far past any body limit. */
export const DEFLATE_BOMB = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
export const BROTLI_BOMB = brotliCompressSync(Buffer.alloc(64 * 1024 * 1024), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } });

/** A plain gRPC (h2c) server whose Health/Check answer is written by `respond`. */
export function rawGrpcServer(respond: (stream: http2.ServerHttp2Stream) => void): Promise<{ port: number; close(): Promise<void> }> {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    // Read the request, then answer.
    stream.resume();
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    respond(stream);
  });
  server.on('sessionError', () => undefined);
  return tracked(server);
}

/** A framed HealthCheckResponse { status: SERVING }. */
export const SERVING_MESSAGE = Buffer.from([0, 0, 0, 0, 2, 0x08, 0x01]);

function pgMessage(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/**
 * A PostgreSQL server (wire protocol 3) that lets anyone in and answers every query with `rows`: endless
 * 1 KiB rows, or one row that declares a 1 GiB value and then sends it slowly forever.
 */
export function hostilePostgresServer(rows: 'endless' | 'huge-row'): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let started = false;
    socket.on('data', (data: Buffer) => {
      if (!started) {
        started = true;
        const auth = Buffer.alloc(4);
        const ready = Buffer.from('I');
        socket.write(Buffer.concat([pgMessage('R', auth), pgMessage('S', Buffer.from('server_version\u000015.0\u0000')), pgMessage('Z', ready)]));
        return;
      }
      if (data[0] !== 0x51) return; // only 'Q' is answered
      const field = Buffer.concat([Buffer.from('value\u0000'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0])]);
      socket.write(pgMessage('T', Buffer.concat([Buffer.from([0, 1]), field])));
      if (rows === 'endless') {
        const value = Buffer.alloc(1024, 0x61);
        const columns = Buffer.alloc(6);
        columns.writeUInt16BE(1, 0);
        columns.writeUInt32BE(value.length, 2);
        const row = pgMessage('D', Buffer.concat([columns, value]));
        flood(socket, () => row);
      } else {
        const head = Buffer.alloc(5 + 6);
        head.write('D', 0);
        head.writeUInt32BE(4 + 6 + 0x40000000, 1);
        head.writeUInt16BE(1, 5);
        head.writeUInt32BE(0x40000000, 7);
        socket.write(head);
        const chunk = Buffer.alloc(64 * 1024, 0x62);
        flood(socket, () => chunk);
      }
    });
  });
  return tracked(server);
}

/** A DNS-over-TCP server whose every answer is a full-length (65 535 byte) message that does not decode, then more. */
export function garbageDnsTcpServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      const message = Buffer.alloc(2 + 65535);
      message.writeUInt16BE(65535, 0);
      message.writeUInt16BE(0x8180, 4); // a response, NOERROR
      message.writeUInt16BE(0xffff, 6); // 65 535 questions that are not there
      socket.write(message);
      const more = Buffer.alloc(64 * 1024, 0xc0);
      flood(socket, () => more);
    });
  });
  return tracked(server);
}

export function tcpFloodServer(next: () => Buffer | string | undefined): Promise<{ port: number; close(): Promise<void> }> {
  return tracked(
    net.createServer((socket) => {
      socket.resume();
      flood(socket, next);
    }),
  );
}
