// @ts-check
// The stage's params checked at package time, so a stage that could only fail in AWS fails `sls package`
// instead, naming the stage and the param: a probe with nowhere to write (no vmWriteUrl) or no network (no
// subnets), names AWS would refuse (IAM role names over 64 characters), discovery groups whose generated
// CloudFormation logical ids collide (the second would silently replace the first's alarm).
import { DeployConfigError } from './targets.js';
/** @import { VariableResolver } from './stage.js' */

const SUBNET_RE = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_RE = /^sg-[0-9a-f]{8,17}$/;

/**
 * Every name the stack gives a resource from the stage (and region), with AWS's limit for that kind
 * (serverless.yml and deploy/*.js). IAM role names: 64; Lambda function names: 64; SQS queue names: 80;
 * DynamoDB table names: 255; CloudWatch alarm names: 255.
 * @param {string} stage
 * @param {string} region
 * @returns {Array<{ what: string, name: string, max: number }>}
 */
export function stageResourceNames(stage, region) {
  const roles = ['probe', 'anomaly-check', 'status-page', 'notify-slack'].map((fn) => ({ what: 'IAM role name', name: `periscope-${stage}-${fn}-${region}`, max: 64 }));
  const functions = ['probe', 'anomaly-check', 'status-page', 'notify-slack'].map((fn) => ({ what: 'Lambda function name', name: `periscope-${stage}-${fn}`, max: 64 }));
  const queues = ['spool', 'spool-dead-letters', 'notify-slack-dead-letters'].map((q) => ({ what: 'SQS queue name', name: `periscope-${stage}-${q}`, max: 80 }));
  return [...roles, ...functions, ...queues, { what: 'DynamoDB table name', name: `periscope-${stage}-alert-claims`, max: 255 }];
}

/**
 * A group name as a CloudFormation id part: "orders-api" → "OrdersApi" (deploy/discovery.js).
 * @param {string} group
 */
export function groupLogicalName(group) {
  return group
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Problems with the stage's params, one message each (empty: fine).
 * @param {{ stage: string, region: string, params: Record<string, unknown>, discoveryGroups: string[] }} input
 * @returns {string[]}
 */
export function stageParamProblems({ stage, region, params, discoveryGroups }) {
  const problems = [];
  /** @param {string} name */
  const at = (name) => `stage ${stage}: params.${name}`;
  /**
   * @param {string} name
   * @param {string} why
   */
  const url = (name, why) => {
    const value = String(params[name] ?? '');
    if (value === '') return `${at(name)}: is empty; ${why}`;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${at(name)}: "${parsed.protocol}" URL; VictoriaMetrics is reached over http or https`;
    } catch {
      return `${at(name)}: is not a URL`;
    }
    return undefined;
  };
  const vmWrite = url('vmWriteUrl', 'every probe run writes its samples there (the base URL of VictoriaMetrics, vminsert or vmauth)');
  if (vmWrite) problems.push(vmWrite);
  for (const [flag, what] of /** @type {const} */ ([['anomalyCheck', 'the anomaly check'], ['statusPage', 'the status page']])) {
    if (String(params[flag]) !== 'true') continue;
    const vmQuery = url('vmQueryUrl', `${what} (params.${flag}: true) reads VictoriaMetrics there`);
    if (vmQuery && !problems.includes(vmQuery)) problems.push(vmQuery);
  }
  for (const [name, re, kind] of /** @type {const} */ ([['subnetIds', SUBNET_RE, 'subnet'], ['securityGroupIds', SECURITY_GROUP_RE, 'security group']])) {
    const value = params[name];
    if (!Array.isArray(value) || value.length === 0) {
      problems.push(`${at(name)}: no ${kind} given; the Lambdas run in the stage's VPC, which needs at least one ${kind} id (docs/deploy.md, "Network")`);
      continue;
    }
    value.forEach((id, i) => {
      if (typeof id !== 'string' || !re.test(id)) problems.push(`${at(name)}[${i}]: "${String(id)}" is not a ${kind} id (${re.source})`);
    });
  }
  for (const { what, name, max } of stageResourceNames(stage, region)) {
    if (name.length > max) problems.push(`stage ${stage}: the ${what} ${name} is ${name.length} characters, over AWS's ${max}; use a stage name at most ${stage.length - (name.length - max)} characters long`);
  }
  /** @type {Map<string, string>} */
  const byLogicalName = new Map();
  for (const group of discoveryGroups) {
    const id = groupLogicalName(group);
    const other = byLogicalName.get(id);
    if (other !== undefined) problems.push(`stage ${stage}: discovery groups "${other}" and "${group}" both become "${id}" in CloudFormation logical ids (DiscoveryFailingAlarm${id}); rename one`);
    else byLogicalName.set(id, group);
  }
  return problems;
}

/**
 * Reads the params and throws a DeployConfigError listing every problem.
 * @param {VariableResolver} resolver
 * @param {string} stage
 * @param {string[]} discoveryGroups
 */
export async function checkStageParams({ resolveVariable }, stage, discoveryGroups) {
  /** @type {Record<string, unknown>} */
  const params = {};
  for (const name of ['vmWriteUrl', 'vmQueryUrl', 'subnetIds', 'securityGroupIds', 'anomalyCheck', 'statusPage']) params[name] = await resolveVariable(`param:${name}`);
  const region = String(await resolveVariable('self:provider.region'));
  const problems = stageParamProblems({ stage, region, params, discoveryGroups });
  if (problems.length > 0) throw new DeployConfigError(problems.join('\n'));
}
