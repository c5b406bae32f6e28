// Slot claims in DynamoDB: a PutItem with `attribute_not_exists` is atomic and strongly consistent, so of
// all evaluations of a slot exactly one claim succeeds however slow the network is. The item carries this
// evaluator's random owner id: when the SDK retries a put whose first attempt succeeded but whose answer
// was lost, the retry fails the condition, and a consistent GetItem shows the claim is ours after all.
// `expires_at` (epoch seconds) is the table's TTL attribute; claims are never read after their slot.
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { ClaimStore } from '../alerting/state/claim-store.js';
import { callWithin } from '../aws-sdk/client-settings.js';

export function createDynamoDbClaimStore(client: DynamoDBClient, tableName: string): ClaimStore {
  return {
    async claim(key, expiresAtMs) {
      const owner = randomUUID();
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { claim: { S: key }, owner: { S: owner }, expires_at: { N: String(Math.ceil(expiresAtMs / 1000)) } },
            ConditionExpression: 'attribute_not_exists(#claim)',
            ExpressionAttributeNames: { '#claim': 'claim' },
          }),
          callWithin(),
        );
        return true;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        const held = await client.send(new GetItemCommand({ TableName: tableName, Key: { claim: { S: key } }, ConsistentRead: true, ProjectionExpression: '#owner', ExpressionAttributeNames: { '#owner': 'owner' } }), callWithin());
        return held.Item?.owner?.S === owner;
      }
    },
  };
}
