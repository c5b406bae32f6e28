// Opening the TCP connection and putting TLS on it (from the start or after STARTTLS), each raced against
// the probe budget. The TLS handshake never rejects a certificate itself: the caller judges verification
// afterwards, so certificate metrics are known even when the certificate is bad.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { ProbeBudget } from '../deadline.js';

export async function connectTcp(address: string, family: 4 | 6, port: number, budget: ProbeBudget): Promise<Socket> {
  const socket = netConnect({ host: address, port, family });
  // Errors after the connect are read through the SocketReader; this keeps a late one from being unhandled.
  socket.on('error', () => undefined);
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  try {
    await budget.race(connected, false);
    return socket;
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/**
 * Starts TLS on a connected socket. `checkName` is the name the certificate is checked against (Node
 * checks `servername`, else `host`; servername is unset for IP addresses, so host carries it).
 */
export async function startTls(
  socket: Socket,
  options: ConnectionOptions & { checkName: string },
  budget: ProbeBudget,
): Promise<TLSSocket> {
  const { checkName, ...tlsOptions } = options;
  const secure = tlsConnect({ ...tlsOptions, socket, host: checkName });
  secure.on('error', () => undefined);
  const handshake = new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
    // A peer that closes during the handshake emits no error on every Node version.
    secure.once('close', () => reject(Object.assign(new Error('connection closed during TLS handshake'), { code: 'ECONNRESET' })));
  });
  try {
    await budget.race(handshake, true);
    return secure;
  } catch (err) {
    secure.destroy();
    throw err;
  }
}

/** Writes and waits until the data is handed to the kernel (or the write fails). */
export function writeAll(stream: Socket | TLSSocket, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, 'utf8', (err) => (err ? reject(err) : resolve()));
  });
}
