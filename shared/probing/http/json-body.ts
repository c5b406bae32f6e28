// json_body, our addition to blackbox's options: a deep partial match (subset) and assertions on values
// addressed by dot paths with [n] indexes (checks.db.status, items[0].id).
import type { HttpModule } from '../../config/index.js';
import { cachedRe2 } from '../../regex/index.js';

type JsonBodySpec = NonNullable<HttpModule['json_body']>;
type PathAssertion = JsonBodySpec['paths'][number];
type Segment = string | number;

const MISSING = Symbol('missing');
const VALUE_CHARS = 80;

const pathCache = new Map<string, Segment[]>();

/** "checks.db.status" → ["checks", "db", "status"]; "items[0].id" → ["items", 0, "id"]; a leading "$." is allowed. */
export function parseJsonPath(path: string): Segment[] {
  const cached = pathCache.get(path);
  if (cached) return cached;
  const segments: Segment[] = [];
  const text = path.replace(/^\$\.?/, '');
  const token = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|(\.)/gy;
  let at = 0;
  while (at < text.length) {
    token.lastIndex = at;
    const match = token.exec(text);
    if (!match) throw new Error(`json_body path "${path}" is not valid at "${text.slice(at)}"`);
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(`"${match[3]}"`) as string);
    at = token.lastIndex;
  }
  pathCache.set(path, segments);
  return segments;
}

/** The value at `path` in a parsed JSON document, or undefined when there is none. */
export function jsonValueAt(root: unknown, path: string): { value: unknown } | undefined {
  const value = lookup(root, parseJsonPath(path));
  return value === MISSING ? undefined : { value };
}

function lookup(root: unknown, segments: readonly Segment[]): unknown {
  let value: unknown = root;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(value) || segment >= value.length) return MISSING;
      value = value[segment] as unknown;
    } else {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, segment)) return MISSING;
      value = (value as Record<string, unknown>)[segment];
    }
  }
  return value;
}

function show(value: unknown): string {
  if (value === MISSING) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS)}…` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Where `actual` first differs from `expected` (every key of an expected object, every index of an expected array). */
function subsetMismatch(expected: unknown, actual: unknown, at: string): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}: expected an array, got ${show(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      if (i >= actual.length) return `${at}[${i}]: expected ${show(expected[i])}, got nothing`;
      const mismatch = subsetMismatch(expected[i], actual[i], `${at}[${i}]`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return `${at}: expected an object, got ${show(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const path = `${at}.${key}`;
      if (!Object.hasOwn(actual, key)) return `${path}: expected ${show(value)}, got nothing`;
      const mismatch = subsetMismatch(value, actual[key], path);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${at}: expected ${show(expected)}, got ${show(actual)}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

function pathFailure(body: unknown, assertion: PathAssertion): string | undefined {
  const value = lookup(body, parseJsonPath(assertion.path));
  const where = assertion.path;
  if (assertion.exists === false) {
    return value === MISSING ? undefined : `${where}: expected to be absent, got ${show(value)}`;
  }
  if (value === MISSING) return `${where}: not found`;
  if (assertion.equals !== undefined && !deepEqual(assertion.equals, value)) {
    return `${where}: expected ${show(assertion.equals)}, got ${show(value)}`;
  }
  if (assertion.regexp !== undefined) {
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    if (!cachedRe2(assertion.regexp).test(text)) {
      return `${where}: ${show(value)} does not match regular expression ${JSON.stringify(assertion.regexp)}`;
    }
  }
  if (assertion.min !== undefined || assertion.max !== undefined) {
    if (typeof value !== 'number') return `${where}: expected a number, got ${show(value)}`;
    if (assertion.min !== undefined && value < assertion.min) return `${where}: ${value} is below the minimum ${assertion.min}`;
    if (assertion.max !== undefined && value > assertion.max) return `${where}: ${value} is above the maximum ${assertion.max}`;
  }
  return undefined;
}

/** Whether json_body asks for anything (and so the body must be kept). */
export function hasJsonAssertions(spec: JsonBodySpec | undefined): spec is JsonBodySpec {
  return spec !== undefined && (spec.subset !== undefined || spec.paths.length > 0);
}

/** The first json_body assertion the body fails, or undefined. */
export function jsonBodyFailure(text: string, spec: JsonBodySpec): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not valid JSON';
  }
  if (spec.subset !== undefined) {
    const mismatch = subsetMismatch(spec.subset, body, '$');
    if (mismatch) return `subset mismatch at ${mismatch}`;
  }
  for (const assertion of spec.paths) {
    let message: string | undefined;
    try {
      message = pathFailure(body, assertion);
    } catch (err) {
      message = (err as Error).message;
    }
    if (message) return message;
  }
  return undefined;
}
