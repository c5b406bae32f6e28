// The `grpc` module block: blackbox_exporter's grpc prober keys (service, tls, tls_config,
// preferred_ip_protocol, ip_protocol_fallback, metadata), so a blackbox.yml grpc module can be pasted under
// `grpc:`. The server is `address` (blackbox's target), host:port. Our addition: metadata_from, metadata
// values that are secrets (an authorization token), given by reference.
import * as z from 'zod/mini';
import { headerProblem, ipProtocol, noPrototypeKeys, secretRef, tlsConfigSchema, yamlBoolean } from '../../config/fields.js';

/** HTTP/2 connection-specific headers: node:http2 refuses them, so a call with one could not be made. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'host']);

/** host:port, [v6]:port, or a host alone (port 80, or 443 with tls, as blackbox). */
const grpcAddress = z.string().check(
  z.superRefine((text, ctx) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+)(?::(\d{1,5}))?$/.exec(text);
    if (!match || (match[2] !== undefined && (Number(match[2]) < 1 || Number(match[2]) > 65535))) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not host:port (e.g. orders.internal:50051, [::1]:443)` });
    }
  }),
);

/** gRPC metadata keys are lower-case HTTP/2 header names; grpc-* keys belong to the protocol. */
function metadataMap<T extends z.core.SomeType>(value: T) {
  return z.pipe(
    noPrototypeKeys('a metadata key'),
    z.record(z.string(), value).check(
      z.superRefine((map, ctx) => {
        for (const [key, values] of Object.entries(map)) {
          if (!/^[a-zA-Z0-9_.-]+$/.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a valid metadata key (letters, digits, - _ .)` });
          else if (/^grpc-/i.test(key) || key.startsWith(':')) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is reserved by the gRPC protocol` });
          else if (CONNECTION_HEADERS.has(key.toLowerCase())) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is an HTTP/2 connection header, not metadata` });
          else {
            for (const text of Array.isArray(values) ? (values as unknown[]) : [values]) {
              const problem = typeof text === 'string' ? headerProblem(key, text) : undefined;
              if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
            }
          }
        }
      }),
    ),
  );
}

export const grpcModuleSchema = z.strictObject({
  address: grpcAddress,
  /** Empty: the server's overall health, as blackbox. */
  service: z._default(z.string(), ''),
  tls: z._default(yamlBoolean, false),
  tls_config: z.optional(tlsConfigSchema),
  preferred_ip_protocol: z._default(ipProtocol, 'ip4'),
  ip_protocol_fallback: z._default(yamlBoolean, true),
  /** blackbox writes metadata as key: [values]; a single string is accepted too. */
  metadata: z._default(
    metadataMap(z.pipe(z.union([z.string(), z.array(z.string())]), z.transform((v: string | string[]) => (typeof v === 'string' ? [v] : v)))),
    {},
  ),
  metadata_from: z._default(metadataMap(secretRef), {}),
});

export type GrpcModule = z.output<typeof grpcModuleSchema>;
