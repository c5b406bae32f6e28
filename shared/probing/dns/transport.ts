// Sending one DNS message and reading the reply: over UDP (matching the reply by id, as a resolver does), or
// over TCP and DNS-over-TLS with the two-byte length prefix of RFC 1035 4.2.2. Timed as blackbox times it:
// `connect` is setting up the socket (and the TLS handshake), `request` the exchange after that.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as netConnect, type Socket } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { monotonicSeconds } from '../clock.js';
import type { ProbeBudget } from '../deadline.js';
import { ProbeFailure } from '../failure.js';
import { startTls } from '../tcp/socket.js';

export interface Endpoint {
  address: string;
  family: 4 | 6;
  port: number;
  sourceIp?: string;
}

export interface Exchange {
  response: Buffer;
  connectSeconds: number;
  requestSeconds: number;
}

/** One query over UDP; replies with another id (late answers to an earlier query) are ignored. */
export async function udpExchange(endpoint: Endpoint, query: Buffer, budget: ProbeBudget): Promise<Exchange> {
  const started = monotonicSeconds();
  const socket: UdpSocket = createSocket(endpoint.family === 6 ? 'udp6' : 'udp4');
  socket.on('error', () => undefined);
  try {
    await budget.race(
      new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        const connect = () => socket.connect(endpoint.port, endpoint.address, () => resolve());
        if (endpoint.sourceIp) socket.bind({ address: endpoint.sourceIp, port: 0 }, connect);
        else connect();
      }),
      false,
    );
    const connected = monotonicSeconds();
    const reply = new Promise<Buffer>((resolve, reject) => {
      socket.on('message', (message: Buffer) => {
        if (message.length >= 2 && message.readUInt16BE(0) === query.readUInt16BE(0)) resolve(message);
      });
      // A connected UDP socket learns of an ICMP port unreachable as ECONNREFUSED.
      socket.once('error', reject);
    });
    socket.send(query);
    const response = await budget.race(reply, true);
    return { response, connectSeconds: connected - started, requestSeconds: monotonicSeconds() - connected };
  } finally {
    socket.close();
  }
}

/** Reads one length-prefixed DNS message from a stream: at most 2 + 65 535 bytes are kept, whatever the peer sends. */
function readMessage(stream: Socket | TLSSocket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let wanted: number | undefined;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (wanted === undefined && received >= 2) {
        const prefix = Buffer.concat(chunks);
        chunks.length = 0;
        chunks.push(prefix);
        wanted = 2 + prefix.readUInt16BE(0);
      }
      if (wanted !== undefined && received >= wanted) {
        // Whatever follows the message (a second one, a flood) is not read: the exchange closes the socket.
        stream.off('data', onData);
        stream.pause();
        resolve(Buffer.concat(chunks, received).subarray(2, wanted));
      }
    };
    stream.on('data', onData);
    stream.once('error', reject);
    stream.once('end', () => reject(new ProbeFailure('dns_query', `server closed the connection after ${received} bytes of the reply`)));
  });
}

/** One query over TCP, or over TLS when `tls` is given (DNS over TLS, RFC 7858). */
export async function streamExchange(
  endpoint: Endpoint,
  query: Buffer,
  tls: (ConnectionOptions & { checkName: string }) | undefined,
  budget: ProbeBudget,
  onTls?: (socket: TLSSocket) => void,
): Promise<Exchange> {
  const started = monotonicSeconds();
  const socket = netConnect({ host: endpoint.address, port: endpoint.port, family: endpoint.family, ...(endpoint.sourceIp ? { localAddress: endpoint.sourceIp } : {}) });
  socket.on('error', () => undefined);
  let stream: Socket | TLSSocket = socket;
  try {
    await budget.race(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      }),
      false,
    );
    if (tls) {
      stream = await startTls(socket, tls, budget);
      onTls?.(stream as TLSSocket);
    }
    const connected = monotonicSeconds();
    const reply = readMessage(stream);
    const framed = Buffer.alloc(2 + query.length);
    framed.writeUInt16BE(query.length, 0);
    query.copy(framed, 2);
    stream.write(framed);
    const response = await budget.race(reply, true);
    return { response, connectSeconds: connected - started, requestSeconds: monotonicSeconds() - connected };
  } finally {
    stream.destroy();
    socket.destroy();
  }
}
