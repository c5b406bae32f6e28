// The Prometheus remote-write body (a snappy-framed protobuf WriteRequest), the one way to give
// VictoriaMetrics a staleness marker: its import APIs drop NaN, so `stale` in a test's input could not be
// written otherwise. The protobuf has three small messages and the snappy block may be all literals (it is
// sent once over loopback), so both are written here instead of pulling in a protobuf and a snappy package.

/** Prometheus' staleness marker: a NaN with this exact bit pattern. */
const STALE_HIGH = 0x7ff00000;
const STALE_LOW = 0x00000002;

export interface WriteSeries {
  /** All labels, the metric name as __name__. */
  labels: Record<string, string>;
  samples: Array<{ timestampMs: number; value: number | 'stale' }>;
}

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n; // int64 as two's complement
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function bytesField(field: number, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...varint((field << 3) | 2), ...varint(payload.length)]), payload]);
}

function sample(value: number | 'stale', timestampMs: number): Buffer {
  const double = Buffer.alloc(8);
  if (value === 'stale') {
    double.writeUInt32LE(STALE_LOW, 0);
    double.writeUInt32LE(STALE_HIGH, 4);
  } else double.writeDoubleLE(value);
  // Sample { double value = 1; int64 timestamp = 2; }
  return Buffer.concat([Buffer.from([(1 << 3) | 1]), double, Buffer.from([(2 << 3) | 0, ...varint(timestampMs)])]);
}

/** WriteRequest { repeated TimeSeries timeseries = 1 }, TimeSeries { labels = 1; samples = 2 }. */
export function encodeWriteRequest(series: readonly WriteSeries[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of series) {
    const fields: Buffer[] = [];
    for (const name of Object.keys(s.labels).sort()) {
      fields.push(bytesField(1, Buffer.concat([bytesField(1, Buffer.from(name)), bytesField(2, Buffer.from(s.labels[name] as string))])));
    }
    for (const p of s.samples) fields.push(bytesField(2, sample(p.value, p.timestampMs)));
    parts.push(bytesField(1, Buffer.concat(fields)));
  }
  return Buffer.concat(parts);
}

/** A snappy block of literals only: the length, then chunks of at most 64 KiB each tagged as a literal. */
export function snappyLiterals(raw: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from(varint(raw.length))];
  for (let i = 0; i < raw.length; i += 65_536) {
    const n = Math.min(65_536, raw.length - i);
    const tag = Buffer.alloc(3);
    tag[0] = 61 << 2; // literal, length-1 in the next two bytes
    tag.writeUInt16LE(n - 1, 1);
    parts.push(tag, raw.subarray(i, i + n));
  }
  return Buffer.concat(parts);
}
