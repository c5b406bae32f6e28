// ssm:/path secret references: SecureString parameters, decrypted, cached for the life of the Lambda
// container (a cold start reads them again, so a rotated secret arrives with the next container).
// Two transports share the caching and the error messages: the SDK client (anomaly check, Slack notifier) and
// the SDK-free JSON call (the probe, whose cold start cannot afford the SDK).
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { SsmFetcher } from '../config/index.js';
import { cachedSsmFetcher } from './ssm-parameters.js';
import { callWithin } from '../aws-sdk/client-settings.js';

export function createSsmFetcher(client: SSMClient): SsmFetcher {
  return cachedSsmFetcher(async (path) => (await client.send(new GetParameterCommand({ Name: path, WithDecryption: true }), callWithin())).Parameter?.Value);
}
