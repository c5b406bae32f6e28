// The values a template works with, mapped onto Go's types so printing and comparisons behave as in
// Prometheus: float64 is a JS number, Go's int is a bigint (integer literals, len, range indexes), label
// sets are map[string]string (plain records), time.Time is GoTime.

/** A label set: Go's map[string]string. */
export type GoMap = Readonly<Record<string, string>>;

/** time.Time in UTC at millisecond resolution (Prometheus' model.Time resolution). */
export class GoTime {
  constructor(readonly ms: number) {}
}

/** time.Duration: nanoseconds. */
export class GoDuration {
  constructor(readonly ns: bigint) {}
}

/** The template's dot: Prometheus' alert template data (Value, Labels, ExternalLabels, ExternalURL) plus
 *  vmalert's (Expr, ActiveAt, For, Interval, Type, IsPartial). */
export class AlertRoot {
  constructor(
    readonly Value: number,
    readonly Labels: GoMap,
    readonly ExternalLabels: GoMap,
    readonly Expr: string,
    readonly ExternalURL: string = '',
    readonly ActiveAt: GoTime = new GoTime(0),
    readonly For: GoDuration = new GoDuration(0n),
    readonly Interval: GoDuration = new GoDuration(0n),
    /** When the template is rendered (the evaluation time): now(). */
    readonly nowMs: number = Date.now(),
  ) {}

  readonly Type = 'prometheus';
  readonly IsPartial = false;
}

export const ROOT_FIELDS = ['Value', 'Labels', 'ExternalLabels', 'Expr', 'ExternalURL', 'ActiveAt', 'For', 'Interval', 'Type', 'IsPartial'] as const;

/** null is Go's nil. */
export type Value = string | number | bigint | boolean | null | GoMap | readonly Value[] | GoTime | GoDuration | AlertRoot;

export function isMap(v: Value): v is GoMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoTime) && !(v instanceof GoDuration) && !(v instanceof AlertRoot);
}

export function mapGet(m: GoMap, key: string): string {
  // missingkey=zero (Prometheus and vmalert): a missing label is the empty string.
  return Object.hasOwn(m, key) ? (m[key] as string) : '';
}

export function sortedKeys(m: GoMap): string[] {
  return Object.keys(m).sort();
}

export function typeName(v: Value): string {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
    default:
      if (v === null) return '<nil>';
      if (Array.isArray(v)) return '[]interface {}';
      if (v instanceof GoTime) return 'time.Time';
      if (v instanceof GoDuration) return 'time.Duration';
      if (v instanceof AlertRoot) return 'template.alertData';
      return 'map[string]string';
  }
}

/** Go's isTrue: the zero value, empty strings, maps and lists are false; everything else is true. */
export function isTrue(v: Value): boolean {
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'boolean':
      return v;
    default:
      if (v === null) return false;
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof GoDuration) return v.ns !== 0n;
      if (v instanceof GoTime || v instanceof AlertRoot) return true;
      for (const key in v) if (Object.hasOwn(v, key)) return true;
      return false;
  }
}

/** Length of a string in UTF-8 bytes, as Go's len counts it. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
