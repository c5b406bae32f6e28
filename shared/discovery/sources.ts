// Asking AWS for a group's instances: Cloud Map DiscoverInstances, ECS services by tag → running tasks'
// private IPs, an ALB/NLB target group's registered targets. The API objects are passed in (lazily loaded
// SDK clients in Lambda, mocks in tests); each answer becomes placeholder values for the target template.
import type { DiscoverySpec } from '../config/discovery-schema.js';

export type Instance = Record<string, string>;

/** The few calls discovery makes, in the SDK's input/output shapes (only the fields used). */
export interface DiscoveryApis {
  cloudMap(): Promise<{
    discoverInstances(input: { NamespaceName: string; ServiceName: string; HealthStatus: string }): Promise<{
      Instances?: Array<{ InstanceId?: string; NamespaceName?: string; ServiceName?: string; Attributes?: Record<string, string> }>;
    }>;
  }>;
  ecs(): Promise<{
    listServices(input: { cluster: string; nextToken?: string }): Promise<{ serviceArns?: string[]; nextToken?: string }>;
    describeServices(input: { cluster: string; services: string[]; include?: string[] }): Promise<{ services?: Array<{ serviceName?: string; tags?: Array<{ key?: string; value?: string }> }> }>;
    listTasks(input: { cluster: string; serviceName: string; nextToken?: string }): Promise<{ taskArns?: string[]; nextToken?: string }>;
    describeTasks(input: { cluster: string; tasks: string[] }): Promise<{
      tasks?: Array<{ taskArn?: string; availabilityZone?: string; lastStatus?: string; attachments?: Array<{ type?: string; details?: Array<{ name?: string; value?: string }> }> }>;
    }>;
  }>;
  elbv2(): Promise<{
    describeTargetHealth(input: { TargetGroupArn: string }): Promise<{
      TargetHealthDescriptions?: Array<{ Target?: { Id?: string; Port?: number; AvailabilityZone?: string }; TargetHealth?: { State?: string } }>;
    }>;
  }>;
}

export class DiscoveryError extends Error {}

async function cloudMapInstances(apis: DiscoveryApis, spec: NonNullable<DiscoverySpec['cloud_map']>): Promise<Instance[]> {
  const client = await apis.cloudMap();
  const answer = await client.discoverInstances({ NamespaceName: spec.namespace, ServiceName: spec.service, HealthStatus: spec.health_status });
  return (answer.Instances ?? []).map((instance) => {
    const attributes = instance.Attributes ?? {};
    const out: Instance = {
      address: attributes.AWS_INSTANCE_IPV4 ?? attributes.AWS_INSTANCE_IPV6 ?? attributes.AWS_INSTANCE_CNAME ?? '',
      port: attributes.AWS_INSTANCE_PORT ?? '',
      instance_id: instance.InstanceId ?? '',
      namespace: instance.NamespaceName ?? spec.namespace,
      service: instance.ServiceName ?? spec.service,
    };
    for (const [name, value] of Object.entries(attributes)) out[`attr.${name}`] = value;
    return out;
  });
}

/** Up to `size` per call: DescribeServices takes 10 services, DescribeTasks 100 tasks. */
function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function ecsInstances(apis: DiscoveryApis, spec: NonNullable<DiscoverySpec['ecs']>): Promise<Instance[]> {
  const client = await apis.ecs();
  const serviceArns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.listServices({ cluster: spec.cluster, ...(nextToken ? { nextToken } : {}) });
    serviceArns.push(...(page.serviceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const matching: Array<{ name: string; tags: Record<string, string> }> = [];
  for (const batch of chunks(serviceArns, 10)) {
    const described = await client.describeServices({ cluster: spec.cluster, services: batch, include: ['TAGS'] });
    for (const service of described.services ?? []) {
      const tags = Object.fromEntries((service.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
      if (Object.entries(spec.tags).every(([key, value]) => tags[key] === value)) matching.push({ name: service.serviceName ?? '', tags });
    }
  }
  const out: Instance[] = [];
  for (const service of matching) {
    const taskArns: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.listTasks({ cluster: spec.cluster, serviceName: service.name, ...(token ? { nextToken: token } : {}) });
      taskArns.push(...(page.taskArns ?? []));
      token = page.nextToken;
    } while (token);
    for (const batch of chunks(taskArns, 100)) {
      const described = await client.describeTasks({ cluster: spec.cluster, tasks: batch });
      for (const task of described.tasks ?? []) {
        if (task.lastStatus !== undefined && task.lastStatus !== 'RUNNING') continue;
        const eni = (task.attachments ?? []).find((a) => a.type === 'ElasticNetworkInterface');
        const address = eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
        if (!address) continue; // not awsvpc networking: no address of its own to probe
        const instance: Instance = {
          address,
          port: spec.port === undefined ? '' : String(spec.port),
          az: task.availabilityZone ?? '',
          cluster: spec.cluster,
          service: service.name,
          task_id: (task.taskArn ?? '').split('/').pop() ?? '',
        };
        for (const [key, value] of Object.entries(service.tags)) instance[`tag.${key}`] = value;
        out.push(instance);
      }
    }
  }
  return out;
}

async function targetGroupInstances(apis: DiscoveryApis, spec: NonNullable<DiscoverySpec['target_group']>): Promise<Instance[]> {
  const client = await apis.elbv2();
  const answer = await client.describeTargetHealth({ TargetGroupArn: spec.arn });
  return (answer.TargetHealthDescriptions ?? []).map(({ Target }) => {
    const id = Target?.Id ?? '';
    if (/^i-[0-9a-f]+$/.test(id)) {
      throw new DiscoveryError(`target group ${spec.arn} registers EC2 instances (${id}); discovery needs an IP target group (or Cloud Map)`);
    }
    return { address: id, port: Target?.Port === undefined ? '' : String(Target.Port), az: Target?.AvailabilityZone ?? '', target_id: id };
  });
}

/** The instances a discovery block names, right now. Throws when AWS cannot be asked. */
export function discoverInstances(apis: DiscoveryApis, spec: DiscoverySpec): Promise<Instance[]> {
  if (spec.cloud_map) return cloudMapInstances(apis, spec.cloud_map);
  if (spec.ecs) return ecsInstances(apis, spec.ecs);
  if (spec.target_group) return targetGroupInstances(apis, spec.target_group);
  throw new DiscoveryError('discovery names no source'); // the schema prevents this
}
