// The parts of the gRPC protocol a health check needs (PROTOCOL-HTTP2.md in grpc/grpc), as pure functions:
// the health messages (grpc/health/v1/health.proto, encoded with @bufbuild/protobuf's wire codec), the
// five-byte message framing, and how a call's outcome becomes a status code.
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** grpc.health.v1.HealthCheckResponse.ServingStatus, by number. */
export const SERVING_STATUSES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

export { STATUS_NAMES, statusName } from './status-names.js';
export const Status = { OK: 0, UNKNOWN: 2, DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14 } as const;

/** grpc-go's default largest message a client receives (defaultClientMaxReceiveMessageSize). */
export const MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024;

/** HealthCheckRequest { string service = 1; }, framed: compressed flag 0, big-endian length, message. */
export function healthCheckRequest(service: string): Buffer {
  const writer = new BinaryWriter();
  if (service !== '') writer.tag(1, WireType.LengthDelimited).string(service);
  const message = writer.finish();
  const framed = Buffer.alloc(5 + message.length);
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, 5);
  return framed;
}

/** The first framed message of a response body, or why there is none. */
export function firstMessage(body: Buffer): Uint8Array | string {
  if (body.length < 5) return body.length === 0 ? 'no response message' : 'truncated message frame';
  if (body[0] !== 0) return 'compressed response messages are not supported';
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) return 'truncated message';
  return body.subarray(5, 5 + length);
}

/** Why a response body is refused while it arrives, with the status grpc-go gives the caller for it. */
export interface ResponseBodyProblem {
  status: number;
  message: string;
}

/**
 * Takes a unary response body as it arrives and keeps only its one message, so a server that keeps
 * sending is stopped at once, as grpc-go stops it: a message declared larger than its receive limit is
 * RESOURCE_EXHAUSTED, a second message on a unary call is INTERNAL (cardinality violation).
 */
export class UnaryResponseBody {
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private declared: number | undefined;

  /** Adds bytes; returns the problem that ends the call, or undefined to keep reading. */
  push(chunk: Buffer): ResponseBodyProblem | undefined {
    this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.declared === undefined && this.received >= 5) {
      const head = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
      this.chunks.length = 0;
      this.chunks.push(head);
      this.declared = head.readUInt32BE(1);
      if (this.declared > MAX_RECEIVE_MESSAGE_BYTES) {
        return { status: Status.RESOURCE_EXHAUSTED, message: `received message larger than max (${this.declared} vs. ${MAX_RECEIVE_MESSAGE_BYTES})` };
      }
    }
    if (this.declared !== undefined && this.received > 5 + this.declared) {
      return { status: Status.INTERNAL, message: 'cardinality violation: expected <EOF> for non server-streaming RPCs, but received another message' };
    }
    return undefined;
  }

  /** The bytes received (one framed message at most, or less when the server stopped early). */
  bytes(): Buffer {
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
  }
}

/** HealthCheckResponse { ServingStatus status = 1; } → the status name (UNKNOWN when absent, per proto3); undefined when it does not decode. */
export function servingStatus(message: Uint8Array): string | undefined {
  try {
    const reader = new BinaryReader(message);
    let status = 0;
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      if (field === 1 && wireType === WireType.Varint) status = reader.int32();
      else reader.skip(wireType, field);
    }
    if (reader.pos > reader.len) return undefined;
    return SERVING_STATUSES[status] ?? `UNKNOWN_STATUS_${status}`;
  } catch {
    return undefined;
  }
}

/** The status of a finished call: grpc-status if the server sent one, else derived from the HTTP status (spec's table). */
export function callStatus(httpStatus: number | undefined, grpcStatus: string | undefined): number {
  if (grpcStatus !== undefined && /^\d+$/.test(grpcStatus)) return Number(grpcStatus);
  if (httpStatus === undefined) return Status.UNAVAILABLE;
  if (httpStatus === 200) return grpcStatus === undefined ? Status.INTERNAL : Status.UNKNOWN;
  const mapped: Record<number, number> = { 400: 13, 401: 16, 403: 7, 404: 12, 429: 14, 502: 14, 503: 14, 504: 14 };
  return mapped[httpStatus] ?? Status.UNKNOWN;
}

/** grpc-message is percent-encoded (spec: "Status-Message"). */
export function decodeStatusMessage(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** grpc-timeout: at most 8 digits and a unit. */
export function grpcTimeout(ms: number): string {
  return `${Math.max(1, Math.min(99_999_999, Math.ceil(ms)))}m`;
}
