// The file side of the import: read blackbox.yml, prometheus.yml, alertmanager.yml and every file_sd file
// (resolved relative to prometheus.yml, a `*` allowed in the last path segment as Prometheus allows).
import { readProblem } from '../config/read-text.js';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, basename } from 'node:path';
import type { ImportSources } from './import-setup.js';
import { fileSdPatterns } from './scrape-jobs.js';
import { SourceFile } from './source.js';

export class ImportInputError extends Error {}

async function readSource(path: string): Promise<SourceFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ImportInputError(`${path}: ${readProblem(err)}`);
  }
  return SourceFile.parse(path, text);
}

/** The files a file_sd pattern names, sorted; a `*` may appear in the last segment only. */
async function expandPattern(pattern: string): Promise<string[]> {
  const base = basename(pattern);
  if (!base.includes('*')) return [pattern];
  const dir = dirname(pattern);
  const matcher = new RegExp(`^${base.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  return entries.filter((entry) => matcher.test(entry)).sort().map((entry) => join(dir, entry));
}

export interface SourcePaths {
  blackbox: string;
  prometheus: string;
  alertmanager?: string;
}

export async function readImportSources(paths: SourcePaths): Promise<ImportSources> {
  const [blackbox, prometheus, alertmanager] = await Promise.all([
    readSource(paths.blackbox),
    readSource(paths.prometheus),
    paths.alertmanager === undefined ? undefined : readSource(paths.alertmanager),
  ]);
  const fileSd = new Map<string, SourceFile[]>();
  const promDir = dirname(paths.prometheus);
  for (const pattern of fileSdPatterns(prometheus)) {
    const resolved = isAbsolute(pattern) ? pattern : join(promDir, pattern);
    const files = await expandPattern(resolved);
    const parsed: SourceFile[] = [];
    for (const file of files) {
      try {
        parsed.push(await readSource(file));
      } catch (err) {
        // A missing file_sd file is normal for Prometheus (it waits for it); the report says so.
        if (!(err instanceof ImportInputError)) throw err;
      }
    }
    fileSd.set(pattern, parsed);
  }
  return { blackbox, prometheus, fileSd, ...(alertmanager ? { alertmanager } : {}) };
}

/** A rule_files entry of prometheus.yml, made relative to the directory the targets file is written to. */
export function rulePathFrom(prometheusPath: string, outputPath: string): (entry: string) => string {
  return (entry) => {
    if (isAbsolute(entry)) return entry;
    return relative(dirname(outputPath), join(dirname(prometheusPath), entry)) || entry;
  };
}
