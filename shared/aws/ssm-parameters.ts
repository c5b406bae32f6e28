// ssm:/path secret references without the AWS SDK: GetParameter through SSM's JSON protocol (aws-sdk/json-api.ts).
// Values are cached for the life of the container; a failed read is tried again on the next use.
import { SecretError, type SsmFetcher } from '../config/secrets.js';
import { createAwsJsonCall, type AwsJsonCall } from '../aws-sdk/json-api.js';

/** The cache and the error messages (the parameter path, never a value) around any GetParameter transport. */
export function cachedSsmFetcher(getParameter: (path: string) => Promise<string | undefined>): SsmFetcher {
  const cache = new Map<string, Promise<string>>();
  return (path: string) => {
    let value = cache.get(path);
    if (!value) {
      value = getParameter(path)
        .then((found) => {
          if (found === undefined) throw new SecretError(`secret ssm:${path}: parameter has no value`);
          return found;
        })
        .catch((err: unknown) => {
          cache.delete(path);
          if (err instanceof SecretError) throw err;
          throw new SecretError(`secret ssm:${path}: ${(err as Error).name}: cannot read parameter`);
        });
      cache.set(path, value);
    }
    return value;
  };
}

/** The SSM JSON API (AmazonSSM, JSON 1.1), made on first use. */
export function ssmJsonCall(env: NodeJS.ProcessEnv): AwsJsonCall {
  return createAwsJsonCall({ service: 'ssm', targetPrefix: 'AmazonSSM', jsonVersion: '1.1' }, env);
}

export function createSsmParameterFetcher(call: AwsJsonCall): SsmFetcher {
  return cachedSsmFetcher(async (path) => (await call<{ Parameter?: { Value?: string } }>('GetParameter', { Name: path, WithDecryption: true })).Parameter?.Value);
}
