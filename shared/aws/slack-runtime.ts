// Wiring for the notify-slack Lambda, with the other handlers' runtimes: the webhook secret resolved through
// SSM when the reference says so, a JSON logger. The logic is shared/notify/slack-handler.ts.
import { SSMClient } from '@aws-sdk/client-ssm';
// secrets.js, not the config barrel: the Slack Lambda needs no schema or YAML parser in its bundle.
import { createSecretResolver, type SsmFetcher } from '../config/secrets.js';
import type { SlackHandlerDeps } from '../notify/slack-handler.js';
import { createJsonLogger } from '../observability/logger.js';
import { sdkClientSettings } from '../aws-sdk/client-settings.js';
import { createSsmFetcher } from './ssm-secrets.js';

/**
 * Lambda wiring: the webhook from the secret reference in SLACK_WEBHOOK_FROM (env:/file:/ssm:), resolved
 * on first use and kept for the container's life; a failed resolution is tried again next invocation.
 */
export function createSlackHandlerDeps(env: NodeJS.ProcessEnv, clients: { ssm?: SSMClient } = {}): SlackHandlerDeps {
  const ref = env.SLACK_WEBHOOK_FROM;
  // The SSM client is made only for an ssm: reference.
  let fetcher: SsmFetcher | undefined;
  const resolver = createSecretResolver({ env, ssm: (path) => (fetcher ??= createSsmFetcher(clients.ssm ?? new SSMClient(sdkClientSettings())))(path) });
  let cached: Promise<string> | undefined;
  return {
    logger: createJsonLogger(),
    webhookUrl: () => {
      if (!ref) return Promise.reject(new Error('SLACK_WEBHOOK_FROM is not set (env:NAME, file:/path or ssm:/path)'));
      cached ??= resolver.resolve(ref).catch((err: unknown) => {
        cached = undefined;
        throw err;
      });
      return cached;
    },
  };
}
