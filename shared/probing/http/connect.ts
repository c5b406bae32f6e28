// Opening a hop's connection ourselves so each step can be timed the way
// blackbox's httptrace does: name resolution, TCP connect, TLS handshake, connection handed over.
import net from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { monotonicSeconds } from '../clock.js';
import type { ProbeBudget } from '../deadline.js';
import { classifyError, ProbeFailure } from '../failure.js';
import type { Resolved } from '../resolve.js';
import { assertVerified, contextAnchors, readTlsInfo } from '../tls.js';
import { connectTls } from '../tls-peer.js';
import type { TlsInfo } from '../types.js';

/** Node TLS options plus the name to verify (from buildTlsOptions). */
export type HopTlsOptions = ConnectionOptions & { servername?: string; checkName: string };

/** Monotonic timestamps (seconds) of one hop; undefined where the hop did not get that far. */
export interface HopTrace {
  resolveSeconds: number;
  resolved?: number;
  connected?: number;
  tlsDone?: number;
  gotConn?: number;
  firstByte?: number;
  end?: number;
}

export interface ConnectTarget {
  hostname: string;
  port: number;
  /** TLS options when the hop is https. */
  tls: HopTlsOptions | undefined;
  insecureSkipVerify: boolean;
  resolve: (hostname: string) => Promise<Resolved>;
  budget: ProbeBudget;
}

function waitFor(socket: net.Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      socket.off(event, onEvent);
      socket.off('close', onClose);
      reject(err);
    };
    const onClose = () => onError(Object.assign(new Error('socket closed'), { code: 'ECONNRESET' }));
    const onEvent = () => {
      socket.off('error', onError);
      socket.off('close', onClose);
      resolve();
    };
    socket.once(event, onEvent);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

/** One hop's connection: what it reached and the socket in flight (to destroy when the budget runs out). */
export class HopConnection {
  readonly trace: HopTrace = { resolveSeconds: 0 };
  resolved: Resolved | undefined;
  tls: TlsInfo | undefined;
  /** The ALPN protocol the TLS server chose ("h2", "http/1.1"), when any. */
  alpn: string | undefined;
  /** TCP established: a timeout from here on is "timeout", before it "connect_timeout". */
  connected = false;
  private socket: net.Socket | undefined;
  private handedOver = false;

  constructor(private readonly target: ConnectTarget) {}

  /** Resolves, connects and (for https) handshakes; errors are ProbeFailures with the reason decided here. */
  async open(): Promise<net.Socket | TLSSocket> {
    const { target, trace } = this;
    try {
      this.resolved = await target.resolve(target.hostname);
      trace.resolveSeconds = this.resolved.seconds;
      trace.resolved = monotonicSeconds();
      target.budget.throwIfAborted(false);
      const raw = net.connect({ host: this.resolved.address, port: target.port, family: this.resolved.family, noDelay: true });
      this.socket = raw;
      await waitFor(raw, 'connect').catch((err: unknown) => {
        throw this.failure(err, 'connect');
      });
      trace.connected = monotonicSeconds();
      this.connected = true;
      if (!target.tls) {
        trace.gotConn = trace.connected;
        return raw;
      }
      const { checkName, ...options } = target.tls;
      // `host` is the name Node checks the certificate against when there is no SNI (an IP address).
      const anchors = contextAnchors(options.secureContext);
      const secure = connectTls({ ...options, host: checkName, socket: raw }, anchors);
      this.socket = secure;
      raw.on('error', (err) => secure.destroy(err));
      await waitFor(secure, 'secureConnect').catch((err: unknown) => {
        throw this.failure(err, 'tls');
      });
      trace.tlsDone = monotonicSeconds();
      this.tls = readTlsInfo(secure, anchors);
      this.alpn = secure.alpnProtocol || undefined;
      assertVerified(this.tls, target.insecureSkipVerify);
      trace.gotConn = monotonicSeconds();
      return secure;
    } catch (err) {
      this.socket?.destroy();
      throw err instanceof ProbeFailure ? err : this.failure(err, 'connect');
    }
  }

  /** The socket now belongs to the hop's exchange, which closes it. */
  handOver(): void {
    this.handedOver = true;
  }

  /** Closes a connection still being opened (the exchange closes the ones it owns). */
  abort(reason: Error): void {
    if (!this.handedOver) this.socket?.destroy(reason);
  }

  private failure(err: unknown, stage: 'connect' | 'tls'): ProbeFailure {
    if (this.target.budget.aborted) return this.target.budget.failure(this.connected);
    const { reason, message } = classifyError(err, stage);
    return new ProbeFailure(reason, message);
  }
}
