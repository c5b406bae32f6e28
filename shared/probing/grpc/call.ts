// One unary gRPC call over node:http2 on a connection the prober opened (so it can time the connection and
// read the TLS session, which a gRPC library hides). Returns what came back; judging it is protocol.ts's.
import { connect as http2Connect, constants, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ProbeBudget } from '../deadline.js';
import { ProbeFailure } from '../failure.js';
import { Status, statusName, UnaryResponseBody } from './protocol.js';

/** The call was ended by us for what the server sent; carries the status grpc-go would have reported. */
export class GrpcCallFailure extends ProbeFailure {
  constructor(
    message: string,
    readonly grpcStatus: number,
  ) {
    super(grpcStatus === Status.RESOURCE_EXHAUSTED ? 'response_too_large' : 'grpc_status', `${message} (${statusName(grpcStatus)})`);
  }
}

export interface CallOutcome {
  httpStatus?: number;
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  body: Buffer;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** grpc-status / grpc-message from the trailers, or from the headers of a trailers-only response. */
export function statusHeaders(outcome: CallOutcome): { status?: string; message?: string } {
  const status = header(outcome.trailers, 'grpc-status') ?? header(outcome.headers, 'grpc-status');
  const message = header(outcome.trailers, 'grpc-message') ?? header(outcome.headers, 'grpc-message');
  return { ...(status !== undefined ? { status } : {}), ...(message !== undefined ? { message } : {}) };
}

export function openSession(authority: string, stream: Socket | TLSSocket): ClientHttp2Session {
  // No server push: nothing a server pushes is read, so none may be sent.
  const session = http2Connect(authority, { createConnection: () => stream, settings: { enablePush: false } });
  session.on('error', () => undefined);
  return session;
}

/** Sends the request and reads the response to its end (or the stream's reset). */
export function unaryCall(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body: Buffer, budget: ProbeBudget): Promise<CallOutcome> {
  const stream = session.request(headers, { endStream: false });
  stream.on('error', () => undefined);
  const outcome: CallOutcome = { headers: {}, trailers: {}, body: Buffer.alloc(0) };
  // One message is kept: a server that streams without end is stopped at its second message or its limit.
  const received = new UnaryResponseBody();
  const done = new Promise<CallOutcome>((resolve, reject) => {
    stream.on('response', (responseHeaders) => {
      outcome.headers = responseHeaders;
      const status = responseHeaders[constants.HTTP2_HEADER_STATUS];
      if (typeof status === 'number') outcome.httpStatus = status;
    });
    stream.on('trailers', (trailers) => (outcome.trailers = trailers));
    stream.on('data', (chunk: Buffer) => {
      const problem = received.push(chunk);
      if (!problem) return;
      reject(new GrpcCallFailure(problem.message, problem.status));
      stream.close(constants.NGHTTP2_CANCEL);
      stream.destroy();
    });
    stream.on('close', () => {
      outcome.body = received.bytes();
      // A stream reset or a session that died before any response is a transport failure.
      if (outcome.httpStatus === undefined) reject(Object.assign(new Error(`stream closed before a response (HTTP/2 code ${stream.rstCode ?? 'none'})`), { code: 'ECONNRESET' }));
      else resolve(outcome);
    });
    session.once('error', reject);
    session.once('goaway', () => undefined);
  });
  stream.end(body);
  return budget.race(done, true);
}
