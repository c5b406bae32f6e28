// @ts-check
// What serverless.yml needs to know about the stage being packaged: its name, its params and its validated
// targets file. Functions here receive osls' variable-resolver arguments ({ resolveVariable, … }).
import { fileURLToPath } from 'node:url';
import { DeployConfigError, groupSchedules, loadStageTargets, secretPathProblems } from './targets.js';

/**
 * What osls passes a `${file(./deploy/x.js):name}` function: resolveVariable('param:targetsFile') and the like.
 * @typedef {{ resolveVariable: (variable: string) => Promise<unknown> }} VariableResolver
 */
/**
 * A CloudFormation resource as the generated `resources:` entries write them.
 * @typedef {{ Type: string, Properties: Record<string, unknown> }} CfnResource
 */

/** The service directory: deploy/ sits in it, wherever `sls` was started from. */
export const serviceDir = fileURLToPath(new URL('..', import.meta.url));

/** Params holding secret references the Lambdas resolve. */
const SECRET_PARAMS = ['vmWritePasswordFrom', 'vmWriteTokenFrom', 'vmQueryPasswordFrom', 'vmQueryTokenFrom', 'slackWebhookFrom'];

/**
 * The stage, its targets file (validated) and each group's schedule.
 * @param {VariableResolver} resolver
 */
export async function stageTargets({ resolveVariable }) {
  const stage = String(await resolveVariable('sls:stage'));
  const file = String(await resolveVariable('param:targetsFile'));
  const key = `${stage}\0${file}`;
  let found = resolved.get(key);
  if (!found) resolved.set(key, (found = checkedStage(resolveVariable, stage, file).catch((error) => stopPackaging(error, stage, file))));
  return found;
}

/** @type {Map<string, ReturnType<typeof checkedStage>>} */
const resolved = new Map();

/**
 * @param {VariableResolver['resolveVariable']} resolveVariable
 * @param {string} stage
 * @param {string} file
 */
async function checkedStage(resolveVariable, stage, file) {
  const loaded = await loadStageTargets(serviceDir, file, stage);
  const problems = [];
  for (const name of SECRET_PARAMS) problems.push(...secretPathProblems(await resolveVariable(`param:${name}`), `params.${name}`, stage));
  if (problems.length > 0) throw new DeployConfigError(problems.join('\n'));
  return { stage, file, targets: loaded.targets, schedules: groupSchedules(loaded, file) };
}

/**
 * Every generated part of serverless.yml (schedules, their retry policies, alarms, discovery IAM) needs the
 * stage's files, and osls reports a rejection once per variable, each inside its own resolution message: the
 * same problem four times. It is printed once, alone, and packaging stops (exit 1). Anything but a
 * DeployConfigError (a bug) goes to osls as it is.
 * @param {unknown} error
 * @param {string} stage
 * @param {string} file
 * @returns {never}
 */
function stopPackaging(error, stage, file) {
  if (!(error instanceof DeployConfigError)) throw error;
  process.stderr.write(`\n✖ Stage ${stage} cannot be packaged:\n\n${error.message}\n\n(\`periscope validate --stage ${stage} ${file}\` runs these checks without packaging.)\n`);
  process.exit(1);
}
