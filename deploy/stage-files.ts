// The stage's files as `sls package` checks them, with the code the Lambdas run on them: the targets file
// as the probe and the status page parse it (shared/config), the alerting rules — inline `rules:`, the files
// `rule_files:` names, their annotation and label templates, the `alerting:` settings — as the anomaly check
// loads them (shared/alerting/load-rules.ts). A file the Lambdas would reject fails the packaging instead.
// Loaded by deploy/targets.js through tsx (osls runs plain JavaScript), all in one module graph.
import { isNotFound, readProblem } from '../shared/config/read-text.js';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { expandRuleFiles, loadAlertingConfig } from '../shared/alerting/load-rules.js';
import { ConfigError, parseTargetsFile, withRegexEngine, type TargetsFile } from '../shared/config/index.js';
import { shardCount } from '../shared/pipeline/shards.js';

export interface StageFiles {
  targets: TargetsFile;
  /** Invocations per group (shared/pipeline/shards.ts): one schedule each. */
  shards: number[];
  /** Rule groups the anomaly check would evaluate (inline and from rule files). */
  ruleGroups: number;
}

/** A stage file the Lambdas would reject; the message names file, field and problem, for people. */
export class StageFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageFileError';
  }
}

/**
 * Reads and validates the targets file at `file` (as given in params.targetsFile: relative to the service
 * directory, or absolute) and the alerting configuration it carries or names.
 */
export async function loadStageFiles(serviceDir: string, file: string): Promise<StageFiles> {
  const path = resolve(serviceDir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new StageFileError(`${file}: ${readProblem(err)}${isNotFound(err) ? ' (params.targetsFile of this stage)' : ''}`);
  }
  let targets: TargetsFile;
  try {
    targets = await withRegexEngine(() => parseTargetsFile(text, file));
  } catch (err) {
    if (err instanceof ConfigError) throw new StageFileError(`invalid targets file:\n${err.message}`);
    throw err;
  }
  let ruleGroups: number;
  try {
    // The path is the one rule_files are relative to; messages name files relative to the service.
    ruleGroups = (await loadAlertingConfig(targets, path)).groups.length;
  } catch (err) {
    if (err instanceof ConfigError) {
      const shown = err.file === path ? file : shownPath(serviceDir, err.file);
      throw new StageFileError(`invalid alerting rules (the anomaly check would refuse them):\n${new ConfigError(shown, err.problems).message}`);
    }
    throw err;
  }
  await checkRuleFilesPackaged(serviceDir, file, targets);
  // The probe Lambda splits a group the same way: one invocation per shard.
  return { targets, shards: targets.groups.map((group) => shardCount(targets, group)), ruleGroups };
}

/** What the functions that read the targets file package of it (package.patterns in serverless.yml). */
const PACKAGED_DIR = 'targets';

/**
 * A rule file outside targets/ validates here but is not in the Lambda's package: the anomaly check would
 * not find it. Checked for targets files inside targets/ (a file elsewhere is a local experiment).
 */
async function checkRuleFilesPackaged(serviceDir: string, file: string, targets: TargetsFile): Promise<void> {
  const packaged = resolve(serviceDir, PACKAGED_DIR);
  const path = resolve(serviceDir, file);
  if (!isInside(packaged, path)) return;
  for (const [index, pattern] of targets.rule_files.entries()) {
    for (const ruleFile of await expandRuleFiles([pattern], dirname(path))) {
      if (!isInside(packaged, ruleFile)) {
        throw new StageFileError(`${file}: rule_files[${index}]: ${pattern} is outside ${PACKAGED_DIR}/, the only directory the Lambdas' packages hold (package.patterns in serverless.yml); move it under ${PACKAGED_DIR}/`);
      }
    }
  }
}

function isInside(dir: string, path: string): boolean {
  const inside = relative(dir, path);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

/** A path inside the service as the user wrote it (targets/rules/x.yml), anything else as it is. */
function shownPath(serviceDir: string, path: string): string {
  return isInside(serviceDir, path) ? relative(serviceDir, path) : path;
}
