// @ts-check
// IAM and alarms for groups that discover their targets in AWS, generated from the stage's targets file:
// the probe role may read exactly what the groups name (read-only), and a group whose discovery keeps
// failing alarms (it is probing its last known list). Nothing at all when no group uses discovery.
// Used by serverless.yml: `resources: - ${file(./deploy/discovery.js):probeDiscoveryResources}`.
import { stageTargets } from './stage.js';
// Collisions of these names are refused at package time (deploy/stage-params.js).
import { groupLogicalName } from './stage-params.js';
/** @import { CfnResource, VariableResolver } from './stage.js' */

/** @param {string} text */
const sub = (text) => ({ 'Fn::Sub': text });

/**
 * my-cluster or arn:aws:ecs:…:cluster/my-cluster → my-cluster
 * @param {string} cluster
 */
function clusterName(cluster) {
  return cluster.includes('/') ? cluster.slice(cluster.lastIndexOf('/') + 1) : cluster;
}


/**
 * Read-only statements for one group's discovery block (the fields read here of a validated one).
 * @param {{ name: string, discovery: { cloud_map?: { namespace: string, service: string }, ecs?: { cluster: string }, target_group?: unknown } }} group
 * @returns {Array<Record<string, unknown>>}
 */
export function discoveryStatements(group) {
  const d = group.discovery;
  const sid = groupLogicalName(group.name);
  if (d.cloud_map) {
    // DiscoverInstances has no resource ARN; its condition keys pin the namespace and the service.
    return [
      {
        Sid: `DiscoverCloudMap${sid}`,
        Effect: 'Allow',
        Action: 'servicediscovery:DiscoverInstances',
        Resource: '*',
        Condition: { StringEquals: { 'servicediscovery:NamespaceName': d.cloud_map.namespace, 'servicediscovery:ServiceName': d.cloud_map.service } },
      },
    ];
  }
  if (d.ecs) {
    const cluster = clusterName(d.ecs.cluster);
    const clusterArn = sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:cluster/${cluster}`);
    return [
      { Sid: `ListEcs${sid}`, Effect: 'Allow', Action: ['ecs:ListServices', 'ecs:ListTasks'], Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': clusterArn } } },
      { Sid: `DescribeEcsServices${sid}`, Effect: 'Allow', Action: 'ecs:DescribeServices', Resource: sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:service/${cluster}/*`) },
      { Sid: `DescribeEcsTasks${sid}`, Effect: 'Allow', Action: 'ecs:DescribeTasks', Resource: sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task/${cluster}/*`) },
    ];
  }
  // Elastic Load Balancing's Describe* actions take no resource ARN: only this one action is allowed.
  return [{ Sid: `DescribeTargetHealth${sid}`, Effect: 'Allow', Action: 'elasticloadbalancing:DescribeTargetHealth', Resource: '*' }];
}

/**
 * The probe role's discovery policy and one alarm per discovery group, or nothing.
 * @param {VariableResolver} resolver
 * @returns {Promise<{ Resources?: Record<string, CfnResource> }>}
 */
export async function probeDiscoveryResources(resolver) {
  const { stage, targets } = await stageTargets(resolver);
  const groups = targets.groups.flatMap((g) => (g.discovery ? [{ name: g.name, discovery: g.discovery }] : []));
  if (groups.length === 0) return {};
  const topicArn = await resolver.resolveVariable('self:custom.alertsTopicArn');
  /** @type {Record<string, CfnResource>} */
  const Resources = {
    ProbeDiscoveryPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'probe-discovery',
        Roles: [{ Ref: 'ProbeRole' }],
        PolicyDocument: { Version: '2012-10-17', Statement: groups.flatMap(discoveryStatements) },
      },
    },
  };
  for (const group of groups) {
    Resources[`DiscoveryFailingAlarm${groupLogicalName(group.name)}`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `periscope-${stage}-discovery-failing-${group.name}`,
        AlarmDescription: `Discovery of group ${group.name} (${stage}) failed in every run for 15 minutes: it probes its last known targets (or nothing, if none were ever found). See the probe log.`,
        Namespace: 'Periscope',
        MetricName: 'DiscoveryFailures',
        Dimensions: [{ Name: 'stage', Value: stage }, { Name: 'group', Value: group.name }],
        Statistic: 'Minimum',
        Period: 300,
        EvaluationPeriods: 3,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicArn],
        OKActions: [topicArn],
      },
    };
  }
  return { Resources };
}
