// Decoding YAML data into a description of Go structs, the way yaml.v3 (and yaml.v2's UnmarshalStrict) fill
// them: unknown fields refused, a scalar converted to the field's type or refused ("cannot unmarshal !!str
// `2xx` into int"), a null leaving the default, string fields taking the scalar as written, bool fields taking
// YAML 1.1's yes/no/on/off, and a struct's own checks (its UnmarshalYAML) run after its fields. The result
// is plain data with Go's types and defaults, keyed by the YAML names.
import { goBool, goString } from '../config/go-scalars.js';
import type { YamlPath } from '../config/yaml.js';
import { RegexEngineNotLoadedError } from '../regex/index.js';
import { parseGoDuration } from './go-types.js';

export type GoType =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'int'; unsigned?: boolean }
  | { kind: 'duration' }
  /** A type with its own UnmarshalYAML that reads a string (Regexp, URL, TLSVersion, Base2Bytes…): parse may throw. */
  | { kind: 'text'; name: string; parse: (text: string) => unknown }
  | { kind: 'list'; of: GoType }
  | { kind: 'map'; of: GoType }
  | { kind: 'struct'; name: string; fields: Record<string, GoType>; defaults?: () => Record<string, unknown>; check?: (value: Record<string, unknown>) => void };

export const goTypes = {
  string: { kind: 'string' },
  bool: { kind: 'bool' },
  int: { kind: 'int' },
  uint: { kind: 'int', unsigned: true },
  duration: { kind: 'duration' },
} as const satisfies Record<string, GoType>;

/** Where decoding stopped and why; `path` is within the decoded document. */
export class GoDecodeError extends Error {
  constructor(
    readonly path: YamlPath,
    message: string,
  ) {
    super(message);
  }
}

function yamlKind(value: unknown): string {
  if (Array.isArray(value)) return '!!seq';
  if (value !== null && typeof value === 'object') return '!!map';
  if (typeof value === 'boolean') return '!!bool';
  if (typeof value === 'number') return Number.isInteger(value) ? '!!int' : '!!float';
  return '!!str';
}

function goName(type: GoType): string {
  switch (type.kind) {
    case 'list':
      return `[]${goName(type.of)}`;
    case 'map':
      return `map[string]${goName(type.of)}`;
    case 'struct':
    case 'text':
      return type.name;
    case 'duration':
      return 'time.Duration';
    case 'int':
      return type.unsigned ? 'uint64' : 'int';
    default:
      return type.kind;
  }
}

function cannot(value: unknown, type: GoType, path: YamlPath, text?: string): GoDecodeError {
  const shown = text ?? (typeof value === 'object' ? '' : String(value));
  const excerpt = yamlKind(value) === '!!seq' || yamlKind(value) === '!!map' ? '' : ` \`${shown.length > 10 ? `${shown.slice(0, 7)}...` : shown}\``;
  return new GoDecodeError(path, `cannot unmarshal ${yamlKind(value)}${excerpt} into ${goName(type)}`);
}

/**
 * Decodes `container[key]` as `type`. Undefined means "leave the field as it was" (a null, as Go leaves
 * the default). Throws GoDecodeError at the first problem.
 */
export function decodeGo(container: object, key: string | number, type: GoType, path: YamlPath): unknown {
  const value: unknown = (container as Record<string | number, unknown>)[key];
  if (value === null || value === undefined) return undefined;
  const isCollection = typeof value === 'object';
  switch (type.kind) {
    case 'string': {
      const text = goString(container, key);
      if (text === undefined) throw cannot(value, type, path);
      return text;
    }
    case 'bool': {
      const bool = goBool(value);
      if (bool === undefined) throw cannot(value, type, path, goString(container, key));
      return bool;
    }
    case 'int': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw cannot(value, type, path, goString(container, key));
      const int = Math.trunc(value);
      if (type.unsigned && int < 0) throw cannot(value, type, path, goString(container, key));
      return int;
    }
    case 'duration': {
      // yaml.v3 reads a duration from a string only (a bare number is refused).
      if (typeof value !== 'string') throw cannot(value, type, path, isCollection ? undefined : goString(container, key));
      try {
        return parseGoDuration(value);
      } catch (err) {
        throw new GoDecodeError(path, (err as Error).message);
      }
    }
    case 'text': {
      const text = goString(container, key);
      if (text === undefined) throw cannot(value, { kind: 'string' }, path);
      try {
        return type.parse(text);
      } catch (err) {
        if (err instanceof RegexEngineNotLoadedError) throw err;
        throw new GoDecodeError(path, (err as Error).message);
      }
    }
    case 'list': {
      if (!Array.isArray(value)) throw cannot(value, type, path, goString(container, key));
      return value.map((_, index) => decodeGo(value, index, type.of, [...path, index]) ?? zeroOf(type.of));
    }
    case 'map': {
      if (!isPlainMapping(value)) throw cannot(value, type, path, goString(container, key));
      const out: Record<string, unknown> = {};
      for (const name of Object.keys(value)) out[name] = decodeGo(value, name, type.of, [...path, name]) ?? zeroOf(type.of);
      return out;
    }
    case 'struct': {
      if (!isPlainMapping(value)) throw cannot(value, type, path, goString(container, key));
      const out: Record<string, unknown> = type.defaults?.() ?? {};
      for (const name of Object.keys(value)) {
        const field = type.fields[name];
        if (!field) throw new GoDecodeError([...path, name], `field ${name} not found in type ${type.name}`);
        const decoded = decodeGo(value, name, field, [...path, name]);
        if (decoded !== undefined) out[name] = decoded;
      }
      try {
        type.check?.(out);
      } catch (err) {
        if (err instanceof GoDecodeError || err instanceof RegexEngineNotLoadedError) throw err;
        throw new GoDecodeError(path, (err as Error).message);
      }
      return out;
    }
  }
}

function zeroOf(type: GoType): unknown {
  switch (type.kind) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
    case 'duration':
      return 0;
    case 'list':
      return [];
    case 'map':
    case 'struct':
      return {};
    default:
      return undefined;
  }
}

function isPlainMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
