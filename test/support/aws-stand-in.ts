// A stand-in for AWS JSON-protocol APIs (SQS, SSM) on 127.0.0.1: point AWS_ENDPOINT_URL at it. It checks
// what AWS checks first — the SigV4 signature, recomputed with `aws4` from the request and the test's
// credentials — records every call by action, and answers from per-action handlers (default: `{}`).
import aws4 from 'aws4';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const STAND_IN_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDSTANDIN', AWS_SECRET_ACCESS_KEY: 'stand-in-secret', AWS_SESSION_TOKEN: 'stand-in-token' };

export interface AwsCallRecord {
  /** `AmazonSQS.SendMessage` → `SendMessage` */
  action: string;
  service: string;
  input: Record<string, unknown>;
}

export type AwsAnswer = { status?: number; body: unknown } | unknown;

export interface AwsStandIn {
  url: string;
  calls: AwsCallRecord[];
  callsOf(action: string): Array<Record<string, unknown>>;
  /** Answers for an action: each call takes the next queued answer, the last one repeats. */
  on(action: string, ...answers: AwsAnswer[]): void;
  reset(): void;
  close(): Promise<void>;
}

function isStatusAnswer(answer: unknown): answer is { status: number; body: unknown } {
  return typeof answer === 'object' && answer !== null && 'status' in answer && 'body' in answer;
}

export async function startAwsStandIn(region = 'eu-central-1'): Promise<AwsStandIn> {
  const calls: AwsCallRecord[] = [];
  const answers = new Map<string, AwsAnswer[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = String(req.headers['x-amz-target'] ?? '');
      const auth = String(req.headers.authorization ?? '');
      const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1] ?? '';
      // Re-sign what arrived with the known secret: a mismatch is what AWS answers with a 403.
      const resigned = aws4.sign(
        {
          host: String(req.headers.host),
          path: req.url ?? '/',
          method: req.method ?? 'POST',
          service,
          region,
          body,
          headers: { 'Content-Type': String(req.headers['content-type']), 'X-Amz-Target': target, 'X-Amz-Date': String(req.headers['x-amz-date']) },
        },
        { accessKeyId: STAND_IN_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: STAND_IN_CREDENTIALS.AWS_SECRET_ACCESS_KEY, sessionToken: STAND_IN_CREDENTIALS.AWS_SESSION_TOKEN },
      ) as { headers: Record<string, string> };
      if (!auth || resigned.headers.Authorization !== auth || req.headers['x-amz-security-token'] !== STAND_IN_CREDENTIALS.AWS_SESSION_TOKEN) {
        res.writeHead(403, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'com.amazon.coral.service#SignatureDoesNotMatch', message: 'signature mismatch' }));
        return;
      }
      const action = target.split('.').at(-1) ?? '';
      calls.push({ action, service, input: JSON.parse(body || '{}') as Record<string, unknown> });
      const queue = answers.get(action) ?? [];
      const answer = queue.length > 1 ? queue.shift() : (queue[0] ?? {});
      const [status, payload] = isStatusAnswer(answer) ? [answer.status, answer.body] : [200, answer];
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    callsOf: (action) => calls.filter((c) => c.action === action).map((c) => c.input),
    on: (action, ...list) => void answers.set(action, list),
    reset: () => {
      calls.length = 0;
      answers.clear();
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
