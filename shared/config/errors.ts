// One error type for every kind of bad input: it carries the file, the field path and the problem, so the
// CLI can print it on one line and exit 2, and the Lambda can return it as an error object.
import type * as z from 'zod/mini';

export interface ConfigProblem {
  /** Dotted path with indexes, e.g. groups[0].targets[3].http.valid_status_codes ("" for the whole file). */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly file: string;
  readonly problems: ConfigProblem[];

  constructor(file: string, problems: ConfigProblem[]) {
    super(problems.map((p) => `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'));
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

/** Renders a zod path the way people write it: groups[0].targets[3].http.url */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function problemsFromZod(error: z.core.$ZodError): ConfigProblem[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys;
      return {
        path: formatPath([...issue.path, ...(keys.length === 1 ? [keys[0] as string] : [])]),
        message: keys.length === 1 ? `unknown field "${keys[0]}"` : `unknown fields ${keys.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    return { path: formatPath(issue.path), message: issue.message };
  });
}
