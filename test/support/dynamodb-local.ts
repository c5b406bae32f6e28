// A local DynamoDB for the claim store: dynalite (a Node implementation of the DynamoDB API on LevelDB, in
// memory here) on a free loopback port, with the claims table as serverless.yml declares it.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';

export interface LocalDynamoDb {
  url: string;
  /** A client of its own (as each Lambda container has), to `endpoint` or this server. */
  client(endpoint?: string): DynamoDBClient;
  createClaimsTable(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = (endpoint = url) => new DynamoDBClient({ endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    url,
    client,
    async createClaimsTable(name) {
      await client().send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: 'claim', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'claim', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
