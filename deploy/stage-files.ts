// The stage's files as `sls package` checks them, with the code the Lambdas run on them: the targets file
// as the probe and the status page parse it (shared/config), the alerting rules — inline `rules:`, the files
// `rule_files:` names, their annotation and label templates, the `alerting:` settings — as the anomaly check
// loads them (shared/alerting/rules/load.ts). A file the Lambdas would reject fails the packaging instead.
// Loaded by deploy/targets.js through tsx (osls runs plain JavaScript), all in one module graph; `periscope
// validate --stage` runs the same checks (lambdaStageProblems) without packaging.
import { isNotFound, readProblem } from '../shared/config/read-text.js';
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { expandRuleFiles, loadAlertingConfig } from '../shared/alerting/rules/load.js';
import { ConfigError, formatDuration, parseTargetsFile, withRegexEngine, type ConfigProblem, type TargetsFile } from '../shared/config/index.js';
import { fileReferences } from '../shared/config/file-paths.js';
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
export async function loadStageFiles(serviceDir: string, file: string, stage?: string): Promise<StageFiles> {
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
  // Every problem at once: a file refused for two reasons should not need two packagings to find out.
  const problems = await lambdaStageProblems(serviceDir, file, targets, stage);
  if (problems.length > 0) throw new StageFileError(new ConfigError(file, problems).message);
  // The probe Lambda splits a group the same way: one invocation per shard.
  return { targets, shards: targets.groups.map((group) => shardCount(targets, group)), ruleGroups };
}

/** What the functions that read the targets file package of it (package.patterns in serverless.yml). */
export const PACKAGED_DIR = 'targets';

const MINUTE_MS = 60_000;

/**
 * What a targets file that validates still cannot do in a Lambda stage, one message per problem (file, field,
 * what to do): intervals below a minute or not whole minutes (EventBridge Scheduler rates); rule files and
 * referenced files (CA files, `file:` secrets) outside targets/, the only directory the Lambdas' packages hold,
 * or missing; with `stage`, ssm: references the stage's Lambdas may not read. The location checks apply to
 * targets files inside targets/ (a file elsewhere is a local experiment, never packaged itself).
 */
export async function lambdaStageProblems(serviceDir: string, file: string, targets: TargetsFile, stage?: string): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  targets.groups.forEach((group, index) => {
    const intervalMs = group.interval ?? targets.defaults.interval;
    const field = group.interval === undefined ? 'defaults.interval' : `groups[${index}].interval`;
    if (intervalMs < MINUTE_MS) {
      add(field, `${formatDuration(intervalMs)} is below 1 minute; Lambda schedules run at most once a minute (use 1m or more; shorter intervals only work in \`periscope run\`)`);
    } else if (intervalMs % MINUTE_MS !== 0) {
      add(field, `${formatDuration(intervalMs)} is not a whole number of minutes; EventBridge Scheduler rates are whole minutes`);
    }
  });
  const packaged = resolve(serviceDir, PACKAGED_DIR);
  const path = resolve(serviceDir, file);
  if (isInside(packaged, path)) {
    for (const [index, pattern] of targets.rule_files.entries()) {
      const outside = (await expandRuleFiles([pattern], dirname(path))).some((ruleFile) => !isInside(packaged, ruleFile));
      if (outside) add(`rule_files[${index}]`, `${pattern} is outside ${PACKAGED_DIR}/, the only directory the Lambdas' packages hold (package.patterns in serverless.yml); move it under ${PACKAGED_DIR}/`);
    }
    for (const ref of fileReferences(targets, dirname(path))) {
      const what = ref.secret ? `file:${ref.written}` : ref.written;
      if (!isInside(packaged, ref.path)) {
        add(ref.field, `${what} is outside ${PACKAGED_DIR}/, the only directory the Lambdas' packages hold; move it under ${PACKAGED_DIR}/${ref.secret ? ' (or better, make the secret an ssm: reference)' : ''}`);
      } else {
        const missing = await missingFile(ref.path);
        if (missing) add(ref.field, `${what}: ${missing}`);
      }
    }
  }
  if (stage !== undefined) problems.push(...ssmPathProblems(targets.groups, 'groups', stage));
  return problems;
}

/** Why `path` cannot be read ("file not found"), or undefined when it can. */
export async function missingFile(path: string): Promise<string | undefined> {
  try {
    await access(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return readProblem(err);
  }
}

/**
 * ssm: references outside /periscope/<stage>/, the only SSM path the stage's Lambdas may read (the same rule
 * deploy/targets.js' secretPathProblems applies to the stage's params).
 */
function ssmPathProblems(value: unknown, path: string, stage: string): ConfigProblem[] {
  const prefix = `ssm:/periscope/${stage}/`;
  if (typeof value === 'string') {
    return value.startsWith('ssm:') && !value.startsWith(prefix) ? [{ path, message: `${value} is outside ${prefix}* (the only SSM path the Lambdas may read)` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => ssmPathProblems(item, `${path}[${i}]`, stage));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => ssmPathProblems(v, `${path}.${k}`, stage));
  return [];
}

function isInside(dir: string, path: string): boolean {
  const inside = relative(dir, path);
  return inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

/** A path inside the service as the user wrote it (targets/rules/x.yml), anything else as it is. */
function shownPath(serviceDir: string, path: string): string {
  return isInside(serviceDir, path) ? relative(serviceDir, path) : path;
}
