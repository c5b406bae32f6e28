// The spool keeps batches VictoriaMetrics did not take, so none is lost: an SQS queue in AWS (with a file
// spool in the container's /tmp behind it), a directory locally. Entries are gzip-compressed exposition text
// whose samples carry their original timestamps, so replaying one later writes exactly what the failed run
// measured. Every operation may fail (SQS denied or unreachable, a full disk): callers contain that
// (run-spool.ts), a spool never decides what a run does about it.

export interface SpoolEntry {
  id: string;
  createdMs: number;
  samples: number;
  payload: Buffer;
  /** Removes the entry once VictoriaMetrics took it. */
  ack(options?: SpoolCallOptions): Promise<void>;
  /** Sets aside an entry VictoriaMetrics refuses (400/422): a dead-letter directory locally, the DLQ in AWS. */
  reject(options?: SpoolCallOptions): Promise<void>;
}

export interface NewSpoolEntry {
  createdMs: number;
  samples: number;
  payload: Buffer;
}

/** A signal that abandons the call (the run's deadline). */
export interface SpoolCallOptions {
  signal?: AbortSignal;
}

export interface Spool {
  put(entry: NewSpoolEntry, options?: SpoolCallOptions): Promise<void>;
  /** Up to `limit` entries, oldest first. */
  take(limit: number, options?: SpoolCallOptions): Promise<SpoolEntry[]>;
  /** How many entries wait (approximate for SQS). */
  depth(options?: SpoolCallOptions): Promise<number>;
  /**
   * Keeps samples VictoriaMetrics refuses (400/422) where an operator finds them, apart from the batches
   * waiting for replay: the dead-letter directory or queue. Optional: without it they are logged only.
   */
  deadLetter?(entry: NewSpoolEntry, options?: SpoolCallOptions): Promise<void>;
}
