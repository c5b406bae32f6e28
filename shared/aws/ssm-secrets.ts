// ssm:/path secret references: SecureString parameters, decrypted, cached for the life of the Lambda
// container (a cold start reads them again, so a rotated secret arrives with the next container).
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { SecretError, type SsmFetcher } from '../config/index.js';

export function createSsmFetcher(client: SSMClient): SsmFetcher {
  const cache = new Map<string, Promise<string>>();
  return (path: string) => {
    let value = cache.get(path);
    if (!value) {
      value = client
        .send(new GetParameterCommand({ Name: path, WithDecryption: true }))
        .then((out) => {
          if (out.Parameter?.Value === undefined) throw new SecretError(`secret ssm:${path}: parameter has no value`);
          return out.Parameter.Value;
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
