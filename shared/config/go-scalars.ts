// How Go's YAML decoders (yaml.v2 and yaml.v3, used by Prometheus, blackbox_exporter and Alertmanager) turn a
// scalar into a typed field, for the fields where that differs from the plain JavaScript value:
// - a bool field also takes YAML 1.1's words (yes/no, on/off, y/n in three casings); an untyped value keeps
//   them as strings, so they stay strings in the data and become booleans only where the field is a bool;
// - a string field takes the scalar exactly as written: `version: 1.10` is "1.10", `zip: 01234` is "01234",
//   `~` is "" — not String(1.1) or "null".
// No dependency (not even the YAML library): the schemas and the cold-start path import this.

// yaml.v3's decode.go: these strings, plain or quoted, into a bool field. A quoted "true" is refused, as in Go.
const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);

/** The value a Go bool field gets from this scalar; undefined when Go refuses it ("cannot unmarshal … into bool"). */
export function goBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  if (YAML11_TRUE.has(value)) return true;
  if (YAML11_FALSE.has(value)) return false;
  return undefined;
}

/** Source text of plain scalars whose value is not a string, per mapping or sequence (filled by the YAML loader). */
const writtenText = new WeakMap<object, Map<string | number, string>>();

/** Called by the YAML loader: `container[key]` was written as `text` (e.g. 1.10, 0x1F, True, ~). */
export function rememberScalarText(container: object, key: string | number, text: string): void {
  let texts = writtenText.get(container);
  if (!texts) writtenText.set(container, (texts = new Map()));
  texts.set(key, text);
}

/**
 * The string a Go string field gets from `container[key]`: the scalar as written. Undefined for a mapping or a
 * sequence (Go: "cannot unmarshal !!map into string") and for an absent key. For data that did not come from
 * the YAML loader, the plain value as text.
 */
export function goString(container: object, key: string | number): string | undefined {
  const value: unknown = (container as Record<string | number, unknown>)[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'object') return undefined;
  const written = writtenText.get(container)?.get(key);
  if (written !== undefined) return written;
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : undefined;
}

/** goString for every entry of a mapping; undefined when an entry is not a scalar. */
export function goStringMap(container: Record<string, unknown>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const key of Object.keys(container)) {
    const text = goString(container, key);
    if (text === undefined) return undefined;
    out[key] = text;
  }
  return out;
}
