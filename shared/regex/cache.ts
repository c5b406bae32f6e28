// Patterns come from targets and rule files and are the same for every run: compile each once per process,
// not once per probe or notification. Bounded, because template arguments can be computed at render time.
import { compileRe2, type Re2Regex } from './compile.js';

const CACHE_LIMIT = 1024;
const cache = new Map<string, Re2Regex>();

/** The compiled pattern, from the cache or compiled now (throws RegexSyntaxError for a bad pattern). */
export function cachedRe2(pattern: string): Re2Regex {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = compileRe2(pattern);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}
