// The AWS SDK clients discovery uses, loaded on first use: a group without discovery never loads them.
// The probe bundle leaves these three packages out and Lambda's Node.js runtime provides them, so they cost
// the bundle nothing; locally they come from node_modules.
import type { DiscoveryApis } from './sources.js';
// Timeouts that fire, and a budget per call (shared/aws/timeouts.ts): discovery runs before the group probes.
import { callWithin, sdkClientSettings } from '../aws-sdk/client-settings.js';

/**
 * In the CommonJS Lambda bundle `require` exists and finds the runtime's SDK through NODE_PATH (an ESM
 * import() would not look there); in ESM (local runs, tests) import() finds node_modules. The name is a
 * variable, so esbuild leaves the package out of the bundle.
 */
async function loadPackage<T>(name: string): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on purpose: see above
  return typeof require === 'function' ? (require(name) as T) : ((await import(name)) as T);
}

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
      const sdk = await loadPackage<typeof import('@aws-sdk/client-servicediscovery')>('@aws-sdk/client-servicediscovery');
      // DiscoverInstances goes to data-<endpoint>; an explicit endpoint (a stand-in, LocalStack) is used as given.
      const custom = process.env.AWS_ENDPOINT_URL_SERVICEDISCOVERY ?? process.env.AWS_ENDPOINT_URL;
      const client = new sdk.ServiceDiscoveryClient({ ...sdkClientSettings(), ...(custom ? { disableHostPrefix: true } : {}) });
      return { discoverInstances: (input) => client.send(new sdk.DiscoverInstancesCommand(input as ConstructorParameters<typeof sdk.DiscoverInstancesCommand>[0]), callWithin()) };
    }),
    ecs: once(async () => {
      const sdk = await loadPackage<typeof import('@aws-sdk/client-ecs')>('@aws-sdk/client-ecs');
      const client = new sdk.ECSClient(sdkClientSettings());
      return {
        listServices: (input) => client.send(new sdk.ListServicesCommand(input), callWithin()),
        describeServices: (input) => client.send(new sdk.DescribeServicesCommand(input as ConstructorParameters<typeof sdk.DescribeServicesCommand>[0]), callWithin()),
        listTasks: (input) => client.send(new sdk.ListTasksCommand({ ...input, desiredStatus: 'RUNNING' }), callWithin()),
        describeTasks: (input) => client.send(new sdk.DescribeTasksCommand(input), callWithin()),
      };
    }),
    elbv2: once(async () => {
      const sdk = await loadPackage<typeof import('@aws-sdk/client-elastic-load-balancing-v2')>('@aws-sdk/client-elastic-load-balancing-v2');
      const client = new sdk.ElasticLoadBalancingV2Client(sdkClientSettings());
      return { describeTargetHealth: (input) => client.send(new sdk.DescribeTargetHealthCommand(input), callWithin()) };
    }),
  };
}
