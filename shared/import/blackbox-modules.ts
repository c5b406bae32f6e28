// blackbox.yml modules → Periscope module blocks, key by key. Keys Periscope has are copied (Periscope uses
// blackbox's names), secrets become *_from references, and every key it lacks is reported by name and line.
import { parseDuration } from '../config/duration.js';
import type { ImportReport } from './report.js';
import { isMapping, type SourceFile, type YamlPath } from './source.js';

export interface MappedModule {
  prober: 'http' | 'tcp';
  /** The module's own timeout, ms (blackbox uses the shorter of this and the scrape timeout). */
  timeoutMs?: number;
  /** The module block without url/address (those come from each target). */
  block: Record<string, unknown>;
}

export interface ModuleContext {
  report: ImportReport;
  /** The reference a secret of this module becomes, e.g. ssm:/periscope/prod/http-auth-password. */
  secretRef: (module: string, what: string) => string;
}

/** Keys with the same name and meaning in both. */
const HTTP_SAME = new Set([
  'method', 'headers', 'body', 'valid_status_codes', 'valid_http_versions', 'preferred_ip_protocol', 'ip_protocol_fallback',
  'follow_redirects', 'no_follow_redirects', 'fail_if_ssl', 'fail_if_not_ssl', 'fail_if_body_matches_regexp',
  'fail_if_body_not_matches_regexp', 'fail_if_header_matches', 'fail_if_header_not_matches', 'compression', 'body_size_limit', 'enable_http2',
]);
const TCP_SAME = new Set(['preferred_ip_protocol', 'ip_protocol_fallback', 'tls']);
const TLS_SAME = new Set(['insecure_skip_verify', 'ca', 'ca_file', 'cert', 'cert_file', 'key_file', 'server_name', 'min_version', 'max_version']);
const QUERY_STEP_SAME = new Set(['expect', 'send', 'starttls', 'expect_bytes', 'labels']);

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
    if (raw.preferred_ip_protocol === undefined) out.preferred_ip_protocol = 'ip6'; // blackbox's default; Periscope's is ip4
    if (raw.enable_http2 === undefined && raw.tls_config !== undefined) {
      this.ctx.report.approximated(this.source.keyAt(path), `module ${this.name}: HTTPS is probed over HTTP/1.1 (blackbox negotiates HTTP/2 by default; set enable_http2: true to match)`);
    }
    return out;
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
    if (raw.preferred_ip_protocol === undefined) out.preferred_ip_protocol = 'ip6';
    return out;
  }
}

const MODULE_KEYS = new Set(['prober', 'timeout', 'http', 'tcp', 'icmp', 'dns', 'grpc']);

/**
 * Maps one module of blackbox.yml; undefined when Periscope has no prober for it (reported). Call once per
 * module: each call reports.
 */
export function mapBlackboxModule(source: SourceFile, name: string, ctx: ModuleContext): MappedModule | undefined {
  const modules = isMapping(source.data) ? source.data.modules : undefined;
  const raw = isMapping(modules) ? modules[name] : undefined;
  const path: YamlPath = ['modules', name];
  if (!isMapping(raw)) {
    ctx.report.leftOut(source.at(['modules']), `module "${name}" is not defined in ${source.path}`);
    return undefined;
  }
  const prober = String(raw.prober ?? '');
  if (prober !== 'http' && prober !== 'tcp') {
    ctx.report.leftOut(source.keyAt([...path, 'prober']), `module ${name}: prober "${prober}" has no Periscope equivalent; its targets are not imported`);
    return undefined;
  }
  const mapper = new ModuleMapper(source, name, ctx);
  for (const key of Object.keys(raw)) {
    if (!MODULE_KEYS.has(key)) mapper.leftOut([...path, key], `"${key}" is not a module option`);
    else if (key !== 'prober' && key !== 'timeout' && key !== prober) mapper.leftOut([...path, key], `${key} settings are ignored by the ${prober} prober`);
  }
  let timeoutMs: number | undefined;
  if (raw.timeout !== undefined) {
    timeoutMs = parseDuration(String(raw.timeout));
    if (timeoutMs === undefined) ctx.report.leftOut(source.keyAt([...path, 'timeout']), `module ${name}: timeout "${String(raw.timeout)}" is not a duration`);
  }
  const settings = isMapping(raw[prober]) ? (raw[prober] as Record<string, unknown>) : {};
  const block = prober === 'http' ? mapper.http(settings, [...path, 'http']) : mapper.tcp(settings, [...path, 'tcp']);
  ctx.report.mapped(source.keyAt(path), `module ${name} (${prober})`);
  return { prober, ...(timeoutMs ? { timeoutMs } : {}), block };
}
