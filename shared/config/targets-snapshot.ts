// The validated targets file as JSON, written at package time beside the probe bundle (deploy/esbuild-plugins.js
// with make-targets-snapshot.ts) so a cold start reads it with JSON.parse instead of loading the YAML parser
// and building the schema. It records the SHA-256 of the YAML text it was made from: a snapshot that does not
// match the file beside it (the file edited after packaging, another file named by TARGETS_FILE) is ignored
// and the file is parsed. It also records whether the file has RE2 patterns: validating the file loaded the
// engine for them, reading the snapshot does not, so the reader loads it.
import { createHash } from 'node:crypto';
import type { TargetsFile } from './schema.js';

/** Bumped when the shape of TargetsFile changes: a snapshot of another format is ignored. */
const FORMAT = 1;

export interface TargetsSnapshot {
  format: number;
  sha256: string;
  /** The file has RE2 patterns (the probers compile them synchronously: the engine must be loaded first). */
  regexes: boolean;
  targets: TargetsFile;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The snapshot file's text for `targets`, validated from the YAML `text`. */
export function targetsSnapshot(text: string, targets: TargetsFile, regexes: boolean): string {
  const snapshot: TargetsSnapshot = { format: FORMAT, sha256: sha256(text), regexes, targets };
  return JSON.stringify(snapshot);
}

/** The snapshot in `snapshotText` when it was made from exactly `text`, else undefined. */
export function snapshotFor(snapshotText: string, text: string): TargetsSnapshot | undefined {
  let snapshot: Partial<TargetsSnapshot>;
  try {
    snapshot = JSON.parse(snapshotText) as Partial<TargetsSnapshot>;
  } catch {
    return undefined;
  }
  if (snapshot.format !== FORMAT || snapshot.sha256 !== sha256(text) || typeof snapshot.regexes !== 'boolean' || !snapshot.targets) return undefined;
  return snapshot as TargetsSnapshot;
}
