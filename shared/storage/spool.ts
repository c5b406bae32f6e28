// The spool keeps batches VictoriaMetrics did not take, so none is lost: an SQS queue in AWS, a directory
// locally. Entries are gzip-compressed exposition text whose samples carry their original timestamps, so
// replaying one later writes exactly what the failed run measured.

export interface SpoolEntry {
  id: string;
  createdMs: number;
  samples: number;
  payload: Buffer;
  /** Removes the entry once VictoriaMetrics took it. */
  ack(): Promise<void>;
  /** Sets aside an entry VictoriaMetrics refuses (4xx): a dead-letter directory locally, the DLQ in AWS. */
  reject(): Promise<void>;
}

export interface NewSpoolEntry {
  createdMs: number;
  samples: number;
  payload: Buffer;
}

export interface Spool {
  put(entry: NewSpoolEntry): Promise<void>;
  /** Up to `limit` entries, oldest first. */
  take(limit: number): Promise<SpoolEntry[]>;
  /** How many entries wait (approximate for SQS). */
  depth(): Promise<number>;
}
