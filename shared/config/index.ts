export { parseDuration, formatDuration } from './duration.js';
export { parseByteSize } from './bytes.js';
export { compileRe2, RegexSyntaxError, withRegexEngine } from '../regex/index.js';
export { createSecretResolver, SecretError, type SecretResolver, type SsmFetcher } from './secrets.js';
export { ConfigError, type ConfigProblem } from './errors.js';
export { loadTarget, loadTargetsFile, parseTargetsFile, parseTarget, parseYaml } from './load.js';
export * from './schema.js';
export { detectModule, targetInputFromUrl } from './target-from-url.js';
