// blackbox_exporter 0.23's configuration as its loader (config/config.go, reading with yaml.v3 and
// KnownFields) and prometheus/common's HTTP client configuration (0.39, as Debian's build links it) define it:
// which modules it refuses and why, and each module's values with Go's types and blackbox's defaults. The
// import maps only modules blackbox would load; `prometheus-blackbox-exporter --config.check` is the judge
// (test/differential/import-blackbox-conformance.test.ts).
import { compileRe2, RegexSyntaxError } from '../regex/index.js';
import { decodeGo, GoDecodeError, goTypes as go, type GoType } from './go-decode.js';
import { canonicalHeaderKey, goUrlProblem, parseBase2Bytes } from './go-types.js';
import { isMapping, type SourceFile, type YamlPath } from './source.js';

/** config.Regexp: compiled (unanchored) with Go's RE2 syntax; the value stays the pattern as written. */
const regexp: GoType = {
  kind: 'text',
  name: 'config.Regexp',
  parse: (text) => {
    try {
      compileRe2(text);
    } catch (err) {
      if (err instanceof RegexSyntaxError) throw new Error(`"Could not compile regular expression" regexp="${text}"`, { cause: err });
      throw err;
    }
    return text;
  },
};

export const TLS_VERSIONS = ['TLS10', 'TLS11', 'TLS12', 'TLS13'];
const tlsVersion: GoType = {
  kind: 'text',
  name: 'config.TLSVersion',
  parse: (text) => {
    if (!TLS_VERSIONS.includes(text)) throw new Error(`unknown TLS version: ${text}`);
    return text;
  },
};

const url: GoType = {
  kind: 'text',
  name: 'config.URL',
  parse: (text) => {
    const problem = goUrlProblem(text);
    if (problem) throw new Error(problem);
    return text;
  },
};

const base2Bytes: GoType = { kind: 'text', name: 'units.Base2Bytes', parse: parseBase2Bytes };
const stringList: GoType = { kind: 'list', of: go.string };
const stringMap: GoType = { kind: 'map', of: go.string };

const tlsConfig: GoType = {
  kind: 'struct',
  name: 'config.plain',
  fields: {
    ca_file: go.string,
    cert_file: go.string,
    key_file: go.string,
    server_name: go.string,
    insecure_skip_verify: go.bool,
    min_version: tlsVersion,
    max_version: tlsVersion,
  },
};

const basicAuth: GoType = { kind: 'struct', name: 'config.plain', fields: { username: go.string, password: go.string, password_file: go.string } };
const authorization: GoType = { kind: 'struct', name: 'config.Authorization', fields: { type: go.string, credentials: go.string, credentials_file: go.string } };
const oauth2: GoType = {
  kind: 'struct',
  name: 'config.OAuth2',
  fields: {
    client_id: go.string,
    client_secret: go.string,
    client_secret_file: go.string,
    scopes: stringList,
    token_url: go.string,
    endpoint_params: stringMap,
    proxy_url: url,
    tls_config: tlsConfig,
  },
};

const nonEmpty = (value: unknown): boolean => typeof value === 'string' && value.length > 0;

/** prometheus/common 0.39 HTTPClientConfig.Validate. */
function validateHttpClientConfig(c: Record<string, unknown>): void {
  const bearer = nonEmpty(c.bearer_token);
  const bearerFile = nonEmpty(c.bearer_token_file);
  const basic = c.basic_auth as Record<string, unknown> | undefined;
  const auth = c.authorization as Record<string, unknown> | undefined;
  const oauth = c.oauth2 as Record<string, unknown> | undefined;
  if (bearer && bearerFile) throw new Error('at most one of bearer_token & bearer_token_file must be configured');
  if ((basic || oauth) && (bearer || bearerFile)) throw new Error('at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured');
  if (basic && nonEmpty(basic.password) && nonEmpty(basic.password_file)) throw new Error('at most one of basic_auth password & password_file must be configured');
  if (auth) {
    if (bearer || bearerFile) throw new Error('authorization is not compatible with bearer_token & bearer_token_file');
    if (nonEmpty(auth.credentials) && nonEmpty(auth.credentials_file)) throw new Error('at most one of authorization credentials & credentials_file must be configured');
    if (String(auth.type ?? '').trim().toLowerCase() === 'basic') throw new Error('authorization type cannot be set to "basic", use "basic_auth" instead');
    if (basic || oauth) throw new Error('at most one of basic_auth, oauth2 & authorization must be configured');
  }
  if (oauth) {
    if (basic) throw new Error('at most one of basic_auth, oauth2 & authorization must be configured');
    if (!nonEmpty(oauth.client_id)) throw new Error('oauth2 client_id must be configured');
    if (!nonEmpty(oauth.client_secret) && !nonEmpty(oauth.client_secret_file)) throw new Error('either oauth2 client_secret or client_secret_file must be configured');
    if (!nonEmpty(oauth.token_url)) throw new Error('oauth2 token_url must be configured');
    if (nonEmpty(oauth.client_secret) && nonEmpty(oauth.client_secret_file)) throw new Error('at most one of oauth2 client_secret & client_secret_file must be configured');
  }
  const connectHeader = c.proxy_connect_header as Record<string, unknown> | undefined;
  if (connectHeader && Object.keys(connectHeader).length > 0 && !nonEmpty(c.proxy_url)) {
    throw new Error('if proxy_connect_header is configured proxy_url must also be configured');
  }
}

/** blackbox's isCompressionAcceptEncodingValid: the compression must be among the accepted encodings, with q > 0. */
export function compressionMatchesAcceptEncoding(encoding: string, acceptEncoding: string): boolean {
  if (encoding === '' || acceptEncoding === '') return true;
  const encodings = acceptEncoding.split(',').map((part) => {
    const semicolon = part.lastIndexOf(';');
    if (semicolon < 0) return { encoding: part.trim(), quality: 1 };
    const q = part.slice(semicolon + 1).trim().replace(/^q=/, '');
    const parsed = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(q) ? Number(q) : 0;
    return { encoding: part.slice(0, semicolon).trim(), quality: Math.round(parsed * 1000) / 1000 };
  });
  // A stable sort by quality, highest first, as sort.SliceStable does.
  encodings.sort((a, b) => b.quality - a.quality);
  const chosen = encodings.find((e) => e.encoding === encoding || e.encoding === '*');
  return chosen !== undefined && chosen.quality > 0;
}

const headerMatch: GoType = {
  kind: 'struct',
  name: 'config.plain',
  fields: { header: go.string, regexp, allow_missing: go.bool },
  check: (m) => {
    if (!nonEmpty(m.header)) throw new Error('header name must be set for HTTP header matchers');
    if (!nonEmpty(m.regexp)) throw new Error('regexp must be set for HTTP header matchers');
  },
};

const httpProbe: GoType = {
  kind: 'struct',
  name: 'config.plain',
  fields: {
    valid_status_codes: { kind: 'list', of: go.int },
    valid_http_versions: stringList,
    preferred_ip_protocol: go.string,
    ip_protocol_fallback: go.bool,
    skip_resolve_phase_with_proxy: go.bool,
    no_follow_redirects: go.bool,
    fail_if_ssl: go.bool,
    fail_if_not_ssl: go.bool,
    method: go.string,
    headers: stringMap,
    fail_if_body_matches_regexp: { kind: 'list', of: regexp },
    fail_if_body_not_matches_regexp: { kind: 'list', of: regexp },
    fail_if_header_matches: { kind: 'list', of: headerMatch },
    fail_if_header_not_matches: { kind: 'list', of: headerMatch },
    body: go.string,
    compression: go.string,
    body_size_limit: base2Bytes,
    // HTTPClientConfig, inline.
    basic_auth: basicAuth,
    authorization,
    oauth2,
    bearer_token: go.string,
    bearer_token_file: go.string,
    proxy_url: url,
    proxy_connect_header: { kind: 'map', of: stringList },
    tls_config: tlsConfig,
    follow_redirects: go.bool,
    enable_http2: go.bool,
  },
  defaults: () => ({ ip_protocol_fallback: true, follow_redirects: true, enable_http2: true }),
  check: (h) => {
    validateHttpClientConfig(h);
    const headers = (h.headers ?? {}) as Record<string, string>;
    const compression = String(h.compression ?? '');
    for (const [key, value] of Object.entries(headers)) {
      if (canonicalHeaderKey(key) === 'Accept-Encoding' && !compressionMatchesAcceptEncoding(compression, value)) {
        throw new Error(`invalid configuration "${key}: ${value}", "compression: ${compression}"`);
      }
    }
  },
};

const queryResponse: GoType = { kind: 'struct', name: 'config.plain', fields: { expect: regexp, send: go.string, starttls: go.bool } };

const tcpProbe: GoType = {
  kind: 'struct',
  name: 'config.plain',
  fields: {
    preferred_ip_protocol: go.string,
    ip_protocol_fallback: go.bool,
    source_ip_address: go.string,
    query_response: { kind: 'list', of: queryResponse },
    tls: go.bool,
    tls_config: tlsConfig,
  },
  defaults: () => ({ ip_protocol_fallback: true }),
};

const icmpProbe: GoType = {
  kind: 'struct',
  name: 'config.plain',
  fields: { preferred_ip_protocol: go.string, ip_protocol_fallback: go.bool, source_ip_address: go.string, payload_size: go.int, dont_fragment: go.bool, ttl: go.int },
  defaults: () => ({ ip_protocol_fallback: true, ttl: 64 }),
  check: (i) => {
    if (Number(i.ttl) < 0) throw new Error('"ttl" cannot be negative');
    if (Number(i.ttl) > 255) throw new Error('"ttl" cannot exceed 255');
  },
};

/** miekg/dns (1.1.50) StringToType and StringToClass: the names blackbox accepts, exactly as written. */
export const MIEKG_DNS_TYPES = new Set([
  'A', 'AAAA', 'AFSDB', 'ANY', 'APL', 'ATMA', 'AVC', 'AXFR', 'CAA', 'CDNSKEY', 'CDS', 'CERT', 'CNAME', 'CSYNC', 'DHCID', 'DLV', 'DNAME',
  'DNSKEY', 'DS', 'EID', 'EUI48', 'EUI64', 'GID', 'GPOS', 'HINFO', 'HIP', 'HTTPS', 'ISDN', 'IXFR', 'KEY', 'KX', 'L32', 'L64', 'LOC', 'LP',
  'MAILA', 'MAILB', 'MB', 'MD', 'MF', 'MG', 'MINFO', 'MR', 'MX', 'NAPTR', 'NID', 'NIMLOC', 'NINFO', 'NS', 'NSEC', 'NSEC3', 'NSEC3PARAM',
  'NULL', 'NXT', 'None', 'OPENPGPKEY', 'OPT', 'PTR', 'PX', 'RKEY', 'RP', 'RRSIG', 'RT', 'Reserved', 'SIG', 'SMIMEA', 'SOA', 'SPF', 'SRV',
  'SSHFP', 'SVCB', 'TA', 'TALINK', 'TKEY', 'TLSA', 'TSIG', 'TXT', 'UID', 'UINFO', 'UNSPEC', 'URI', 'X25', 'ZONEMD', 'NSAP-PTR',
]);
export const MIEKG_DNS_CLASSES = new Set(['IN', 'CS', 'CH', 'HS', 'NONE', 'ANY']);

const rrValidator: GoType = {
  kind: 'struct',
  name: 'config.plain',
  // Plain strings in 0.23: these patterns are compiled at probe time, not when the file loads.
  fields: { fail_if_matches_regexp: stringList, fail_if_all_match_regexp: stringList, fail_if_not_matches_regexp: stringList, fail_if_none_matches_regexp: stringList },
};

const dnsProbe: GoType = {
  kind: 'struct',
  name: 'config.plain',
  fields: {
    preferred_ip_protocol: go.string,
    ip_protocol_fallback: go.bool,
    dns_over_tls: go.bool,
    tls_config: tlsConfig,
    source_ip_address: go.string,
    transport_protocol: go.string,
    query_class: go.string,
    query_name: go.string,
    query_type: go.string,
    recursion_desired: go.bool,
    valid_rcodes: stringList,
    validate_answer_rrs: rrValidator,
    validate_authority_rrs: rrValidator,
    validate_additional_rrs: rrValidator,
  },
  defaults: () => ({ ip_protocol_fallback: true, recursion_desired: true }),
  check: (d) => {
    if (!nonEmpty(d.query_name)) throw new Error('query name must be set for DNS module');
    if (nonEmpty(d.query_class) && !MIEKG_DNS_CLASSES.has(String(d.query_class))) throw new Error(`query class '${String(d.query_class)}' is not valid`);
    if (nonEmpty(d.query_type) && !MIEKG_DNS_TYPES.has(String(d.query_type))) throw new Error(`query type '${String(d.query_type)}' is not valid`);
  },
};

const grpcProbe: GoType = {
  kind: 'struct',
  name: 'config.plain',
  fields: { service: go.string, tls: go.bool, tls_config: tlsConfig, ip_protocol_fallback: go.bool, preferred_ip_protocol: go.string },
  defaults: () => ({ ip_protocol_fallback: true }),
};

const moduleType: GoType = {
  kind: 'struct',
  name: 'config.plain',
  fields: { prober: go.string, timeout: go.duration, http: httpProbe, tcp: tcpProbe, icmp: icmpProbe, dns: dnsProbe, grpc: grpcProbe },
  // DefaultModule: every prober's defaults but gRPC's (its defaults apply only when the module has grpc:).
  defaults: () => ({
    http: { ip_protocol_fallback: true, follow_redirects: true, enable_http2: true },
    tcp: { ip_protocol_fallback: true },
    icmp: { ip_protocol_fallback: true, ttl: 64 },
    dns: { ip_protocol_fallback: true, recursion_desired: true },
    grpc: {},
  }),
};

export interface Refusal {
  path: YamlPath;
  message: string;
}

export interface CheckedModule {
  /** The module with Go's types and blackbox's defaults (timeout in ms, body_size_limit in bytes). */
  module?: Record<string, unknown>;
  refusal?: Refusal;
}

export interface CheckedBlackboxConfig {
  /** Why blackbox refuses the whole file (not a module of it). */
  refusal?: Refusal;
  modules: Map<string, CheckedModule>;
}

/** What blackbox_exporter's loader makes of blackbox.yml: per module, its value or why it refuses it. Needs the RE2 engine loaded. */
export function checkBlackboxConfig(source: SourceFile): CheckedBlackboxConfig {
  const modules = new Map<string, CheckedModule>();
  if (!source.hasDocument) return { modules, refusal: { path: [], message: 'the file has no YAML document (blackbox_exporter: "error parsing config file: EOF")' } };
  const data = source.data;
  if (data === null) return { modules };
  if (!isMapping(data)) return { modules, refusal: { path: [], message: `cannot unmarshal ${Array.isArray(data) ? '!!seq' : '!!str'} into config.plain` } };
  let refusal: Refusal | undefined;
  for (const key of Object.keys(data)) {
    if (key !== 'modules') refusal ??= { path: [key], message: `field ${key} not found in type config.plain` };
  }
  const raw = data.modules;
  if (raw === null || raw === undefined) return { modules, ...(refusal ? { refusal } : {}) };
  if (!isMapping(raw)) return { modules, refusal: refusal ?? { path: ['modules'], message: `cannot unmarshal ${Array.isArray(raw) ? '!!seq' : '!!str'} into map[string]config.Module` } };
  for (const name of Object.keys(raw)) {
    try {
      // A null module is Go's zero Module (no defaults, no prober); blackbox loads it.
      const module = (decodeGo(raw, name, moduleType, ['modules', name]) ?? {}) as Record<string, unknown>;
      modules.set(name, { module });
    } catch (err) {
      if (!(err instanceof GoDecodeError)) throw err;
      modules.set(name, { refusal: { path: err.path, message: err.message } });
    }
  }
  return { modules, ...(refusal ? { refusal } : {}) };
}
