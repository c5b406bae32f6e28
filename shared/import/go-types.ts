// The Go parsers blackbox_exporter's and Prometheus' configuration types call, reproduced so the import
// accepts exactly what they accept: time.ParseDuration, Prometheus' model.ParseDuration, alecthomas/units'
// ParseBase2Bytes, net/url's Parse errors and textproto's header canonicalisation.

const GO_DURATION_UNITS_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in milliseconds; an Error says why not (as Go's message does). */
export function parseGoDuration(text: string): number {
  const orig = text;
  let rest = text;
  let negative = false;
  if (rest[0] === '-' || rest[0] === '+') {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration "${orig}"`);
  let ns = 0;
  while (rest !== '') {
    const match = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = match?.[1] ?? '';
    const fraction = match?.[2];
    if (whole === '' && (fraction === undefined || fraction === '')) throw new Error(`time: invalid duration "${orig}"`);
    rest = rest.slice(match?.[0].length ?? 0);
    const unitMatch = /^[^0-9.]*/.exec(rest);
    const unit = unitMatch?.[0] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration "${orig}"`);
    const scale = GO_DURATION_UNITS_NS[unit];
    if (scale === undefined) throw new Error(`time: unknown unit "${unit}" in duration "${orig}"`);
    rest = rest.slice(unit.length);
    ns += Number(`${whole || '0'}.${fraction || '0'}`) * scale;
    if (ns > 2 ** 63 - 1) throw new Error(`time: invalid duration "${orig}"`);
  }
  return (negative ? -ns : ns) / 1e6;
}

const PROMETHEUS_DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const PROMETHEUS_UNITS_MS = [31_536_000_000, 604_800_000, 86_400_000, 3_600_000, 60_000, 1_000, 1];

/** Prometheus' model.ParseDuration (common 0.39), in milliseconds: whole numbers, units in order, no fractions. */
export function parsePrometheusDuration(text: string): number {
  if (text === '0') return 0;
  const match = text === '' ? null : PROMETHEUS_DURATION_RE.exec(text);
  if (!match) throw new Error(`not a valid duration string: "${text}"`);
  return PROMETHEUS_UNITS_MS.reduce((sum, unit, index) => sum + Number(match[index + 1] ?? 0) * unit, 0);
}

/** Prometheus' model.Duration String(): the largest units first, "0s" for zero (as __scrape_interval__ shows it). */
export function formatPrometheusDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [['y', 31_536_000_000], ['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

const BASE2_UNITS: Record<string, number> = { B: 1, KB: 1024, KiB: 1024 };
for (const [index, prefix] of ['M', 'G', 'T', 'P', 'E'].entries()) {
  BASE2_UNITS[`${prefix}B`] = 1024 ** (index + 2);
  BASE2_UNITS[`${prefix}iB`] = 1024 ** (index + 2);
}

/** alecthomas/units ParseBase2Bytes (blackbox's body_size_limit): "1MB" and "1MiB" are 1 MiB; a unit is required. */
export function parseBase2Bytes(text: string): number {
  const orig = text;
  let rest = text;
  let negative = false;
  if (rest[0] === '-' || rest[0] === '+') {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`units: invalid ${orig}`);
  let total = 0;
  while (rest !== '') {
    const match = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = match?.[1] ?? '';
    const fraction = match?.[2];
    if (whole === '' && (fraction === undefined || fraction === '')) throw new Error(`units: invalid ${orig}`);
    rest = rest.slice(match?.[0].length ?? 0);
    const unit = /^[^0-9.]*/.exec(rest)?.[0] ?? '';
    const scale = BASE2_UNITS[unit];
    if (scale === undefined) throw new Error(`units: unknown unit ${unit} in ${orig}`);
    rest = rest.slice(unit.length);
    total += Number(`${whole || '0'}.${fraction || '0'}`) * scale;
  }
  return Math.trunc(negative ? -total : total);
}

/**
 * Why Go's url.Parse (Go 1.19) refuses `text`, or undefined when it accepts it. Covers the errors a hand-written
 * URL meets: a missing scheme before ":", a colon in the first path segment, a bad %-escape, a control
 * character or space in the host, an unclosed IPv6 bracket and a non-numeric port.
 */
export function goUrlProblem(text: string): string | undefined {
  if (/[\x00-\x1f\x7f]/.test(text)) return `parse "${text}": net/url: invalid control character in URL`;
  const hash = text.indexOf('#');
  const withoutFragment = hash < 0 ? text : text.slice(0, hash);
  if (/%(?![0-9a-fA-F]{2})/.test(text)) return `parse "${text}": invalid URL escape "${/%.{0,2}/.exec(text.slice(text.search(/%(?![0-9a-fA-F]{2})/)))?.[0] ?? '%'}"`;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(withoutFragment);
  if (withoutFragment.startsWith(':')) return `parse "${text}": missing protocol scheme`;
  let rest = scheme ? withoutFragment.slice(scheme[0].length) : withoutFragment;
  const query = rest.indexOf('?');
  if (query >= 0) rest = rest.slice(0, query);
  if (!scheme) {
    const firstSegment = rest.split('/')[0] ?? '';
    if (!rest.startsWith('/') && firstSegment.includes(':')) return `parse "${text}": first path segment in URL cannot contain colon`;
  }
  if (!rest.startsWith('//')) return undefined;
  const authority = rest.slice(2).split('/')[0] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return `parse "${text}": missing ']' in host`;
    const after = host.slice(close + 1);
    if (after !== '' && !/^:\d*$/.test(after)) return `parse "${text}": invalid port "${after}" after host`;
    return undefined;
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !/^\d*$/.test(host.slice(colon + 1))) return `parse "${text}": invalid port "${host.slice(colon)}" after host`;
  if (/[ <>"{}|\\^`]/.test(host)) return `parse "${text}": invalid character in host name`;
  return undefined;
}

/** net/textproto.CanonicalMIMEHeaderKey: "accept-encoding" → "Accept-Encoding" (unchanged if it has a space or bad byte). */
export function canonicalHeaderKey(key: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key)) return key;
  return key
    .split('-')
    .map((part) => (part === '' ? part : part[0]?.toUpperCase() + part.slice(1).toLowerCase()))
    .join('-');
}
