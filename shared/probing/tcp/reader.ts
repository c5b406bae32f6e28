// Reads a TCP/TLS peer line by line (as Go's bufio.Scanner with ScanLines, which blackbox_exporter uses for
// `expect`) or byte by byte (`expect_bytes`), from one buffer, so data that arrived with an earlier line is
// not lost. Time limits are not its business: the prober races every read against the probe budget and
// destroys the socket, which ends any pending read.
import type { Duplex } from 'node:stream';
import { ProbeFailure } from '../failure.js';

/** bufio.Scanner's default MaxScanTokenSize: a longer line fails the read instead of growing forever. */
export const MAX_LINE_BYTES = 64 * 1024;
/**
 * Unread bytes kept before the socket is paused: a peer that floods faster than the steps read (or while a
 * send waits) fills the kernel's buffers, not ours.
 */
const HIGH_WATER_BYTES = 256 * 1024;

export class SocketReader {
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  private paused = false;
  private readonly onData = (chunk: Buffer) => {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.observer?.(chunk);
    if (this.buffer.length >= HIGH_WATER_BYTES && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
    this.notify();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (err: Error) => {
    this.error ??= err;
    this.notify();
  };

  constructor(
    private readonly stream: Duplex,
    private readonly observer?: (chunk: Buffer) => void,
  ) {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
  }

  /** Stops reading from the stream (before STARTTLS hands the socket to TLS); buffered data is dropped. */
  detach(): void {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    this.stream.off('error', this.onError);
    this.buffer = Buffer.alloc(0);
  }

  /** The next line without its "\n" or "\r\n"; at end of stream a last unterminated line, then null. */
  async readLine(): Promise<string | null> {
    for (;;) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline >= 0) {
        const line = this.take(newline + 1).subarray(0, newline);
        return dropCarriageReturn(line).toString('utf8');
      }
      if (this.buffer.length > MAX_LINE_BYTES) {
        throw new ProbeFailure('expect', `peer sent a line longer than ${MAX_LINE_BYTES} bytes`);
      }
      if (this.error) throw this.error;
      if (this.ended) {
        if (this.buffer.length === 0) return null;
        return dropCarriageReturn(this.take(this.buffer.length)).toString('utf8');
      }
      await this.nextEvent();
    }
  }

  /** Exactly `count` bytes, or fewer if the stream ends first. */
  async readBytes(count: number): Promise<Buffer> {
    for (;;) {
      if (this.buffer.length >= count) return this.take(count);
      if (this.error) throw this.error;
      if (this.ended) return this.take(this.buffer.length);
      this.resume();
      await this.nextEvent();
    }
  }

  private take(count: number): Buffer {
    const head = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(count);
    if (this.buffer.length < HIGH_WATER_BYTES) this.resume();
    return head;
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.stream.resume();
  }

  private nextEvent(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function dropCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
}
