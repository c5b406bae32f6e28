// Every AWS call has connect and request timeouts that fire, tested against a loopback server that accepts
// connections and never answers (what a VPC endpoint whose security group drops the traffic looks like):
// the SDK-free aws4 JSON calls (SQS, SSM of the probe) and the SDK v3 clients (SNS, S3, SSM, DynamoDB), whose
// requestTimeout alone would only log a warning (@smithy/node-http-handler without throwOnRequestTimeout).
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failFastAfterTimeout } from '../../shared/aws/fail-fast.js';
import { createAwsJsonCall, endpointFor } from '../../shared/aws-sdk/json-api.js';
import { callWithin, s3ClientSettings, sdkClientSettings } from '../../shared/aws-sdk/client-settings.js';
import { AWS_TIMEOUTS } from '../../shared/aws-sdk/timeouts.js';

let silent: Server;
let url: string;
let accepted = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  silent = createServer(() => {
    // reads nothing, answers nothing
  });
  silent.on('connection', (s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((done) => silent.close(done));
});

const env = () => ({ AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ENDPOINT_URL: url });

describe('aws4 JSON calls (the probe: SQS, SSM)', () => {
  it('end each attempt at the request timeout, retry, and fail with a message naming the call', async () => {
    const before = accepted;
    const call = createAwsJsonCall({ service: 'sqs', targetPrefix: 'AmazonSQS', jsonVersion: '1.0' }, env(), { connectMs: 300, requestMs: 400, attempts: 2 });
    const started = Date.now();
    await expect(call('GetQueueAttributes', { QueueUrl: `${url}/1/q` })).rejects.toThrow(/^sqs GetQueueAttributes: no answer from 127\.0\.0\.1:\d+ within 400 ms$/);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(800);
    expect(took).toBeLessThan(2_500);
    expect(accepted - before).toBe(2);
  });

  it('stop at the caller\'s signal, with no further attempt', async () => {
    const before = accepted;
    const call = createAwsJsonCall({ service: 'sqs', targetPrefix: 'AmazonSQS', jsonVersion: '1.0' }, env());
    const started = Date.now();
    await expect(call('ReceiveMessage', {}, { signal: AbortSignal.timeout(300) })).rejects.toThrow(/^sqs ReceiveMessage: /);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(accepted - before).toBe(1);
  });

  it('go where AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL say, as the SDK does, else to the regional endpoint', () => {
    expect(endpointFor('sqs', { AWS_ENDPOINT_URL: 'http://127.0.0.1:1/', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:2/' }, 'eu-central-1').href).toBe('http://127.0.0.1:2/');
    expect(endpointFor('ssm', { AWS_ENDPOINT_URL: 'http://127.0.0.1:1/', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:2/' }, 'eu-central-1').href).toBe('http://127.0.0.1:1/');
    expect(endpointFor('ssm', {}, 'eu-central-1').href).toBe('https://ssm.eu-central-1.amazonaws.com/');
  });
});

describe('SDK v3 clients (anomaly check, status page, Slack notifier)', () => {
  it('throw at the request timeout instead of only warning (throwOnRequestTimeout beside requestTimeout)', async () => {
    const client = new SNSClient({ ...sdkClientSettings(), maxAttempts: 1, region: 'eu-central-1', endpoint: url, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
    const started = Date.now();
    await expect(client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-central-1:1:t', Message: 'm' }))).rejects.toThrow(/timeout|timed out/i);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(AWS_TIMEOUTS.requestMs - 100);
    expect(took).toBeLessThan(AWS_TIMEOUTS.requestMs + 2_000);
  }, 15_000);

  it('end a whole call, retries included, at its budget (the abortSignal of callWithin)', async () => {
    const client = new SNSClient({ ...sdkClientSettings(), region: 'eu-central-1', endpoint: url, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
    const started = Date.now();
    await expect(client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-central-1:1:t', Message: 'm' }), callWithin(700))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('address S3 buckets by path when an endpoint override is set', () => {
    expect(s3ClientSettings({ AWS_ENDPOINT_URL_S3: url }).forcePathStyle).toBe(true);
    expect(s3ClientSettings({}).forcePathStyle).toBeUndefined();
  });
});

describe('failFastAfterTimeout', () => {
  it('after a call that ran into its timeout, fails the next calls at once for a while; quick failures do not trip it', async () => {
    let now = 0;
    let calls = 0;
    const slow = failFastAfterTimeout(
      async (fail: 'slow' | 'quick' | 'ok') => {
        calls++;
        if (fail === 'slow') now += 6_000;
        if (fail !== 'ok') throw new Error(`${fail} failure`);
        return 'sent';
      },
      { name: 'SNS Publish', now: () => now },
    );
    await expect(slow('quick')).rejects.toThrow('quick failure');
    await expect(slow('ok')).resolves.toBe('sent');
    await expect(slow('slow')).rejects.toThrow('slow failure');
    await expect(slow('ok')).rejects.toThrow(/SNS Publish not tried: .*slow failure/);
    expect(calls).toBe(3);
    now += 31_000;
    await expect(slow('ok')).resolves.toBe('sent');
  });
});
