// The `tcp` module block: blackbox_exporter's tcp prober keys (query_response steps, tls, tls_config,
// preferred_ip_protocol, ip_protocol_fallback), so a blackbox.yml tcp module can be pasted under `tcp:`. The
// server is `address` (blackbox's target), host:port.
import * as z from 'zod/mini';
import { hostPort, ipProtocol, regexp, tlsConfigSchema, yamlBoolean } from '../../config/fields.js';

const queryResponseStep = z.strictObject({
  expect: z.optional(regexp),
  expect_bytes: z.optional(z.string()),
  send: z.optional(z.string()),
  starttls: z._default(yamlBoolean, false),
  labels: z.optional(z.array(z.strictObject({ name: z.string(), value: z.string() }))),
});

export const tcpModuleSchema = z.strictObject({
  address: hostPort,
  preferred_ip_protocol: z._default(ipProtocol, 'ip4'),
  ip_protocol_fallback: z._default(yamlBoolean, true),
  tls: z._default(yamlBoolean, false),
  tls_config: z.optional(tlsConfigSchema),
  query_response: z._default(z.array(queryResponseStep), []),
});

export type TcpModule = z.output<typeof tcpModuleSchema>;
