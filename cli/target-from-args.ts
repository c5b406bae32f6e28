// Builds a target from `periscope probe` arguments: a URL or host:port plus flags, or a named target of a
// targets file. The result goes through the same schema as a file, so errors read the same.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { readProblem } from '../shared/config/read-text.js';
import {
  ConfigError,
  loadTargetsFile,
  parseDuration,
  loadTarget,
  targetInputFromUrl,
  type TargetInput,
  type TargetSpec,
} from '../shared/config/index.js';

export interface ProbeFlags {
  module?: string;
  config?: string;
  target?: string;
  timeout?: string;
  method?: string;
  header: string[];
  validStatus?: string;
  expectBody: string[];
  insecure?: boolean;
  followRedirects: boolean;
  ca?: string;
  tls?: boolean;
  passwordFrom?: string;
  bearerTokenFrom?: string;
  query?: string;
  sslmode?: string;
  queryType?: string;
  service?: string;
}

const SOURCE = 'command line';

function bad(path: string, message: string): never {
  throw new ConfigError(SOURCE, [{ path, message }]);
}

function parseHeaders(headers: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) {
    const colon = header.indexOf(':');
    if (colon <= 0) bad('--header', `"${header}" is not "Name: value"`);
    out[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  return out;
}

function parseStatusList(text: string): number[] {
  return text.split(',').map((part) => {
    const code = Number(part.trim());
    if (!Number.isInteger(code)) bad('--valid-status', `"${part}" is not a status code (use e.g. 200,301)`);
    return code;
  });
}

function timeoutFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) bad('--timeout', `"${text}" is not a duration (use e.g. 500ms, 5s)`);
  return ms;
}

/** Adds the flags to the module block the address chose; flags that do not apply are errors. */
function withFlags(base: TargetInput & { name: string }, flags: ProbeFlags): TargetInput {
  const tls = flags.ca || flags.insecure ? { ...(flags.ca ? { ca_file: flags.ca } : {}), ...(flags.insecure ? { insecure_skip_verify: true } : {}) } : undefined;
  const httpOnly: Array<[string, unknown]> = [
    ['--method', flags.method],
    ['--header', flags.header.length ? flags.header : undefined],
    ['--valid-status', flags.validStatus],
    ['--expect-body', flags.expectBody.length ? flags.expectBody : undefined],
    ['--bearer-token-from', flags.bearerTokenFrom],
    ['--no-follow-redirects', flags.followRedirects ? undefined : true],
  ];
  const postgresOnly: Array<[string, unknown]> = [
    ['--password-from', flags.passwordFrom],
    ['--query', flags.query],
    ['--sslmode', flags.sslmode],
  ];
  const dnsOnly: Array<[string, unknown]> = [['--query-type', flags.queryType]];
  const grpcOnly: Array<[string, unknown]> = [['--service', flags.service]];
  const reject = (list: Array<[string, unknown]>, module: string) => {
    const used = list.find(([, value]) => value !== undefined);
    if (used) bad(used[0], `does not apply to a ${module} target`);
  };
  if (base.dns) {
    reject([...httpOnly, ...postgresOnly, ...grpcOnly], 'dns');
    const dns = base.dns as Record<string, unknown>;
    return {
      ...base,
      dns: { ...dns, ...(flags.queryType ? { query_type: flags.queryType } : {}), ...(flags.tls ? { dns_over_tls: true } : {}), ...(tls ? { tls_config: tls } : {}) },
    } as TargetInput;
  }
  if (base.grpc) {
    // -H adds gRPC metadata; the other HTTP flags do not apply.
    reject([...httpOnly.filter(([flag]) => flag !== '--header'), ...postgresOnly, ...dnsOnly], 'grpc');
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(parseHeaders(flags.header))) metadata[name.toLowerCase()] = value;
    const grpc = base.grpc as Record<string, unknown>;
    return {
      ...base,
      grpc: {
        ...grpc,
        ...(flags.service !== undefined ? { service: flags.service } : {}),
        ...(flags.tls || tls ? { tls: true } : {}),
        ...(tls ? { tls_config: tls } : {}),
        ...(flags.header.length ? { metadata } : {}),
      },
    } as TargetInput;
  }
  reject([...dnsOnly, ...grpcOnly], base.http ? 'http' : base.tcp ? 'tcp' : 'postgres');
  if (base.http) {
    reject(postgresOnly, 'http');
    if (flags.tls) bad('--tls', 'does not apply to an http target (use an https:// URL)');
    return {
      ...base,
      http: {
        ...base.http,
        ...(flags.method ? { method: flags.method.toUpperCase() } : {}),
        ...(flags.header.length ? { headers: parseHeaders(flags.header) } : {}),
        ...(flags.validStatus ? { valid_status_codes: parseStatusList(flags.validStatus) } : {}),
        ...(flags.expectBody.length ? { fail_if_body_not_matches_regexp: flags.expectBody } : {}),
        follow_redirects: flags.followRedirects,
        ...(tls ? { tls_config: tls } : {}),
        ...(flags.bearerTokenFrom ? { bearer_token_from: flags.bearerTokenFrom } : {}),
      },
    };
  }
  if (base.tcp) {
    reject([...httpOnly, ...postgresOnly], 'tcp');
    return { ...base, tcp: { ...base.tcp, ...(flags.tls ? { tls: true } : {}), ...(tls ? { tls_config: tls } : {}) } };
  }
  reject(httpOnly, 'postgres');
  return {
    ...base,
    postgres: {
      ...base.postgres,
      ...(flags.passwordFrom ? { password_from: flags.passwordFrom } : {}),
      ...(flags.query ? { query: flags.query } : {}),
      ...(flags.sslmode ? { sslmode: flags.sslmode } : {}),
      ...(tls ? { tls_config: tls } : {}),
    },
  } as TargetInput;
}

export interface ResolvedTarget {
  target: TargetSpec;
  /** Default timeout from the file's defaults/group, when the target came from a file. */
  defaultTimeoutMs?: number;
}

/** A file named on the command line must be there: a missing --ca is bad input (exit 2), not a failed probe. */
async function checkReadable(path: string | undefined, flag: string): Promise<void> {
  if (path === undefined) return;
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    bad(flag, `${path}: ${readProblem(err)}`);
  }
}

export async function targetFromArgs(positional: string | undefined, flags: ProbeFlags): Promise<ResolvedTarget> {
  const timeout = timeoutFlag(flags.timeout);
  await checkReadable(flags.ca, '--ca');
  if (flags.config) {
    const name = flags.target ?? positional;
    if (!name) bad('--target', 'name the target to probe from the file (--target NAME)');
    const file = await loadTargetsFile(flags.config);
    for (const group of file.groups) {
      const found = group.targets.find((t) => t.name === name);
      if (found) return { target: timeout ? { ...found, timeout } : found, defaultTimeoutMs: group.timeout ?? file.defaults.timeout };
    }
    const known = file.groups.flatMap((g) => g.targets.map((t) => t.name));
    return bad('--target', `no target named "${name}" in ${flags.config} (known: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})`);
  }
  if (!positional) bad('target', 'give a target URL (https://…, tcp://host:port, postgres://user@host/db, dns://server/name, grpc://host:port) or --config FILE --target NAME');
  const input = withFlags(targetInputFromUrl(positional, SOURCE, flags.module), flags);
  return { target: await loadTarget({ ...input, name: 'cli', ...(flags.timeout ? { timeout: flags.timeout } : {}) }, SOURCE) };
}
