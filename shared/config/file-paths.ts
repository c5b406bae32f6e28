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

type FieldPath = Array<string | number>;

/** groups[0].targets[1].http.tls_config.ca_file: built only for a reference found, not for every node walked. */
function fieldName(path: FieldPath): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key), '');
}

/** A path as written → resolved against the targets file's directory; one join per distinct path (10 000 targets
 *  sharing one ca_file join once). */
type Resolver = (path: string) => string;

function resolverFor(dir: string): Resolver {
  const seen = new Map<string, string>();
  return (path) => {
    let resolved = seen.get(path);
    if (resolved === undefined) seen.set(path, (resolved = isAbsolute(path) ? path : join(dir, path)));
    return resolved;
  };
}

/**
 * Collects every file reference of `value` (a parsed targets file or part of one) and returns `value` with them
 * resolved: a copy of each object on the way to a reference, the same object where nothing changed (a file
 * without references costs one walk and no allocation — the probe runs this at its first invocation).
 */
function visit(value: unknown, path: FieldPath, dir: Resolver, found: FileReference[] | undefined): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item, index) => {
      path.push(index);
      const next = visit(item, path, dir, found);
      path.pop();
      if (next !== item) (out ??= [...value])[index] = next;
    });
    return out ?? value;
  }
  // Only plain objects are walked (and copied): anything else a schema made is left whole.
  if (value === null || typeof value !== 'object' || ![Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) return value;
  const object = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key in object) {
    const child = object[key];
    if (OPAQUE_KEYS.has(key) || child === null || (typeof child !== 'object' && typeof child !== 'string')) continue;
    path.push(key);
    let next: unknown = child;
    if (PATH_KEYS.has(key) && typeof child === 'string' && child !== '') {
      next = dir(child);
      found?.push({ field: fieldName(path), written: child, path: next as string, secret: false });
    } else if (REF_KEYS.has(key) && typeof child === 'string') next = fileRef(child, path, dir, found);
    else if (REF_MAP_KEYS.has(key) && typeof child === 'object' && !Array.isArray(child)) {
      const refs = child as Record<string, unknown>;
      let resolved: Record<string, unknown> | undefined;
      for (const name in refs) {
        const ref = refs[name];
        if (typeof ref !== 'string') continue;
        path.push(name);
        const r = fileRef(ref, path, dir, found);
        path.pop();
        if (r !== ref) (resolved ??= { ...refs })[name] = r;
      }
      next = resolved ?? child;
    } else if (typeof child === 'object') next = visit(child, path, dir, found);
    path.pop();
    if (next !== child) (out ??= { ...object })[key] = next;
  }
  return out ?? value;
}

function fileRef(ref: string, field: FieldPath, dir: Resolver, found: FileReference[] | undefined): string {
  if (!ref.startsWith('file:') || ref.length === 5) return ref;
  const written = ref.slice(5);
  const path = dir(written);
  found?.push({ field: fieldName(field), written, path, secret: true });
  return `file:${path}`;
}

/** `targets` with every relative file path resolved against `dir`, the targets file's directory. */
export function resolveFilePaths<T>(targets: T, dir: string): T {
  return visit(targets, [], resolverFor(dir), undefined) as T;
}

/** Every file `targets` refers to, resolved against `dir`. */
export function fileReferences(targets: unknown, dir: string): FileReference[] {
  const found: FileReference[] = [];
  visit(targets, [], resolverFor(dir), found);
  return found;
}
