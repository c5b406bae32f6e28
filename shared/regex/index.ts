// Regular expressions in Go's RE2 syntax with linear-time matching, the engine loaded on first need.
export { compileRe2, Re2Regex, RegexSyntaxError, type Re2Match } from './compile.js';
export { cachedRe2 } from './cache.js';
export { expandTemplate, replaceAllRe2 } from './expand.js';
export { compilesRegexes, loadRegexEngine, regexEngineLoaded, RegexEngineNotLoadedError, withRegexEngine } from './engine.js';
