// The file side of `periscope import --stage X`: the Lambdas' packages hold targets/ only, so rule files that
// prometheus.yml names elsewhere are copied under the output file's directory (targets/rules/<stage>/) and the
// targets file names the copies. Planned before the import (which wants the new paths), written after it.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { expandRuleFiles } from '../shared/alerting/rules/load.js';

export interface RuleFileCopy {
  from: string;
  to: string;
}

export interface RuleFilePlan {
  /** A rule_files entry of prometheus.yml → what the targets file names instead (relative to it). */
  rulePath: (entry: string) => string[];
  copies: RuleFileCopy[];
}

function isInside(dir: string, path: string): boolean {
  const inside = relative(dir, path);
  return inside !== '' && !inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside);
}

/**
 * Where each rule file goes: a file already inside the output file's directory is named where it is; any other
 * is copied to <output dir>/rules/<stage>/<its name> (a second file of the same name gets -2, -3…).
 */
export async function planRuleFiles(entries: string[], prometheusPath: string, outputPath: string, stage: string): Promise<RuleFilePlan> {
  const outDir = dirname(outputPath);
  const copyDir = join(outDir, 'rules', stage);
  const copies: RuleFileCopy[] = [];
  const taken = new Set<string>();
  const byEntry = new Map<string, string[]>();
  for (const entry of entries) {
    const files = await expandRuleFiles([entry], dirname(prometheusPath));
    byEntry.set(
      entry,
      files.map((file) => {
        if (isInside(outDir, file)) return relative(outDir, file);
        const name = basename(file);
        const dot = name.lastIndexOf('.');
        let to = join(copyDir, name);
        for (let n = 2; taken.has(to); n++) to = join(copyDir, dot > 0 ? `${name.slice(0, dot)}-${n}${name.slice(dot)}` : `${name}-${n}`);
        taken.add(to);
        copies.push({ from: file, to });
        return relative(outDir, to);
      }),
    );
  }
  return { rulePath: (entry) => byEntry.get(entry) ?? [], copies };
}

/** Copies that would replace a different file (refused without --force). */
export async function conflictingCopies(copies: RuleFileCopy[]): Promise<RuleFileCopy[]> {
  const conflicts: RuleFileCopy[] = [];
  for (const copy of copies) {
    const existing = await readFile(copy.to, 'utf8').catch(() => undefined);
    if (existing !== undefined && existing !== (await readFile(copy.from, 'utf8'))) conflicts.push(copy);
  }
  return conflicts;
}

export async function copyRuleFiles(copies: RuleFileCopy[]): Promise<void> {
  for (const copy of copies) {
    await mkdir(dirname(copy.to), { recursive: true });
    await copyFile(copy.from, copy.to);
  }
}
