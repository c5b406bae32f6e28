// A loopback stand-in for the AWS APIs the Lambdas call — SQS and SSM (JSON, through the probe's aws4 calls
// and the SDK), DynamoDB (JSON), SNS (query protocol), S3 (REST) — that checks what AWS checks first: the SigV4
// signature, recomputed independently with `aws4` from the request as received and the test's credentials
// (a request signed with another secret, or altered after signing, gets 403 SignatureDoesNotMatch). It keeps
// enough state to be used for real (a queue, parameters, a table, objects, published messages), and fails on
// demand per service: `deny` (AccessDenied, in the service's own error format), `hang` (accepts, reads, never
// answers), `5xx` (a 503 every time).
import aws4 from 'aws4';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const FAULT_STAND_IN_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDFAULTSTANDIN', AWS_SECRET_ACCESS_KEY: 'fault-stand-in-secret', AWS_SESSION_TOKEN: 'fault-stand-in-token' };

export type AwsService = 'sqs' | 'ssm' | 'sns' | 's3' | 'dynamodb';
export type AwsFault = 'deny' | 'hang' | '5xx';

export interface AwsCall {
  service: string;
  action: string;
  /** JSON input (JSON protocols), form fields (SNS), or { Bucket, Key, Body } (S3). */
  input: Record<string, unknown>;
  status: number | 'hung';
}

export interface AwsFaultStandIn {
  url: string;
  region: string;
  calls: AwsCall[];
  /** Requests refused for their signature. */
  badSignatures: number;
  fault(service: AwsService, fault: AwsFault | undefined): void;
  /** SSM parameters GetParameter answers with. */
  parameters: Map<string, string>;
  /** SQS queues by URL: messages waiting (body and attributes). */
  queue(url: string): Array<{ MessageId: string; Body: string; MessageAttributes: Record<string, unknown> }>;
  /** Messages published to SNS, by topic ARN. */
  published: Array<{ TopicArn: string; Subject: string; Message: string }>;
  /** S3 objects by "bucket/key". */
  objects: Map<string, { body: Buffer; contentType: string }>;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024 * 1024;

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string): Scope | undefined {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(header);
  if (!m) return undefined;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!.split(';'), signature: m[6]! };
}

/** Whether the request carries a valid SigV4 signature for the stand-in's credentials. */
function signatureValid(req: IncomingMessage, body: Buffer, scope: Scope): boolean {
  if (scope.accessKeyId !== FAULT_STAND_IN_CREDENTIALS.AWS_ACCESS_KEY_ID) return false;
  if (req.headers['x-amz-security-token'] !== FAULT_STAND_IN_CREDENTIALS.AWS_SESSION_TOKEN) return false;
  if (!scope.signedHeaders.includes('host') || !scope.signedHeaders.includes('x-amz-date')) return false;
  const declared = req.headers['x-amz-content-sha256'];
  // A declared payload hash must be the body's (aws4 signs with the declared one, as S3 does).
  if (typeof declared === 'string' && /^[0-9a-f]{64}$/.test(declared) && declared !== createHash('sha256').update(body).digest('hex')) return false;
  const headers: Record<string, string> = {};
  for (const name of scope.signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) return false;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new aws4.RequestSigner(
    { method: req.method ?? 'GET', host: headers.host, path: req.url ?? '/', service: scope.service, region: scope.region, body: body.toString('latin1'), headers, doNotModifyHeaders: true } as aws4.Request & { doNotModifyHeaders: boolean },
    { accessKeyId: FAULT_STAND_IN_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: FAULT_STAND_IN_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  ) as aws4.RequestSigner & { datetime: string; signature(): string };
  signer.datetime = headers['x-amz-date'] ?? '';
  // Signed bodies are bytes; aws4 hashes a string as UTF-8, so hand it the body's own hash when the client did not.
  if (!headers['x-amz-content-sha256']) (signer as unknown as { request: { body: Buffer } }).request.body = body;
  return signer.signature() === scope.signature;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startAwsFaultStandIn(region = 'eu-central-1'): Promise<AwsFaultStandIn> {
  const calls: AwsCall[] = [];
  const faults = new Map<string, AwsFault>();
  const parameters = new Map<string, string>();
  const queues = new Map<string, Array<{ MessageId: string; Body: string; MessageAttributes: Record<string, unknown>; receipt?: string }>>();
  const published: AwsFaultStandIn['published'] = [];
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const items = new Map<string, Record<string, unknown>>();
  const sockets = new Set<Socket>();
  let badSignatures = 0;
  const queue = (url: string) => {
    let q = queues.get(url);
    if (!q) queues.set(url, (q = []));
    return q;
  };

  const answer = (res: ServerResponse, service: string, status: number, code: string, message: string) => {
    if (service === 'sns') {
      res.writeHead(status, { 'content-type': 'text/xml' }).end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
    } else if (service === 's3') {
      res.writeHead(status, { 'content-type': 'application/xml' }).end(`<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`);
    } else {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${code};Sender` }).end(JSON.stringify({ __type: `com.amazonaws.${service}#${code}`, message }));
    }
  };
  const json = (res: ServerResponse, value: unknown) => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(value));

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const scope = parseAuthorization(String(req.headers.authorization ?? ''));
      if (!scope || !signatureValid(req, body, scope)) {
        badSignatures++;
        answer(res, scope?.service ?? 'sqs', 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
        return;
      }
      const service = scope.service;
      let action: string;
      let input: Record<string, unknown>;
      const target = String(req.headers['x-amz-target'] ?? '');
      if (service === 'sns') {
        input = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
        action = String(input.Action ?? '');
      } else if (service === 's3') {
        const [bucket = '', ...key] = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1).split('/');
        action = req.method === 'PUT' ? 'PutObject' : req.method === 'GET' ? 'GetObject' : `${req.method}Object`;
        input = { Bucket: bucket, Key: key.join('/'), Body: body.toString('utf8'), ContentType: req.headers['content-type'] };
      } else {
        action = target.split('.').at(-1) ?? '';
        input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      }
      const call: AwsCall = { service, action, input, status: 200 };
      calls.push(call);
      const fault = faults.get(service);
      if (fault === 'hang') {
        call.status = 'hung';
        return; // never answered; closed by close()
      }
      if (fault === 'deny') {
        call.status = 403;
        const code = service === 'sns' ? 'AuthorizationError' : service === 's3' ? 'AccessDenied' : 'AccessDeniedException';
        answer(res, service, service === 'dynamodb' ? 400 : 403, code, `User: arn:aws:sts::123456789012:assumed-role/periscope-test is not authorized to perform: ${service}:${action}`);
        return;
      }
      if (fault === '5xx') {
        call.status = 503;
        answer(res, service, 503, service === 's3' ? 'ServiceUnavailable' : 'ServiceUnavailable', 'Service is unavailable; try again');
        return;
      }
      switch (`${service}.${action}`) {
        case 'sqs.SendMessage': {
          const id = randomUUID();
          queue(String(input.QueueUrl)).push({ MessageId: id, Body: String(input.MessageBody), MessageAttributes: (input.MessageAttributes ?? {}) as Record<string, unknown> });
          json(res, { MessageId: id, MD5OfMessageBody: createHash('md5').update(String(input.MessageBody)).digest('hex') });
          return;
        }
        case 'sqs.ReceiveMessage': {
          const waiting = queue(String(input.QueueUrl)).filter((m) => m.receipt === undefined).slice(0, Number(input.MaxNumberOfMessages ?? 1));
          for (const m of waiting) m.receipt = randomUUID();
          json(res, { Messages: waiting.map((m) => ({ MessageId: m.MessageId, ReceiptHandle: m.receipt, Body: m.Body, MessageAttributes: m.MessageAttributes })) });
          return;
        }
        case 'sqs.DeleteMessage': {
          const q = queue(String(input.QueueUrl));
          const at = q.findIndex((m) => m.receipt === input.ReceiptHandle);
          if (at >= 0) q.splice(at, 1);
          json(res, {});
          return;
        }
        case 'sqs.GetQueueAttributes':
          json(res, { Attributes: { ApproximateNumberOfMessages: String(queue(String(input.QueueUrl)).length) } });
          return;
        case 'ssm.GetParameter': {
          const value = parameters.get(String(input.Name));
          if (value === undefined) answer(res, service, 400, 'ParameterNotFound', `parameter ${String(input.Name)} not found`);
          else json(res, { Parameter: { Name: input.Name, Type: 'SecureString', Value: value, Version: 1 } });
          return;
        }
        case 'dynamodb.PutItem': {
          const item = input.Item as Record<string, { S?: string }>;
          const key = `${String(input.TableName)}/${item.claim?.S ?? ''}`;
          if (items.has(key)) answer(res, service, 400, 'ConditionalCheckFailedException', 'The conditional request failed');
          else {
            items.set(key, item);
            json(res, {});
          }
          return;
        }
        case 'dynamodb.GetItem': {
          const key = `${String(input.TableName)}/${(input.Key as { claim?: { S?: string } }).claim?.S ?? ''}`;
          json(res, items.has(key) ? { Item: items.get(key) } : {});
          return;
        }
        case 'sns.Publish':
          published.push({ TopicArn: String(input.TopicArn), Subject: String(input.Subject ?? ''), Message: String(input.Message ?? '') });
          res.writeHead(200, { 'content-type': 'text/xml' }).end(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`);
          return;
        case 's3.PutObject':
          objects.set(`${String(input.Bucket)}/${String(input.Key)}`, { body, contentType: String(input.ContentType ?? '') });
          res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` }).end();
          return;
        default:
          call.status = 400;
          answer(res, service, 400, 'InvalidAction', `the stand-in does not know ${service} ${action}`);
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region,
    calls,
    get badSignatures() {
      return badSignatures;
    },
    fault: (service, fault) => void (fault ? faults.set(service, fault) : faults.delete(service)),
    parameters,
    queue: (url) => queue(url),
    published,
    objects,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
