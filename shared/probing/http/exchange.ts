// One hop of an HTTP probe: a fresh undici Client for one request on one new connection (blackbox's
// transport has keep-alives off), with our own connect hook so every phase is timed here, and the low-level
// dispatch API so the first response byte and the end of the body are timestamped as they happen.
import type { Socket } from 'node:net';
import { Client, type buildConnector, type Dispatcher } from 'undici';
import { monotonicSeconds } from '../clock.js';
import type { BodyReader } from './body.js';
import type { ResponseHeaders } from './checks.js';
import { type ConnectTarget, HopConnection, type HopTrace } from './connect.js';

export interface HopRequest {
  url: URL;
  method: string;
  /** Lower-case names; a "host" entry overrides the Host header. */
  headers: Record<string, string>;
  body: string | undefined;
}

export interface ResponseHead {
  status: number;
  headers: ResponseHeaders;
  /** "HTTP/1.1", as Go's resp.Proto. */
  version: string;
  tls: boolean;
}

/** Decides, synchronously with the head, how to read the body: a BodyReader, or undefined to stop here. */
export type OnHead = (head: ResponseHead) => BodyReader | undefined;

/** What the prober needs of a hop, whichever client carries it (http1.ts for HTTP/1.1, undici for HTTP/2). */
export interface ProbeHop {
  readonly request: HopRequest;
  readonly connection: HopConnection;
  readonly trace: HopTrace;
  head: ResponseHead | undefined;
  run(onHead: OnHead): Promise<void>;
  close(reason?: Error): void;
}

// undici's own timers stay off: the probe budget decides when a hop has taken too long.
const NO_TIMEOUT = 0;
// Go's client accepts large header blocks (big cookies, CSP); Node's 16 KiB default would fail them.
const MAX_HEADER_BYTES = 1024 * 1024;
const STOP = new Error('body not needed');
const STATUS_LINE_PREFIX = 8; // "HTTP/1.1"

function noop(): void {}

export class Hop implements ProbeHop {
  readonly connection: HopConnection;
  head: ResponseHead | undefined;
  private client: Client | undefined;
  private reader: BodyReader | undefined;
  private version: string | undefined;

  constructor(
    readonly request: HopRequest,
    target: ConnectTarget,
    private readonly allowH2: boolean,
  ) {
    this.connection = new HopConnection(target);
  }

  get trace(): HopTrace {
    return this.connection.trace;
  }

  /** Sends the request; settles when the body has been read (or not wanted), rejects on any failure. */
  run(onHead: OnHead): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        if (this.trace.firstByte !== undefined) this.trace.end ??= monotonicSeconds();
        this.close();
        if (err === undefined || err === STOP) resolve();
        else reject(err);
      };
      let reader: BodyReader | undefined;
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: noop,
        onResponseStart: (controller, status, headers) => {
          if (status < 200) return; // 1xx informational: the real head follows
          this.trace.firstByte ??= monotonicSeconds();
          const connection = this.connection;
          const version = this.version ?? (connection.tls && this.allowH2 && connection.alpn === 'h2' ? 'HTTP/2.0' : 'HTTP/1.1');
          this.head = { status, headers, version, tls: connection.tls !== undefined };
          try {
            reader = onHead(this.head);
          } catch (err) {
            // A bug in a check must fail this probe, not surface inside undici's parser.
            controller.abort(err instanceof Error ? err : new Error(String(err)));
            settle(err);
            return;
          }
          if (!reader) {
            this.trace.end = monotonicSeconds();
            controller.abort(STOP);
            settle();
            return;
          }
          this.reader = reader;
          reader.onFail = (failure) => controller.abort(failure);
          reader.onDrain = () => controller.resume();
        },
        onResponseData: (controller, chunk) => {
          if (reader && !reader.write(chunk)) controller.pause();
        },
        onResponseEnd: () => {
          if (!reader) return settle();
          reader.end().then(() => {
            this.trace.end = monotonicSeconds();
            settle();
          }, settle);
        },
        onResponseError: (_controller, err) => settle(err),
      };
      try {
        this.client = new Client(this.request.url.origin, {
          connect: (_options, callback) => this.connect(callback),
          headersTimeout: NO_TIMEOUT,
          bodyTimeout: NO_TIMEOUT,
          maxHeaderSize: MAX_HEADER_BYTES,
          allowH2: this.allowH2,
        });
        this.client.dispatch(
          {
            path: `${this.request.url.pathname}${this.request.url.search}`,
            method: this.request.method,
            headers: this.request.headers,
            body: this.request.body ?? null,
            // Connection: close, as blackbox (keep-alives disabled): one connection per request.
            reset: true,
          },
          handler,
        );
      } catch (err) {
        settle(err);
      }
    });
  }

  /** Closes the connection (in flight or owned by undici) and the body decoder. Safe to call twice. */
  close(reason?: Error): void {
    this.connection.abort(reason ?? STOP);
    this.reader?.destroy();
    const client = this.client;
    if (client && !client.destroyed) client.destroy(reason ?? null).catch(noop);
  }

  private connect(callback: buildConnector.Callback): void {
    this.connection.open().then(
      (socket) => {
        this.connection.handOver();
        callback(null, socket);
        if (this.connection.alpn !== 'h2') this.watchStatusLine(socket);
      },
      (err: Error) => callback(err, null),
    );
  }

  /**
   * Timestamps the first response byte (Go's GotFirstResponseByte) and reads the HTTP version from the
   * status line, which undici does not expose. A 'data' listener beside undici's 'readable' one sees each
   * chunk undici reads, without changing how it reads.
   */
  private watchStatusLine(socket: Socket): void {
    let prefix = '';
    const onData = (chunk: Buffer): void => {
      this.trace.firstByte ??= monotonicSeconds();
      prefix += chunk.toString('latin1', 0, Math.min(chunk.length, STATUS_LINE_PREFIX - prefix.length));
      if (prefix.length >= STATUS_LINE_PREFIX) {
        socket.off('data', onData);
        if (/^HTTP\/\d\.\d$/.test(prefix)) this.version = prefix;
      }
    };
    socket.on('data', onData);
  }
}
