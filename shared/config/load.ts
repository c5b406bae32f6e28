// Reading targets files: YAML → schema → typed config, every failure a ConfigError naming file and field.
import { dirname } from 'node:path';
import { readConfigText } from './read-text.js';
import { resolveFilePaths } from './file-paths.js';
import { parseYaml } from './yaml.js';
import { withRegexEngine } from '../regex/index.js';
import { ConfigError, problemsFromZod } from './errors.js';
import { targetSchema, targetsFileSchema, type TargetSpec, type TargetsFile } from './schema.js';

// Every YAML file is read as Go's yaml.v3 reads it (merge keys, 1.1 booleans in boolean fields, the first
// document, aliases bounded by their share): see yaml.ts.
export { parseYaml };

/** Parses a targets file; throws RegexEngineNotLoadedError when it has regexes and the engine is not loaded
 *  (loadTargetsFile, or withRegexEngine around this call, loads it). */
export function parseTargetsFile(text: string, file: string): TargetsFile {
  const raw = parseYaml(text, file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: '', message: 'must be a YAML mapping with labels, defaults and groups' }]);
  }
  const parsed = targetsFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, problemsFromZod(parsed.error));
  return parsed.data;
}

/** Reads, parses and validates a targets file; the files it names are resolved against its directory (file-paths.ts). */
export async function loadTargetsFile(file: string): Promise<TargetsFile> {
  const text = await readConfigText(file);
  return resolveFilePaths(await withRegexEngine(() => parseTargetsFile(text, file)), dirname(file));
}

/**
 * Validates one target given outside a file (CLI flags, a Lambda event); `source` names where it came from.
 * Loads the RE2 engine when the target has regexes.
 */
export function loadTarget(raw: unknown, source: string): Promise<TargetSpec> {
  return withRegexEngine(() => parseTarget(raw, source));
}

/** parseTarget without loading the RE2 engine: throws RegexEngineNotLoadedError when it is needed and not loaded. */
export function parseTarget(raw: unknown, source: string): TargetSpec {
  const parsed = targetSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(source, problemsFromZod(parsed.error));
  return parsed.data;
}
