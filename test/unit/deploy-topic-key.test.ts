// The alerts topic's key, resolved as osls resolves it (deploy/topic.js called with a variable resolver):
// a key of the stage's own by default, or an existing key named by params.alertsTopicKeyArn shared by
// several stages — then no key is created and the topic and the publishers' IAM use the named one.
// (The default path is also asserted on a real `sls package` in test/integration/deploy.test.ts.)
import { describe, expect, it } from 'vitest';
import { alertsTopicResources, ownTopicKeyArn } from '../../deploy/topic.js';

const KEY = 'arn:aws:kms:eu-central-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function resolver(params: Record<string, unknown>) {
  const values: Record<string, unknown> = { 'sls:stage': 'dev', 'param:alertEmails': [], 'param:alertsPublisherAccounts': [], 'param:createAlertsTopic': true, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`param:${k}`, v])) };
  return { resolveVariable: async (name: string) => values[name] };
}

describe('alerts topic key', () => {
  it("creates a key of the stage's own when none is named", async () => {
    const { Resources } = await alertsTopicResources(resolver({ alertsTopicKeyArn: '' }));
    expect(Resources.AlertsKey?.Type).toBe('AWS::KMS::Key');
    expect(Resources.AlertsTopic?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['AlertsKey', 'Arn'] });
    expect(await ownTopicKeyArn(resolver({ alertsTopicKeyArn: '' }))).toEqual({ 'Fn::GetAtt': ['AlertsKey', 'Arn'] });
  });

  it('shares a named key: no key or alias created, the topic and the publishers use it', async () => {
    const { Resources } = await alertsTopicResources(resolver({ alertsTopicKeyArn: KEY }));
    expect(Object.keys(Resources).filter((id) => id.startsWith('AlertsKey'))).toEqual([]);
    expect(Resources.AlertsTopic?.Properties.KmsMasterKeyId).toBe(KEY);
    expect(await ownTopicKeyArn(resolver({ alertsTopicKeyArn: KEY }))).toBe(KEY);
  });

  it('refuses what is not a key ARN, naming the param', async () => {
    for (const bad of ['alias/periscope', 'arn:aws:kms:eu-central-1:111111111111:alias/x', 42]) {
      await expect(alertsTopicResources(resolver({ alertsTopicKeyArn: bad }))).rejects.toThrow(/params\.alertsTopicKeyArn: .* is not a KMS key ARN/);
    }
  });
});
