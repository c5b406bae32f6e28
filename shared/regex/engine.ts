// The RE2 engine (re2js, a port of RE2/J: linear-time matching, Go's regexp syntax) is loaded on first need,
// not when a Lambda starts: most probe groups have no regexes, and its module initialisation (~15 ms) would
// otherwise be part of every cold start. Code that compiles patterns synchronously (schema validation,
// template parsing) runs inside withRegexEngine, which loads the engine when a pattern turns up and runs the
// work again.
import type * as Re2js from 're2js';

export type Re2Module = typeof Re2js;

let engine: Re2Module | undefined;
let loading: Promise<Re2Module> | undefined;

/** Thrown by a synchronous compile before the engine is loaded; withRegexEngine catches it. */
export class RegexEngineNotLoadedError extends Error {
  constructor() {
    super('the RE2 engine is not loaded yet: run the work inside withRegexEngine() or await loadRegexEngine() first');
    this.name = 'RegexEngineNotLoadedError';
  }
}

/** Loads the engine once per process; later calls return the same promise. */
export function loadRegexEngine(): Promise<Re2Module> {
  loading ??= import('re2js').then((module) => {
    engine = module;
    return module;
  });
  return loading;
}

export function regexEngineLoaded(): boolean {
  return engine !== undefined;
}

/** The loaded engine, or RegexEngineNotLoadedError. */
export function requireEngine(): Re2Module {
  if (engine === undefined) throw new RegexEngineNotLoadedError();
  return engine;
}

/**
 * Whether synchronous `work` compiles an RE2 pattern: runs it as if the engine were not loaded (the engine
 * itself is left as it is). Package-time tooling uses it to record whether a validated file needs the engine.
 */
export function compilesRegexes(work: () => unknown): boolean {
  const loaded = engine;
  engine = undefined;
  try {
    work();
    return false;
  } catch (err) {
    if (err instanceof RegexEngineNotLoadedError) return true;
    throw err;
  } finally {
    engine = loaded;
  }
}

/**
 * Runs synchronous work that may compile RE2 patterns. When it needs the engine and the engine is not loaded
 * yet, loads it and runs the work again from the start, so the work must have no side effects before its
 * first pattern (parsing and validating have none).
 */
export async function withRegexEngine<T>(work: () => T): Promise<T> {
  if (engine === undefined) {
    try {
      return work();
    } catch (err) {
      if (!(err instanceof RegexEngineNotLoadedError)) throw err;
    }
    await loadRegexEngine();
  }
  return work();
}
