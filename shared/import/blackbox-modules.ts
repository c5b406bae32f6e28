// blackbox.yml modules → Periscope module blocks, key by key. Only modules blackbox_exporter itself loads are
// mapped (blackbox-config.ts decides, and gives each value Go's type: 1.1 booleans, numbers written as text,
// durations). Keys Periscope has are copied (Periscope uses blackbox's names), secrets become *_from
// references, and every key it lacks is reported by name and line.
// The mapped block is then checked with the module's own schema, so a value Periscope refuses (a DNS query
// type its wire library lacks, a regex RE2 rejects) leaves the module out with its line, instead of failing
// the whole import at the end.
import { dnsModuleSchema, grpcModuleSchema, httpModuleSchema, tcpModuleSchema } from '../config/schema.js';
import type { CheckedModule } from './blackbox-config.js';
import type { ImportReport } from './report.js';
import { isMapping, type SourceFile, type YamlPath } from './source.js';

export const IMPORTED_PROBERS = ['http', 'tcp', 'dns', 'grpc'] as const;
export type ImportedProber = (typeof IMPORTED_PROBERS)[number];

export interface MappedModule {
  prober: ImportedProber;
  /** The module's own timeout, ms (blackbox uses the shorter of this and the scrape timeout). */
  timeoutMs?: number;
  /** The module block without url/address/server (those come from each target). */
  block: Record<string, unknown>;
}

export interface ModuleContext {
  report: ImportReport;
  /** The reference a secret of this module becomes, e.g. ssm:/periscope/prod/http-auth-password. */
  secretRef: (module: string, what: string) => string;
  /** For a Lambda stage: intervals become whole minutes of at least one (lambda-stage.ts). */
  lambdaSchedules?: boolean;
}

/** Keys with the same name and meaning in both. */
const HTTP_SAME = new Set([
  'method', 'body', 'valid_status_codes', 'valid_http_versions', 'preferred_ip_protocol', 'ip_protocol_fallback',
  'follow_redirects', 'no_follow_redirects', 'fail_if_ssl', 'fail_if_not_ssl', 'fail_if_body_matches_regexp',
  'fail_if_body_not_matches_regexp', 'fail_if_header_matches', 'fail_if_header_not_matches', 'compression', 'body_size_limit', 'enable_http2',
]);
const TCP_SAME = new Set(['preferred_ip_protocol', 'ip_protocol_fallback', 'tls']);
const TLS_SAME = new Set(['insecure_skip_verify', 'ca', 'ca_file', 'cert', 'cert_file', 'key_file', 'server_name', 'min_version', 'max_version']);
const QUERY_STEP_SAME = new Set(['expect', 'send', 'starttls', 'expect_bytes', 'labels']);
const DNS_SAME = new Set([
  'query_name', 'query_type', 'query_class', 'valid_rcodes', 'recursion_desired', 'transport_protocol', 'dns_over_tls',
  'preferred_ip_protocol', 'ip_protocol_fallback', 'source_ip_address',
]);
const DNS_RR_VALIDATORS = new Set(['validate_answer_rrs', 'validate_authority_rrs', 'validate_additional_rrs']);
const DNS_RR_SAME = new Set(['fail_if_matches_regexp', 'fail_if_all_match_regexp', 'fail_if_not_matches_regexp', 'fail_if_none_matches_regexp']);
const GRPC_SAME = new Set(['service', 'tls', 'preferred_ip_protocol', 'ip_protocol_fallback']);
/** An HTTP header or gRPC metadata key whose value is a credential: never copied as a literal. */
const CREDENTIAL_KEY_RE = /auth|token|secret|passw|api[-_]?key|cookie|session|credential/i;

/** What each block's schema needs beside the module's keys; the real value comes from each target. */
const SAMPLE_ADDRESS: Record<ImportedProber, Record<string, string>> = {
  http: { url: 'http://127.0.0.1/' },
  tcp: { address: '127.0.0.1:1' },
  dns: { server: '127.0.0.1' },
  grpc: { address: '127.0.0.1:1' },
};
const SCHEMAS = { http: httpModuleSchema, tcp: tcpModuleSchema, dns: dnsModuleSchema, grpc: grpcModuleSchema };

/** blackbox's chooseProtocol: "ip6" or unset (its default) is IPv6 first; any other value is IPv4 first. */
function ipProtocolOf(value: unknown): 'ip4' | 'ip6' {
  return value === undefined || value === '' || value === 'ip6' ? 'ip6' : 'ip4';
}

class ModuleMapper {
  constructor(
    private readonly source: SourceFile,
    private readonly name: string,
    private readonly ctx: ModuleContext,
  ) {}

  leftOut(path: YamlPath, message: string): void {
    this.ctx.report.leftOut(this.source.keyAt(path), `module ${this.name}: ${message}`);
  }

  private secret(path: YamlPath, what: string, kind: string): string {
    const ref = this.ctx.secretRef(this.name, kind);
    this.ctx.report.secret({ ref, where: this.source.keyAt(path), what: `module ${this.name} ${what}` });
    return ref;
  }

  tls(raw: unknown, path: YamlPath): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!isMapping(raw)) return out;
    for (const [key, value] of Object.entries(raw)) {
      if (TLS_SAME.has(key)) out[key] = value;
      else if (key === 'key') out.key_from = this.secret([...path, key], 'TLS private key', 'tls-key');
      else this.leftOut([...path, key], `tls_config.${key} is not supported by Periscope`);
    }
    return out;
  }

  private bearerFromFile(file: unknown): string {
    return `file:${String(file)}`;
  }

  http(raw: Record<string, unknown>, path: YamlPath): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      const at: YamlPath = [...path, key];
      if (HTTP_SAME.has(key)) out[key] = value;
      else if (key === 'headers' && isMapping(value)) out.headers = this.headers(value, at, out);
      else if (key === 'tls_config') out.tls_config = this.tls(value, at);
      else if (key === 'basic_auth' && isMapping(value)) {
        const auth: Record<string, unknown> = { username: String(value.username ?? '') };
        if (value.password !== undefined) auth.password_from = this.secret([...at, 'password'], 'basic_auth password', 'basic-auth-password');
        if (value.password_file !== undefined) auth.password_from = `file:${String(value.password_file)}`;
        out.basic_auth = auth;
      } else if (key === 'bearer_token') out.bearer_token_from = this.secret(at, 'bearer token', 'bearer-token');
      else if (key === 'bearer_token_file') out.bearer_token_from = this.bearerFromFile(value);
      else if (key === 'authorization' && isMapping(value) && String(value.type ?? 'Bearer').toLowerCase() === 'bearer') {
        if (value.credentials !== undefined) out.bearer_token_from = this.secret([...at, 'credentials'], 'authorization credentials', 'bearer-token');
        else if (value.credentials_file !== undefined) out.bearer_token_from = this.bearerFromFile(value.credentials_file);
      } else this.leftOut(at, `http.${key} is not supported by Periscope`);
    }
    this.ipProtocol(raw, out, path);
    if (raw.enable_http2 === undefined && raw.tls_config !== undefined) {
      this.ctx.report.approximated(this.source.keyAt(path), `module ${this.name}: HTTPS is probed over HTTP/1.1 (blackbox negotiates HTTP/2 by default; set enable_http2: true to match)`);
    }
    return out;
  }

  /** Headers are copied, except credentials: a Bearer Authorization becomes bearer_token_from, others are left out. */
  private headers(raw: Record<string, unknown>, path: YamlPath, out: Record<string, unknown>): Record<string, unknown> {
    const headers: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(raw)) {
      if (!CREDENTIAL_KEY_RE.test(name)) headers[name] = value;
      else if (name.toLowerCase() === 'authorization' && /^bearer\s/i.test(String(value))) {
        out.bearer_token_from = this.secret([...path, name], 'Authorization header (bearer token)', 'bearer-token');
      } else this.leftOut([...path, name], `http.headers.${name} carries a credential and is not copied (use basic_auth.password_from or bearer_token_from)`);
    }
    return headers;
  }

  tcp(raw: Record<string, unknown>, path: YamlPath): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      const at: YamlPath = [...path, key];
      if (TCP_SAME.has(key)) out[key] = value;
      else if (key === 'tls_config') out.tls_config = this.tls(value, at);
      else if (key === 'query_response' && Array.isArray(value)) {
        out.query_response = value.map((step: unknown, index) => {
          const mapped: Record<string, unknown> = {};
          if (!isMapping(step)) return mapped;
          for (const [stepKey, stepValue] of Object.entries(step)) {
            if (QUERY_STEP_SAME.has(stepKey)) mapped[stepKey] = stepValue;
            else this.leftOut([...at, index, stepKey], `tcp.query_response.${stepKey} is not supported by Periscope`);
          }
          return mapped;
        });
      } else this.leftOut(at, `tcp.${key} is not supported by Periscope`);
    }
    this.ipProtocol(raw, out, path);
    return out;
  }

  /** blackbox's default is ip6 (Periscope's ip4), and it reads any value but "ip6" as ip4 ("ipv4" too). */
  private ipProtocol(raw: Record<string, unknown>, out: Record<string, unknown>, path: YamlPath): void {
    const value = raw.preferred_ip_protocol;
    out.preferred_ip_protocol = ipProtocolOf(value);
    if (value !== undefined && value !== 'ip4' && value !== 'ip6') {
      this.ctx.report.mapped(this.source.keyAt([...path, 'preferred_ip_protocol']), `module ${this.name}: preferred_ip_protocol "${String(value)}" → ${ipProtocolOf(value)}, as blackbox reads it`);
    }
  }

  dns(raw: Record<string, unknown>, path: YamlPath): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      const at: YamlPath = [...path, key];
      if (DNS_SAME.has(key)) out[key] = value;
      else if (key === 'tls_config') out.tls_config = this.tls(value, at);
      else if (DNS_RR_VALIDATORS.has(key) && isMapping(value)) {
        const rules: Record<string, unknown> = {};
        for (const [rule, patterns] of Object.entries(value)) {
          if (DNS_RR_SAME.has(rule)) rules[rule] = patterns;
          else this.leftOut([...at, rule], `dns.${key}.${rule} is not supported by Periscope`);
        }
        out[key] = rules;
      } else this.leftOut(at, `dns.${key} is not supported by Periscope`);
    }
    this.ipProtocol(raw, out, path);
    if (raw.dns_over_tls === true && raw.transport_protocol === undefined) {
      this.ctx.report.approximated(this.source.keyAt(path), `module ${this.name}: dns_over_tls without transport_protocol: tcp fails every probe in blackbox 0.23; Periscope uses TCP`);
    } else if (raw.transport_protocol !== 'tcp' && raw.dns_over_tls !== true) {
      this.ctx.report.approximated(this.source.keyAt(path), `module ${this.name}: a truncated UDP reply is asked again over TCP (blackbox 0.23 judges the truncated reply)`);
    }
    return out;
  }

  grpc(raw: Record<string, unknown>, path: YamlPath): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      const at: YamlPath = [...path, key];
      if (GRPC_SAME.has(key)) out[key] = value;
      else if (key === 'tls_config') out.tls_config = this.tls(value, at);
      else if (key === 'metadata' && isMapping(value)) this.metadata(value, at, out);
      else this.leftOut(at, `grpc.${key} is not supported by Periscope`);
    }
    this.ipProtocol(raw, out, path);
    return out;
  }

  /** Plain metadata is copied; a credential (authorization, tokens, cookies…) becomes a metadata_from reference. */
  private metadata(raw: Record<string, unknown>, path: YamlPath, out: Record<string, unknown>): void {
    const plain: Record<string, string[]> = {};
    const secret: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
      const values = (Array.isArray(value) ? value : [value]).map(String);
      if (!CREDENTIAL_KEY_RE.test(key)) plain[key] = values;
      else if (values.length === 1) secret[key] = this.secret([...path, key], `gRPC metadata ${key}`, `grpc-metadata-${key}`);
      else this.leftOut([...path, key], `grpc.metadata.${key} has ${values.length} values; a secret metadata key takes one reference (metadata_from)`);
    }
    if (Object.keys(plain).length > 0) out.metadata = plain;
    if (Object.keys(secret).length > 0) out.metadata_from = secret;
  }

  /** The block as the target's schema sees it; each issue is reported at its key. False when it does not validate. */
  validates(prober: ImportedProber, block: Record<string, unknown>, path: YamlPath): boolean {
    const parsed = SCHEMAS[prober].safeParse({ ...SAMPLE_ADDRESS[prober], ...block });
    if (parsed.success) return true;
    for (const issue of parsed.error.issues) {
      const keys = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      this.leftOut([...path, ...keys], `${[prober, ...keys].join('.')}: ${issue.message}; the module's targets are not imported`);
    }
    return false;
  }
}

/** The typed values of the keys written in `raw` (leaving out the defaults blackbox fills in). */
function written(typed: unknown, raw: unknown): Record<string, unknown> {
  if (!isMapping(typed) || !isMapping(raw)) return {};
  return Object.fromEntries(Object.keys(raw).filter((key) => key in typed).map((key) => [key, typed[key]]));
}

/**
 * Maps one module of blackbox.yml, as blackbox_exporter's loader decoded it (`checked`); undefined when
 * blackbox refuses it or Periscope has no prober for it (both reported). Call once per module: each call reports.
 */
export function mapBlackboxModule(source: SourceFile, name: string, checked: CheckedModule | undefined, ctx: ModuleContext): MappedModule | undefined {
  const modules = isMapping(source.data) ? source.data.modules : undefined;
  const raw = isMapping(modules) ? modules[name] : undefined;
  const path: YamlPath = ['modules', name];
  if (!checked || (raw === undefined && !(isMapping(modules) && name in modules))) {
    ctx.report.leftOut(source.at(['modules']), `module "${name}" is not defined in ${source.path}`);
    return undefined;
  }
  if (checked.refusal || !checked.module) {
    ctx.report.leftOut(source.keyAt(path), `module ${name}: blackbox_exporter refuses this module (see above); its targets are not imported`);
    return undefined;
  }
  const typed = checked.module;
  const prober = String(typed.prober ?? '') as ImportedProber;
  if (!IMPORTED_PROBERS.includes(prober)) {
    ctx.report.leftOut(source.keyAt([...path, 'prober']), `module ${name}: prober "${prober}" has no Periscope equivalent; its targets are not imported`);
    return undefined;
  }
  const mapper = new ModuleMapper(source, name, ctx);
  const rawModule = isMapping(raw) ? raw : {};
  for (const key of Object.keys(rawModule)) {
    if (key !== 'prober' && key !== 'timeout' && key !== prober) mapper.leftOut([...path, key], `${key} settings are ignored by the ${prober} prober`);
  }
  const timeoutMs = rawModule.timeout !== undefined && typeof typed.timeout === 'number' ? typed.timeout : undefined;
  const block = mapper[prober](written(typed[prober], rawModule[prober]), [...path, prober]);
  if (!mapper.validates(prober, block, [...path, prober])) return undefined;
  ctx.report.mapped(source.keyAt(path), `module ${name} (${prober})`);
  return { prober, ...(timeoutMs ? { timeoutMs } : {}), block };
}
