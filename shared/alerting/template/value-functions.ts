// text/template's builtins over values: eq, ne, lt, le, gt, ge with Go's comparison rules, and index,
// slice and len.
import { FuncError } from './errors.js';
import { GoTime, isMap, mapGet, typeName, utf8Length, type Value } from './values.js';

// --- comparisons (text/template's eq, lt and friends) -----------------------------------------------

type Kind = 'bool' | 'number' | 'string' | 'nil' | 'other';

function kindOf(v: Value): Kind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      // Go refuses to compare int and float64 ("incompatible types for comparison"), which makes
      // {{ if gt $value 100 }} fail at runtime; comparing them as numbers is what the author meant.
      return 'number';
    case 'string':
      return 'string';
    default:
      return v === null ? 'nil' : 'other';
  }
}

function numEq(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
  return Number(a) === Number(b);
}

function numLt(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b;
  return Number(a) < Number(b);
}

export function eq(args: readonly Value[]): boolean {
  const a = args[0] as Value;
  if (args.length < 2) throw new FuncError('missing argument for comparison');
  const ka = kindOf(a);
  for (let i = 1; i < args.length; i++) {
    const b = args[i] as Value;
    const kb = kindOf(b);
    if (ka !== kb) {
      if (ka !== 'nil' && kb !== 'nil') throw new FuncError('incompatible types for comparison');
      continue;
    }
    let truth: boolean;
    switch (ka) {
      case 'number':
        truth = numEq(a as number | bigint, b as number | bigint);
        break;
      case 'nil':
        truth = true;
        break;
      case 'other':
        if (a instanceof GoTime && b instanceof GoTime) {
          truth = a.ms === b.ms;
          break;
        }
        throw new FuncError(`non-comparable type ${typeName(a)}`);
      default:
        truth = a === b;
    }
    if (truth) return true;
  }
  return false;
}

export function lt(a: Value, b: Value): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'nil' || ka === 'other' || kb === 'nil' || kb === 'other') throw new FuncError('invalid type for comparison');
  if (ka !== kb) throw new FuncError('incompatible types for comparison');
  if (ka === 'bool') throw new FuncError('invalid type for comparison');
  if (ka === 'number') return numLt(a as number | bigint, b as number | bigint);
  return (a as string) < (b as string);
}

export const le = (a: Value, b: Value): boolean => lt(a, b) || eq([a, b]);

// --- index, slice, len ------------------------------------------------------------------------------

function intIndex(v: Value, what: string): number {
  if (typeof v !== 'bigint') throw new FuncError(`cannot index ${what} with type ${typeName(v)}`);
  return Number(v);
}

export function index(args: readonly Value[]): Value {
  let item = args[0] as Value;
  if (item === null) throw new FuncError('index of untyped nil');
  for (let i = 1; i < args.length; i++) {
    const key = args[i] as Value;
    if (typeof item === 'string' || Array.isArray(item)) {
      const seq: string | readonly Value[] = item;
      const bytes: Buffer | undefined = typeof seq === 'string' ? Buffer.from(seq, 'utf8') : undefined;
      const length = bytes ? bytes.length : (seq as readonly Value[]).length;
      const x = intIndex(key, typeof seq === 'string' ? 'string' : 'slice/array');
      if (x < 0 || x >= length) throw new FuncError(`index out of range: ${x}`);
      item = bytes ? BigInt(bytes[x] as number) : ((seq as readonly Value[])[x] as Value);
    } else if (isMap(item)) {
      if (typeof key !== 'string') throw new FuncError(`value has type ${typeName(key)}; should be string`);
      item = mapGet(item, key);
    } else {
      throw new FuncError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

export function slice(args: readonly Value[]): Value {
  const item = args[0] as Value;
  if (item === null) throw new FuncError('slice of untyped nil');
  if (typeof item !== 'string' && !Array.isArray(item)) throw new FuncError(`can't slice item of type ${typeName(item)}`);
  if (args.length > 4) throw new FuncError(`too many slice indexes: ${args.length - 1}`);
  if (typeof item === 'string' && args.length === 4) throw new FuncError('cannot 3-index slice a string');
  const bytes = typeof item === 'string' ? Buffer.from(item, 'utf8') : undefined;
  const length = bytes ? bytes.length : (item as readonly Value[]).length;
  const idx = [0, length];
  for (let i = 1; i < args.length && i <= 2; i++) {
    const x = intIndex(args[i] as Value, 'slice');
    if (x < 0 || x > length) throw new FuncError(`index out of range: ${x}`);
    idx[i - 1] = x;
  }
  const [from, to] = idx as [number, number];
  if (from > to) throw new FuncError(`invalid slice index: ${from} > ${to}`);
  return bytes ? bytes.subarray(from, to).toString('utf8') : (item as readonly Value[]).slice(from, to);
}

export function len(v: Value): bigint {
  if (typeof v === 'string') return BigInt(utf8Length(v));
  if (Array.isArray(v)) return BigInt(v.length);
  if (v !== null && isMap(v)) return BigInt(Object.keys(v).length);
  if (v === null) throw new FuncError('len of nil pointer');
  throw new FuncError(`len of type ${typeName(v)}`);
}
