// gRPC servers with the standard health service (grpc.health.v1.Health/Check), written with @grpc/grpc-js on
// 127.0.0.1, plaintext or TLS. The health messages are encoded with @bufbuild/protobuf's wire codec, so no
// .proto file is needed. Statuses come from a map; a service named in `errors` fails the call instead.
import * as grpc from '@grpc/grpc-js';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export const SERVING = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;

export interface HealthServerOptions {
  /** Service name ('' is the whole server) → serving status. Others answer NOT_FOUND, as grpc's own health server. */
  statuses?: Record<string, keyof typeof SERVING>;
  /** Service name → status the call fails with. */
  errors?: Record<string, { code: grpc.status; details: string }>;
  /** Metadata key → value a call must carry, else UNAUTHENTICATED. */
  requireMetadata?: Record<string, string>;
  /** No health service at all: every call is UNIMPLEMENTED. */
  withoutHealth?: boolean;
  tls?: { certPem: string; keyPem: string };
}

export interface GrpcServerHandle {
  readonly port: number;
  readonly address: string;
  /** Metadata of each call, in order. */
  readonly calls: Array<{ service: string; metadata: Record<string, string> }>;
  close(): Promise<void>;
}

function decodeRequest(bytes: Buffer): { service: string } {
  const reader = new BinaryReader(bytes);
  let service = '';
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) service = reader.string();
    else reader.skip(wireType, field);
  }
  return { service };
}

function encodeResponse(response: { status: number }): Buffer {
  const writer = new BinaryWriter();
  if (response.status !== 0) writer.tag(1, WireType.Varint).int32(response.status);
  return Buffer.from(writer.finish());
}

const healthService: grpc.ServiceDefinition = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: () => Buffer.alloc(0),
    requestDeserialize: decodeRequest,
    responseSerialize: encodeResponse,
    responseDeserialize: () => ({}),
  },
};

export async function startGrpcHealthServer(options: HealthServerOptions): Promise<GrpcServerHandle> {
  const server = new grpc.Server();
  const calls: GrpcServerHandle['calls'] = [];
  if (!options.withoutHealth) {
    server.addService(healthService, {
      Check: (call: grpc.ServerUnaryCall<{ service: string }, { status: number }>, callback: grpc.sendUnaryData<{ status: number }>) => {
        const service = call.request.service;
        const metadata: Record<string, string> = {};
        for (const [key, value] of Object.entries(call.metadata.getMap())) metadata[key] = String(value);
        calls.push({ service, metadata });
        for (const [key, value] of Object.entries(options.requireMetadata ?? {})) {
          if (metadata[key] !== value) return callback({ code: grpc.status.UNAUTHENTICATED, details: `metadata ${key} missing or wrong` });
        }
        const error = options.errors?.[service];
        if (error) return callback(error);
        const status = options.statuses?.[service];
        if (status === undefined) return callback({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        callback(null, { status: SERVING[status] });
      },
    });
  }
  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(options.tls.certPem), private_key: Buffer.from(options.tls.keyPem) }], false)
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound))));
  return {
    port,
    address: `127.0.0.1:${port}`,
    calls,
    close: async () => {
      // Clients that failed a TLS handshake can leave half-open sessions that tryShutdown would wait for.
      server.forceShutdown();
    },
  };
}
