// The AWS SDK clients discovery uses, loaded on first use: a group without discovery never loads them.
// The probe bundle leaves these three packages out (serverless.yml, esbuild exclude) and Lambda's Node.js
// runtime provides them, so they cost the bundle nothing; locally they come from node_modules.
import type { DiscoveryApis } from '../discovery/index.js';

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
}

export function createLazyDiscoveryApis(): DiscoveryApis {
  return {
    cloudMap: once(async () => {
      const sdk = await import('@aws-sdk/client-servicediscovery');
      const client = new sdk.ServiceDiscoveryClient({});
      return { discoverInstances: (input) => client.send(new sdk.DiscoverInstancesCommand(input as ConstructorParameters<typeof sdk.DiscoverInstancesCommand>[0])) };
    }),
    ecs: once(async () => {
      const sdk = await import('@aws-sdk/client-ecs');
      const client = new sdk.ECSClient({});
      return {
        listServices: (input) => client.send(new sdk.ListServicesCommand(input)),
        describeServices: (input) => client.send(new sdk.DescribeServicesCommand(input as ConstructorParameters<typeof sdk.DescribeServicesCommand>[0])),
        listTasks: (input) => client.send(new sdk.ListTasksCommand({ ...input, desiredStatus: 'RUNNING' })),
        describeTasks: (input) => client.send(new sdk.DescribeTasksCommand(input)),
      };
    }),
    elbv2: once(async () => {
      const sdk = await import('@aws-sdk/client-elastic-load-balancing-v2');
      const client = new sdk.ElasticLoadBalancingV2Client({});
      return { describeTargetHealth: (input) => client.send(new sdk.DescribeTargetHealthCommand(input)) };
    }),
  };
}
