// @ts-check
// The stage's alerts topic (params.createAlertsTopic: true): SNS encrypted with its own KMS key, email
// subscriptions from params.alertEmails, and a topic policy for CloudWatch alarms and, optionally, other
// accounts' anomaly checks. Generated here because YAML cannot turn a list of addresses or accounts into
// resources and statements.
// Used by serverless.yml: `${file(./deploy/topic.js):alertsTopicResources}`.
import { createHash } from 'node:crypto';
import { DeployConfigError } from './targets.js';
/** @import { CfnResource, VariableResolver } from './stage.js' */

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ACCOUNT_RE = /^\d{12}$/;
/** Other accounts publish only from Periscope's anomaly-check roles (RoleName in serverless.yml). */
const PUBLISHER_ROLE_PATTERN = 'role/periscope-*-anomaly-check-*';

/**
 * @param {VariableResolver} resolver
 * @returns {Promise<{ Resources: Record<string, CfnResource> }>}
 */
export async function alertsTopicResources({ resolveVariable }) {
  const stage = String(await resolveVariable('sls:stage'));
  const emails = (await listParam(resolveVariable, 'alertEmails')).map((email, i) => {
    if (typeof email !== 'string' || !EMAIL_RE.test(email)) throw new DeployConfigError(`params.alertEmails[${i}]: "${email}" is not an email address`);
    return email;
  });
  const accounts = (await listParam(resolveVariable, 'alertsPublisherAccounts')).map((account, i) => {
    if (typeof account !== 'string' || !ACCOUNT_RE.test(account)) throw new DeployConfigError(`params.alertsPublisherAccounts[${i}]: "${account}" is not a 12-digit account id (quote it in YAML)`);
    return account;
  });
  const sharedKey = await sharedKeyArn(resolveVariable);
  const otherAccounts = accounts.map((account) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${account}:root` }));
  const publisherRoles = accounts.map((account) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${account}:${PUBLISHER_ROLE_PATTERN}` }));

  /** @type {Record<string, CfnResource>} */
  const keyResources = {
    AlertsKey: {
      Type: 'AWS::KMS::Key',
      Properties: {
        Description: `Periscope alerts topic (${stage})`,
        EnableKeyRotation: true,
        KeyPolicy: {
          Version: '2012-10-17',
          Statement: [
            // Without this the key could become unmanageable; IAM policies of the account decide who else.
            {
              Sid: 'AccountAdministersKey',
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
              Action: 'kms:*',
              Resource: '*',
            },
            // CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key; hence this key.
            {
              Sid: 'CloudWatchAlarmsPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
            },
            ...(accounts.length === 0
              ? []
              : [
                  {
                    Sid: 'OtherAccountsPublishThroughSns',
                    Effect: 'Allow',
                    Principal: { AWS: otherAccounts },
                    Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
                    Resource: '*',
                    Condition: {
                      StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' } },
                      ArnLike: { 'aws:PrincipalArn': publisherRoles },
                    },
                  },
                ]),
          ],
        },
      },
    },
    AlertsKeyAlias: {
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: `alias/periscope-${stage}-alerts`, TargetKeyId: { Ref: 'AlertsKey' } },
    },
  };
  /** @type {Record<string, CfnResource>} */
  const resources = {
    // A key of its own ($1 a month) unless the stage names one to share (alertsTopicKeyArn), e.g. one key
    // for every stage of the account; that key's policy must then let CloudWatch alarms use it.
    ...(sharedKey ? {} : keyResources),
    AlertsTopic: {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: `periscope-${stage}-alerts`,
        DisplayName: `Periscope ${stage}`,
        KmsMasterKeyId: sharedKey ?? { 'Fn::GetAtt': ['AlertsKey', 'Arn'] },
      },
    },
    AlertsTopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'AlertsTopic' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'CloudWatchAlarmsOfThisAccount',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: { Ref: 'AlertsTopic' },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
            ...(accounts.length === 0
              ? []
              : [
                  {
                    Sid: 'OtherAccountsAnomalyChecks',
                    Effect: 'Allow',
                    Principal: { AWS: otherAccounts },
                    Action: 'sns:Publish',
                    Resource: { Ref: 'AlertsTopic' },
                    Condition: { ArnLike: { 'aws:PrincipalArn': publisherRoles } },
                  },
                ]),
          ],
        },
      },
    },
  };
  for (const email of emails) {
    // The logical id comes from the address, so removing one address does not re-subscribe the others.
    const id = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 10);
    resources[`AlertsEmailSubscription${id}`] = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: { Ref: 'AlertsTopic' }, Protocol: 'email', Endpoint: email },
    };
  }
  return { Resources: resources };
}

/**
 * @param {VariableResolver['resolveVariable']} resolveVariable
 * @param {string} name
 * @returns {Promise<unknown[]>}
 */
async function listParam(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}`);
  if (!Array.isArray(value)) throw new DeployConfigError(`params.${name} must be a list ([] for none)`);
  return value;
}

const TOPIC_ARN_RE = /^arn:(aws[a-z-]*):sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]+$/;

/**
 * For the stage's own topic (params.createAlertsTopic: true): the key it is encrypted with, which the
 * publishers' IAM names — the shared key of params.alertsTopicKeyArn, or the stage's own AlertsKey.
 * @param {VariableResolver} resolver
 * @returns {Promise<unknown>}
 */
export async function ownTopicKeyArn({ resolveVariable }) {
  return (await sharedKeyArn(resolveVariable)) ?? { 'Fn::GetAtt': ['AlertsKey', 'Arn'] };
}

const KEY_ARN_RE = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})$/;

/**
 * The existing KMS key a stage's own topic is encrypted with (params.alertsTopicKeyArn), or undefined: a key of its own.
 * @param {VariableResolver['resolveVariable']} resolveVariable
 * @returns {Promise<string | undefined>}
 */
async function sharedKeyArn(resolveVariable) {
  const keyArn = await resolveVariable('param:alertsTopicKeyArn');
  if (keyArn === undefined || keyArn === null || keyArn === '') return undefined;
  if (typeof keyArn !== 'string' || !KEY_ARN_RE.test(keyArn)) {
    throw new DeployConfigError(`params.alertsTopicKeyArn: "${String(keyArn)}" is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID; an alias cannot be used in the publishers' IAM policies)`);
  }
  return keyArn;
}

/**
 * For an existing topic (params.createAlertsTopic: false): the KMS key the anomaly check may use to publish
 * to it — params.alertsTopicKeyArn, or else any key of the topic's account and region (the policy allows
 * it only through SNS). Also where an invalid alertsTopicArn is reported.
 * @param {VariableResolver} resolver
 * @returns {Promise<unknown>}
 */
export async function existingTopicKeyArn({ resolveVariable }) {
  if ((await resolveVariable('param:createAlertsTopic')) === true) return 'unused';
  const topicArn = await resolveVariable('param:alertsTopicArn');
  const match = typeof topicArn === 'string' ? TOPIC_ARN_RE.exec(topicArn) : null;
  if (!match) throw new DeployConfigError(`params.alertsTopicArn: "${topicArn}" is not an SNS topic ARN (needed because createAlertsTopic is false)`);
  const keyArn = await resolveVariable('param:alertsTopicKeyArn');
  if (keyArn) return keyArn;
  const [, partition, region, account] = match;
  return `arn:${partition}:kms:${region}:${account}:key/*`;
}
