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
  const loaded = await loadStageTargets(serviceDir, file);
  const problems = secretPathProblems(loaded.targets.groups, `${file}: groups`, stage);
  for (const name of SECRET_PARAMS) problems.push(...secretPathProblems(await resolveVariable(`param:${name}`), `params.${name}`, stage));
  if (problems.length > 0) throw new DeployConfigError(problems.join('\n'));
  return { stage, file, targets: loaded.targets, schedules: groupSchedules(loaded, file) };
}
