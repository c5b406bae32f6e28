// Package time: the snapshot of a targets file (targets-snapshot.ts), validated exactly as the Lambda would.
import { compilesRegexes, withRegexEngine } from '../regex/index.js';
import { parseTargetsFile } from './load.js';
import { targetsSnapshot } from './targets-snapshot.js';

/** Validates the YAML `text` of `file` (ConfigError when invalid) and returns its snapshot's text. */
export async function makeTargetsSnapshot(text: string, file: string): Promise<string> {
  const targets = await withRegexEngine(() => parseTargetsFile(text, file));
  return targetsSnapshot(text, targets, compilesRegexes(() => parseTargetsFile(text, file)));
}
