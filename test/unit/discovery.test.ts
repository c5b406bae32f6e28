// Discovery: a group's targets from Cloud Map, ECS services by tag or an ALB/NLB target group, with the AWS
// clients mocked (aws-sdk-client-mock on the real SDK clients the Lambda loads lazily) and the discovered
// endpoints real servers on 127.0.0.1. Cached for the TTL; a failing call probes the last known list and
// says so (log and self-metric); with no list known, the run fails instead of probing nothing.
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListServicesCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DiscoverInstancesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoveryStatements, probeDiscoveryResources } from '../../deploy/discovery.js';
import { ConfigError, createSecretResolver, parseTargetsFile, type GroupSpec, type TargetsFile } from '../../shared/config/index.js';
import { createLazyDiscoveryApis } from '../../shared/discovery/aws-clients.js';
import { createDiscovery, DiscoveryError } from '../../shared/discovery/index.js';
import type { Logger } from '../../shared/observability/logger.js';
import type { MetricsSink, SelfMetric } from '../../shared/observability/metrics.js';
import { runGroup } from '../../shared/pipeline/run-group.js';
import { startHttpServer, type TestServer } from '../support/http-servers.js';

const cloudMap = mockClient(ServiceDiscoveryClient);
const ecs = mockClient(ECSClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);

let api: TestServer;
let db: TestServer;

beforeAll(async () => {
  api = await startHttpServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? 200 : 404).end('ok');
  });
  db = await startHttpServer((_req, res) => res.writeHead(503).end('down'));
});
afterAll(async () => {
  await Promise.all([api.close(), db.close()]);
});
beforeEach(() => {
  cloudMap.reset();
  ecs.reset();
  elbv2.reset();
});

function recorder() {
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const metrics: Array<{ metrics: SelfMetric[]; dimensions: Record<string, string> }> = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => void logs.push({ level, message, fields });
  const logger: Logger = { info: at('info'), warn: at('warn'), error: at('error') };
  const sink: MetricsSink = {
    async put(m, dimensions) {
      metrics.push({ metrics: m, dimensions });
    },
  };
  return { logs, metrics, logger, sink };
}

function fileWith(group: Record<string, unknown>): TargetsFile {
  return parseTargetsFile(JSON.stringify({ groups: [group] }), 'targets/test.yml');
}

const cloudMapGroup = {
  name: 'orders-api',
  discovery: {
    cloud_map: { namespace: 'orders.local', service: 'api' },
    ttl: '5m',
    target: {
      name: 'api-{{instance_id}}',
      labels: { service: '{{service}}', version: '{{attr.version}}' },
      http: { url: 'http://{{address}}:{{port}}/healthz', valid_status_codes: [200] },
    },
  },
};

function cloudMapAnswer(...ports: number[]) {
  return {
    Instances: ports.map((port, i) => ({
      InstanceId: `task-${i + 1}`,
      NamespaceName: 'orders.local',
      ServiceName: 'api',
      Attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(port), version: `v${i + 1}` },
    })),
  };
}

describe('Cloud Map discovery through the probe run', () => {
  it('probes every discovered instance with the template filled in, and labels them', async () => {
    cloudMap.on(DiscoverInstancesCommand, { NamespaceName: 'orders.local', ServiceName: 'api', HealthStatus: 'HEALTHY_OR_ELSE_ALL' }).resolves(cloudMapAnswer(api.port, db.port));
    const file = fileWith(cloudMapGroup);
    const rec = recorder();
    const { summary, results } = await runGroup({
      file,
      group: file.groups[0] as GroupSpec,
      identity: { stage: 'test', account: 'local', region: 'local' },
      vm: { url: 'http://127.0.0.1:9' },
      spool: { add: async () => {}, depth: async () => 0 } as never,
      secrets: createSecretResolver(),
      metrics: rec.sink,
      logger: rec.logger,
      deadlineMs: Date.now() + 20_000,
      dryRun: true,
      discover: createDiscovery({ apis: createLazyDiscoveryApis(), logger: rec.logger, metrics: rec.sink }),
    });
    expect(results.map((r) => [r.target, r.instance, r.success])).toEqual([
      ['api-task-1', `http://127.0.0.1:${api.port}/healthz`, true],
      ['api-task-2', `http://127.0.0.1:${db.port}/healthz`, false],
    ]);
    expect([summary.targets, summary.failed]).toEqual([2, 1]);
    expect(rec.metrics[0]).toEqual({
      metrics: [
        { name: 'DiscoveredTargets', value: 2, unit: 'Count' },
        { name: 'DiscoveryFailures', value: 0, unit: 'Count', dimensions: ['stage', 'group'] },
      ],
      dimensions: { stage: 'test', group: 'orders-api' },
    });
  });
});

describe('cache, TTL and failures', () => {
  const file = fileWith(cloudMapGroup);
  const group = file.groups[0] as GroupSpec;
  const dims = { stage: 'test', group: 'orders-api' };

  it('asks AWS once per TTL, then again', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolvesOnce(cloudMapAnswer(api.port)).resolves(cloudMapAnswer(api.port, db.port));
    let now = 1_000_000;
    const rec = recorder();
    const discover = createDiscovery({ apis: createLazyDiscoveryApis(), logger: rec.logger, metrics: rec.sink, now: () => now });
    expect((await discover(group, dims)).targets.map((t) => t.name)).toEqual(['api-task-1']);
    now += 299_000;
    expect((await discover(group, dims)).targets.map((t) => t.name)).toEqual(['api-task-1']);
    expect(cloudMap.commandCalls(DiscoverInstancesCommand)).toHaveLength(1);
    now += 2_000;
    expect((await discover(group, dims)).targets.map((t) => t.name)).toEqual(['api-task-1', 'api-task-2']);
    expect(cloudMap.commandCalls(DiscoverInstancesCommand)).toHaveLength(2);
  });

  it('a failing call probes the last known list, logged and counted', async () => {
    cloudMap
      .on(DiscoverInstancesCommand)
      .resolvesOnce(cloudMapAnswer(api.port))
      .rejects(Object.assign(new Error('User is not authorized to perform: servicediscovery:DiscoverInstances'), { name: 'AccessDeniedException' }));
    let now = 0;
    const rec = recorder();
    const discover = createDiscovery({ apis: createLazyDiscoveryApis(), logger: rec.logger, metrics: rec.sink, now: () => now });
    await discover(group, dims);
    now += 600_000;
    const second = await discover(group, dims);
    expect(second.targets.map((t) => t.name)).toEqual(['api-task-1']);
    expect(rec.logs.filter((l) => l.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'discovery failed: probing the last known targets',
        fields: { group: 'orders-api', error: 'User is not authorized to perform: servicediscovery:DiscoverInstances', targets: 1, age_s: 600 },
      },
    ]);
    expect(rec.metrics.at(-1)).toEqual({ metrics: [{ name: 'DiscoveryFailures', value: 1, unit: 'Count', dimensions: ['stage', 'group'] }], dimensions: dims });
  });

  it('with no list known, a failing call fails the run (never probes nothing silently)', async () => {
    cloudMap.on(DiscoverInstancesCommand).rejects(new Error('connect ETIMEDOUT'));
    const rec = recorder();
    const discover = createDiscovery({ apis: createLazyDiscoveryApis(), logger: rec.logger, metrics: rec.sink });
    await expect(discover(group, dims)).rejects.toThrow(DiscoveryError);
    await expect(discover(group, dims)).rejects.toThrow('group orders-api: discovery failed and no earlier list is known: connect ETIMEDOUT');
    expect(rec.logs.map((l) => l.message)).toContain('discovery failed and no targets are known: nothing to probe');
    expect(rec.metrics.map((m) => m.metrics[0]?.name)).toEqual(['DiscoveryFailures', 'DiscoveryFailures']);
  });
});

describe('ECS services by tag and ALB/NLB target groups', () => {
  it('ECS: running tasks of the services with every tag, at their private IPs', async () => {
    const arn = (name: string) => `arn:aws:ecs:eu-west-1:123456789012:service/prod/${name}`;
    ecs.on(ListServicesCommand, { cluster: 'prod' }).resolvesOnce({ serviceArns: [arn('orders')], nextToken: 'page2' }).resolves({ serviceArns: [arn('billing')] });
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        { serviceName: 'orders', tags: [{ key: 'monitor', value: 'true' }, { key: 'team', value: 'orders' }] },
        { serviceName: 'billing', tags: [{ key: 'monitor', value: 'false' }] },
      ],
    });
    ecs.on(ListTasksCommand, { cluster: 'prod', serviceName: 'orders' }).resolves({ taskArns: ['arn:aws:ecs:eu-west-1:123456789012:task/prod/abc123'] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc123',
          lastStatus: 'RUNNING',
          availabilityZone: 'eu-west-1a',
          attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: '127.0.0.1' }] }],
        },
      ],
    });
    const file = fileWith({
      name: 'ecs-services',
      discovery: {
        ecs: { cluster: 'prod', tags: { monitor: 'true' }, port: api.port },
        target: { name: '{{service}}-{{task_id}}', labels: { team: '{{tag.team}}', az: '{{az}}' }, http: { url: 'http://{{address}}:{{port}}/healthz' } },
      },
    });
    const rec = recorder();
    const group = await createDiscovery({ apis: createLazyDiscoveryApis(), logger: rec.logger, metrics: rec.sink })(file.groups[0] as GroupSpec, {});
    expect(group.targets.map((t) => [t.name, t.labels, t.http?.url])).toEqual([['orders-abc123', { team: 'orders', az: 'eu-west-1a' }, `http://127.0.0.1:${api.port}/healthz`]]);
    expect(ecs.commandCalls(ListServicesCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, 'page2']);
    expect(ecs.commandCalls(DescribeServicesCommand)[0]?.args[0].input.include).toEqual(['TAGS']);
    expect(ecs.commandCalls(ListTasksCommand)[0]?.args[0].input).toEqual({ cluster: 'prod', serviceName: 'orders', desiredStatus: 'RUNNING' });
  });

  it('target group: IP targets become TCP targets; an instance target group is a named error', async () => {
    const tg = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-db/0123456789abcdef';
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: tg }).resolvesOnce({
      TargetHealthDescriptions: [{ Target: { Id: '127.0.0.1', Port: api.port, AvailabilityZone: 'eu-west-1b' }, TargetHealth: { State: 'healthy' } }],
    }).resolves({ TargetHealthDescriptions: [{ Target: { Id: 'i-0abc', Port: 5432 } }] });
    const file = fileWith({ name: 'orders-db', discovery: { target_group: { arn: tg }, ttl: '1ms', target: { name: 'db-{{address}}-{{port}}', tcp: { address: '{{address}}:{{port}}' } } } });
    const rec = recorder();
    const discover = createDiscovery({ apis: createLazyDiscoveryApis(), logger: rec.logger, metrics: rec.sink });
    const group = await discover(file.groups[0] as GroupSpec, {});
    expect(group.targets.map((t) => [t.name, t.tcp?.address])).toEqual([[`db-127.0.0.1-${api.port}`, `127.0.0.1:${api.port}`]]);
    await new Promise((r) => setTimeout(r, 5));
    await discover(file.groups[0] as GroupSpec, {});
    expect(rec.logs.at(-1)?.fields.error).toBe(`target group ${tg} registers EC2 instances (i-0abc); discovery needs an IP target group (or Cloud Map)`);
  });
});

describe('the discovery block in a targets file', () => {
  it('names an unknown placeholder, a template that makes no valid target, and two sources', () => {
    const bad = (discovery: Record<string, unknown>) => {
      try {
        fileWith({ name: 'g', discovery });
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    };
    expect(bad({ cloud_map: { namespace: 'n', service: 's' }, target: { name: '{{task_id}}', http: { url: 'http://{{address}}/' } } })).toEqual([
      { path: 'groups[0].discovery.target.name', message: 'unknown placeholder {{task_id}} for cloud_map (known: address, port, instance_id, namespace, service, attr.NAME)' },
    ]);
    expect(bad({ cloud_map: { namespace: 'n', service: 's' }, target: { name: 'x', http: { url: 'ftp://{{address}}/' } } })).toEqual([
      { path: 'groups[0].discovery.target.http.url', message: 'URL scheme must be http or https, not ftp' },
    ]);
    expect(bad({ cloud_map: { namespace: 'n', service: 's' }, ecs: { cluster: 'c', tags: { a: 'b' } }, target: { name: 'x', http: { url: 'http://{{address}}/' } } })).toEqual([
      { path: 'groups[0].discovery', message: 'needs exactly one source: cloud_map, ecs or target_group (has cloud_map and ecs)' },
    ]);
    expect(() => fileWith({ name: 'g' })).toThrow('groups[0].targets: a group needs at least one target (or discovery)');
  });
});

describe('IAM: read-only, on just what the groups name', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'periscope-discovery-iam-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('one statement set per discovery group, and nothing when no group discovers', async () => {
    const file = join(dir, 'targets.yml');
    await writeFile(
      file,
      JSON.stringify({
        groups: [
          cloudMapGroup,
          { name: 'ecs-services', discovery: { ecs: { cluster: 'prod', tags: { monitor: 'true' }, port: 80 }, target: { name: '{{task_id}}', http: { url: 'http://{{address}}:{{port}}/' } } } },
          { name: 'fixed', targets: [{ name: 'a', http: { url: 'http://127.0.0.1:9/' } }] },
        ],
      }),
    );
    const resolver = {
      resolveVariable: async (v: string) => ({ 'sls:stage': 'iamtest', 'param:targetsFile': file, 'self:custom.alertsTopicArn': 'arn:aws:sns:eu-west-1:123456789012:alerts' })[v] ?? '',
    };
    const resources = (await probeDiscoveryResources(resolver)) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    expect(Object.keys(resources.Resources)).toEqual(['ProbeDiscoveryPolicy', 'DiscoveryFailingAlarmOrdersApi', 'DiscoveryFailingAlarmEcsServices']);
    const policy = resources.Resources.ProbeDiscoveryPolicy?.Properties as { Roles: unknown; PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown; Condition?: unknown }> } };
    expect(policy.Roles).toEqual([{ Ref: 'ProbeRole' }]);
    expect(policy.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: 'servicediscovery:DiscoverInstances', Condition: { StringEquals: { 'servicediscovery:NamespaceName': 'orders.local', 'servicediscovery:ServiceName': 'api' } } }),
      expect.objectContaining({ Action: ['ecs:ListServices', 'ecs:ListTasks'], Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/prod' } } } }),
      expect.objectContaining({ Action: 'ecs:DescribeServices', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service/prod/*' } }),
      expect.objectContaining({ Action: 'ecs:DescribeTasks', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/prod/*' } }),
    ]);
    const actions = policy.PolicyDocument.Statement.flatMap((s) => [s.Action].flat()) as string[];
    expect(actions.every((a) => /^(servicediscovery:Discover|ecs:(List|Describe)|elasticloadbalancing:Describe)/.test(a))).toBe(true);
    expect(discoveryStatements({ name: 'lb', discovery: { target_group: { arn: 'x' } } })).toEqual([
      { Sid: 'DescribeTargetHealthLb', Effect: 'Allow', Action: 'elasticloadbalancing:DescribeTargetHealth', Resource: '*' },
    ]);

    const none = join(dir, 'none.yml');
    await writeFile(none, JSON.stringify({ groups: [{ name: 'fixed', targets: [{ name: 'a', http: { url: 'http://127.0.0.1:9/' } }] }] }));
    expect(await probeDiscoveryResources({ resolveVariable: async (v: string) => (v === 'param:targetsFile' ? none : v === 'sls:stage' ? 'iamtest' : '') })).toEqual({});
  });
});
