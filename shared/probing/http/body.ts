// Reading a response body the way blackbox does (decompress per `compression`, then body_size_limit on the
// decompressed bytes, counting them for probe_http_uncompressed_body_length), but keeping bytes only when
// a body check or the debug excerpt needs them.
import zlib from 'node:zlib';
import type { HttpModule } from '../../config/index.js';
import { ProbeFailure } from '../failure.js';

/**
 * The most decompressed bytes a probe keeps when a body check (regexes, json_body, a step's extraction) needs
 * the body and body_size_limit is not set. blackbox has no default: an endless body or a decompression bomb
 * grew its memory without bound. A bigger body fails with body_too_large; set body_size_limit to allow more.
 */
export const DEFAULT_KEPT_BODY_LIMIT = 4 * 1024 * 1024;

export interface BodyOptions {
  compression: HttpModule['compression'];
  /** body_size_limit in bytes (after decompression); undefined for no limit. */
  limit: number | undefined;
  /** The limit is DEFAULT_KEPT_BODY_LIMIT, not the module's body_size_limit (said so in the failure). */
  defaultLimit?: boolean;
  /** How many decompressed bytes to keep: Infinity for body checks, 1 KiB for a debug excerpt, 0 otherwise. */
  keep: number;
}

/** deflate in HTTP is usually zlib-wrapped (RFC 9110), while Go's reader expects raw DEFLATE: accept both. */
function looksZlibWrapped(chunk: Buffer): boolean {
  const cmf = chunk[0];
  const flg = chunk[1];
  if (cmf === undefined || (cmf & 0x0f) !== 8 || cmf >> 4 > 7) return false;
  return flg === undefined || ((cmf << 8) | flg) % 31 === 0;
}

/**
 * Output per round trip to zlib's thread: each chunk is a turn of the event loop, so with the default 16 KiB
 * a 4 MiB body took 256 turns, seconds when the loop is busy with other probes (a bomb then ran into the
 * timeout instead of its size limit). 64 KiB: a quarter of the turns, for 48 KiB more per decoder.
 */
const DECODER_CHUNK_BYTES = 64 * 1024;

function createDecoder(compression: 'gzip' | 'deflate' | 'br', first: Buffer): zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress {
  const options = { chunkSize: DECODER_CHUNK_BYTES };
  if (compression === 'gzip') return zlib.createGunzip(options);
  if (compression === 'br') return zlib.createBrotliDecompress(options);
  return looksZlibWrapped(first) ? zlib.createInflate(options) : zlib.createInflateRaw(options);
}

export class BodyReader {
  /** Decompressed bytes read (at most the limit). */
  length = 0;
  /** Set by the exchange: stop the transfer with this failure. */
  onFail: ((failure: ProbeFailure) => void) | undefined;
  /** Set by the exchange: the decoder has room again after write() returned false. */
  onDrain: (() => void) | undefined;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private decoder: ReturnType<typeof createDecoder> | undefined;
  private failure: ProbeFailure | undefined;

  constructor(private readonly options: BodyOptions) {}

  private get compression(): 'gzip' | 'deflate' | 'br' | undefined {
    const c = this.options.compression;
    return c === 'gzip' || c === 'deflate' || c === 'br' ? c : undefined;
  }

  /** A chunk off the wire; false asks the sender to pause until onDrain. */
  write(chunk: Buffer): boolean {
    if (this.failure) return true;
    const compression = this.compression;
    if (!compression) {
      this.accept(chunk);
      return true;
    }
    if (!this.decoder) {
      const decoder = createDecoder(compression, chunk);
      decoder.on('data', (out: Buffer) => this.accept(out));
      decoder.on('error', (err: Error) => this.fail(new ProbeFailure('decompression', `body does not decompress as ${compression}: ${err.message}`)));
      decoder.on('drain', () => this.onDrain?.());
      this.decoder = decoder;
    }
    return this.decoder.write(chunk);
  }

  /** The transfer ended: resolves when the decoder has flushed, rejects with the body's failure. */
  end(): Promise<void> {
    const decoder = this.decoder;
    if (this.failure) return Promise.reject(this.failure);
    // An empty body has nothing to decompress (a HEAD or 204 must not fail compression: gzip).
    if (!decoder) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      decoder.once('end', () => (this.failure ? reject(this.failure) : resolve()));
      decoder.once('error', () => reject(this.failure));
      decoder.once('close', () => (this.failure ? reject(this.failure) : undefined));
      decoder.end();
    });
  }

  /** The kept bytes (or the first maxBytes of them) as UTF-8 text. */
  text(maxBytes = Number.POSITIVE_INFINITY): string {
    const bytes = this.kept.length === 1 ? (this.kept[0] as Buffer) : Buffer.concat(this.kept, this.keptBytes);
    return (bytes.length > maxBytes ? bytes.subarray(0, maxBytes) : bytes).toString('utf8');
  }

  destroy(): void {
    this.decoder?.destroy();
  }

  private accept(chunk: Buffer): void {
    if (this.failure) return;
    const { limit } = this.options;
    let part = chunk;
    if (limit !== undefined && this.length + chunk.length > limit) {
      part = chunk.subarray(0, limit - this.length);
    }
    this.length += part.length;
    if (this.keptBytes < this.options.keep && part.length > 0) {
      const room = this.options.keep - this.keptBytes;
      const keep = part.length > room ? part.subarray(0, room) : part;
      this.kept.push(keep);
      this.keptBytes += keep.length;
    }
    if (part !== chunk) {
      const why = this.options.defaultLimit
        ? `body is larger than ${limit} bytes, the most a body check reads when body_size_limit is not set`
        : `body is larger than body_size_limit (${limit} bytes)`;
      this.fail(new ProbeFailure('body_too_large', `${why}${this.compression ? ' (after decompression)' : ''}`));
    }
  }

  private fail(failure: ProbeFailure): void {
    if (this.failure) return;
    this.failure = failure;
    this.decoder?.destroy();
    this.onFail?.(failure);
  }
}
