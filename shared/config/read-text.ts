// Reading a file a person named (targets, rules, rule tests, import sources): a failure is one line that
// names the file and says what is wrong — "file not found" or "cannot read file (EACCES)" — never a stack trace.
import { readFile } from 'node:fs/promises';
import { ConfigError } from './errors.js';

/** Why a file could not be read: "<noun> not found" or "cannot read <noun> (CODE)". */
export function readProblem(err: unknown, noun = 'file'): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? `${noun} not found` : `cannot read ${noun} (${code ?? 'error'})`;
}

export const isNotFound = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The file's text; a read failure is a ConfigError for the whole file. */
export async function readConfigText(path: string, noun = 'file'): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ path: '', message: readProblem(err, noun) }]);
  }
}
