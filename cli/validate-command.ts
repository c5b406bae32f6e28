// `periscope validate [--stage NAME] FILE…`: targets files and rule files, checked as the code that runs them
// checks them, and the files they name (CA files, `file:` secrets) must be there. A targets file deployed as a
// stage — named by --stage, or the targetsFile of a stage in serverless.yml — is also checked for what
// `sls package` would refuse (deploy/stage-files.ts: intervals, rule files and referenced files outside
// targets/, ssm: paths of another stage). Exits 2 at the first file with a problem, listing all of its problems.
import { readFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { loadAlertingConfig, loadRuleFile, looksLikeRuleFile } from '../shared/alerting/rules/load.js';
import { ConfigError, parseTargetsFile, parseYaml, withRegexEngine, type ConfigProblem } from '../shared/config/index.js';
import { fileReferences } from '../shared/config/file-paths.js';
import { readConfigText } from '../shared/config/read-text.js';
import { lambdaStageProblems, missingFile } from '../deploy/stage-files.js';
import { plural } from './plural.js';
import { readServerlessStages, stageOfTargetsFile } from './serverless-params.js';

export interface ValidateFlags {
  /** Check the files as the targets file of this stage (what `sls package --stage NAME` would refuse). */
  stage?: string;
}

async function readYamlFile(file: string): Promise<unknown> {
  try {
    return parseYaml(await readFile(file, 'utf8'), file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return undefined; // unreadable: the targets file load reports it with the file named
  }
}

/** "targets/prod.yml: ok (…)" for one targets file, or a ConfigError listing its problems. */
async function validateTargetsFile(file: string, flags: ValidateFlags): Promise<string> {
  const text = await readConfigText(file);
  // As written (paths relative to the file): the checks below resolve them against the file's directory.
  const targets = await withRegexEngine(() => parseTargetsFile(text, file));
  const alerting = await loadAlertingConfig(targets, file);
  const problems: ConfigProblem[] = [];
  for (const ref of fileReferences(targets, dirname(file))) {
    const missing = await missingFile(ref.path);
    if (missing) {
      const shown = ref.secret ? `file:${ref.written}` : ref.written;
      problems.push({ path: ref.field, message: `${shown}: ${missing}${ref.written !== ref.path ? ` (${ref.path}: paths are relative to the targets file)` : ''}` });
    }
  }
  const service = await readServerlessStages(dirname(file));
  const stage = flags.stage ?? (service ? stageOfTargetsFile(service, file) : undefined);
  if (stage !== undefined) {
    // The service is where serverless.yml is (targets/ beside it); with none above the file, the working directory.
    const serviceDir = service?.serviceDir ?? process.cwd();
    for (const problem of await lambdaStageProblems(serviceDir, relative(serviceDir, file), targets, stage)) {
      // A missing file is reported above already.
      if (!problems.some((p) => p.path === problem.path)) problems.push(problem);
    }
  }
  if (problems.length > 0) {
    const why = stage !== undefined ? ` — as the targets file of stage ${stage}${flags.stage === undefined ? ' (serverless.yml)' : ''}, sls package would refuse it` : '';
    if (why) problems.push({ path: '', message: `${plural(problems.length, 'problem')}${why}` });
    throw new ConfigError(file, problems);
  }
  const targetCount = targets.groups.reduce((sum, g) => sum + g.targets.length, 0);
  const rules = alerting.groups.reduce((sum, g) => sum + g.rules.length, 0);
  const parts = [plural(targets.groups.length, 'group'), plural(targetCount, 'target')];
  if (rules) parts.push(plural(alerting.groups.length, 'rule group'), plural(rules, 'rule'));
  return `${file}: ok (${parts.join(', ')}${stage !== undefined ? `; deployable as stage ${stage}` : ''})`;
}

export async function validateCommand(files: string[], flags: ValidateFlags = {}): Promise<number> {
  for (const file of files) {
    if (looksLikeRuleFile(await readYamlFile(file))) {
      const groups = await loadRuleFile(file);
      const rules = groups.reduce((n, g) => n + g.rules.length, 0);
      process.stdout.write(`${file}: ok (rule file: ${plural(groups.length, 'rule group')}, ${plural(rules, 'rule')})\n`);
      continue;
    }
    process.stdout.write(`${await validateTargetsFile(file, flags)}\n`);
  }
  return 0;
}
