// Files a targets file names — tls_config's ca_file, cert_file and key_file, basic_auth.password_file, and
// `file:` secret references (password_from, bearer_token_from, key_from, metadata_from, variables_from) — are
// relative to the targets file, as its rule_files are: the same file means the same thing from any working
// directory, on a laptop and in the Lambda, where it lies under $LAMBDA_TASK_ROOT/targets/. An absolute path
// stays as it is. `file:` references given elsewhere (VM_WRITE_PASSWORD_FROM, --password-from) are relative to
// the working directory, as any path on a command line.
//
// Found by key, wherever they are (every module, each step of a multi-step check, a discovery group's target
// template), so a new module with a tls_config needs nothing here. Pure and dependency-free: the probe's cold
// start runs it on the package-time snapshot.
import { isAbsolute, join } from 'node:path';

/** Keys whose string value is a file path. */
const PATH_KEYS = new Set(['ca_file', 'cert_file', 'key_file', 'password_file']);
/** Keys whose string value is a secret reference, or a map of them. */
const REF_KEYS = new Set(['password_from', 'bearer_token_from', 'key_from']);
const REF_MAP_KEYS = new Set(['metadata_from', 'variables_from']);
/** Values that are the user's own data, never paths: a label or header named ca_file is just that. */
const OPAQUE_KEYS = new Set(['labels', 'headers', 'metadata', 'body', 'json_body', 'extract', 'query_response', 'rules', 'rule_files', 'alerting']);

/** A file the targets file refers to: where (groups[0].targets[1].http.tls_config.ca_file) and which file. */
export interface FileReference {
  field: string;
  /** The path as written (for a secret reference, without `file:`). */
  written: string;
  /** The path resolved against the targets file's directory. */
  path: string;
  /** A `file:` secret reference rather than a path field. */
  secret: boolean;
}

function fieldName(parent: string, key: string | number): string {
  return typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
}

const resolveAgainst = (dir: string, path: string) => (isAbsolute(path) ? path : join(dir, path));

/** Collects every file reference of `value` (a parsed targets file or part of one); with `rewrite`, returns a copy with them resolved. */
function visit(value: unknown, field: string, dir: string, found: FileReference[], rewrite: boolean): unknown {
  if (Array.isArray(value)) {
    const out = value.map((item, index) => visit(item, fieldName(field, index), dir, found, rewrite));
    return rewrite ? out : value;
  }
  // Only plain objects are walked (and copied): anything else a schema made is left whole.
  if (value === null || typeof value !== 'object' || ![Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const at = fieldName(field, key);
    if (OPAQUE_KEYS.has(key)) out[key] = child;
    else if (PATH_KEYS.has(key) && typeof child === 'string' && child !== '') {
      const path = resolveAgainst(dir, child);
      found.push({ field: at, written: child, path, secret: false });
      out[key] = path;
    } else if (REF_KEYS.has(key) && typeof child === 'string') out[key] = fileRef(child, at, dir, found);
    else if (REF_MAP_KEYS.has(key) && child !== null && typeof child === 'object' && !Array.isArray(child)) {
      out[key] = Object.fromEntries(Object.entries(child as Record<string, unknown>).map(([name, ref]) => [name, typeof ref === 'string' ? fileRef(ref, fieldName(at, name), dir, found) : ref]));
    } else out[key] = visit(child, at, dir, found, rewrite);
  }
  return rewrite ? out : value;
}

function fileRef(ref: string, field: string, dir: string, found: FileReference[]): string {
  if (!ref.startsWith('file:') || ref.length === 5) return ref;
  const written = ref.slice(5);
  const path = resolveAgainst(dir, written);
  found.push({ field, written, path, secret: true });
  return `file:${path}`;
}

/** `targets` with every relative file path resolved against `dir`, the targets file's directory. */
export function resolveFilePaths<T>(targets: T, dir: string): T {
  return visit(targets, '', dir, [], true) as T;
}

/** Every file `targets` refers to, resolved against `dir`. */
export function fileReferences(targets: unknown, dir: string): FileReference[] {
  const found: FileReference[] = [];
  visit(targets, '', dir, found, false);
  return found;
}
