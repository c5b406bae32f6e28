// Patterns come from the targets file and are the same for every run of a target: compile each once per
// process, not once per probe (thousands of probes per run).
import { compileRe2 } from '../../config/index.js';

const cache = new Map<string, RegExp>();

/** The RE2 pattern as a JavaScript RegExp, compiled on first use. The schema has already validated it. */
export function cachedRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = compileRe2(pattern);
    cache.set(pattern, re);
  }
  return re;
}
