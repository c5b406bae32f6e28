// The scalar rules of Go's yaml.v3 (resolve.go) as tags of the `yaml` library: which plain scalars are
// numbers (0777 and 0o777 octal, 0x1F hex, 0b101 binary, 1_000, .5, 1e3, .inf/.nan) and how `!!binary`
// decodes. The core schema's null and bool rules are already yaml.v3's (only true/false, in three casings).
import type { ScalarTag, Tags } from 'yaml';

const GO_FLOAT_RE = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// A Map, not an object: a scalar such as `constructor` or `toString` must not find Object.prototype's members.
const GO_SPECIAL_FLOATS = new Map<string, number>();
for (const text of ['.nan', '.NaN', '.NAN']) GO_SPECIAL_FLOATS.set(text, NaN);
for (const text of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']) GO_SPECIAL_FLOATS.set(text, Infinity);
for (const text of ['-.inf', '-.Inf', '-.INF']) GO_SPECIAL_FLOATS.set(text, -Infinity);

/** Go's strconv.ParseInt/ParseUint with base 0 (0x, 0o, 0b prefixes; a leading 0 is octal). */
function goParseInt(text: string): number | undefined {
  const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const [, sign, digits = ''] = match;
  let value: number;
  if (/^0[xXoObB]/.test(digits)) value = Number(digits.toLowerCase());
  else if (digits.length > 1) value = digits.startsWith('0') ? parseInt(digits, 8) : Number(digits);
  else value = Number(digits);
  // Beyond uint64 Go falls through to its float rule; as a JavaScript number it is the same value.
  return sign === '-' ? -value : value;
}

/** What yaml.v3 resolves a plain scalar to, when it is a number: an int, a float, or neither (undefined). */
export function goNumber(text: string): { value: number; int: boolean } | undefined {
  const special = GO_SPECIAL_FLOATS.get(text);
  if (special !== undefined) return { value: special, int: false };
  const first = text[0];
  if (first === '.') return GO_FLOAT_RE.test(text) ? { value: Number(text), int: false } : undefined;
  if (first === undefined || !/[-+0-9]/.test(first)) return undefined;
  const plain = text.replaceAll('_', '');
  const int = goParseInt(plain);
  if (int !== undefined) return { value: int, int: true };
  if (GO_FLOAT_RE.test(plain)) return { value: Number(plain), int: false };
  return undefined;
}

/** A RegExp whose test() is a function: the library picks a tag by calling `tag.test.test(text)`. */
class Matcher extends RegExp {
  constructor(private readonly accepts: (text: string) => boolean) {
    super('');
  }
  override test(text: string): boolean {
    return this.accepts(text);
  }
}

function numberTag(name: 'int' | 'float'): ScalarTag {
  const int = name === 'int';
  return {
    tag: `tag:yaml.org,2002:${name}`,
    default: true,
    identify: (value) => typeof value === 'number' && (!int || Number.isInteger(value)),
    test: new Matcher((text) => goNumber(text)?.int === int),
    resolve: (text, onError) => {
      const resolved = goNumber(text);
      // An explicit !!float takes an int; an explicit !!int takes only an int (yaml.v3).
      if (resolved === undefined || (int && !resolved.int)) {
        onError(`cannot decode !!str \`${text}\` as a !!${name}`);
        return text;
      }
      return resolved.value;
    },
  };
}

/** `!!binary`: base64 (line breaks allowed), decoded to text as Go decodes it into a string field. */
const goBinaryTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:binary',
  default: false,
  identify: () => false,
  resolve: (text, onError) => {
    const compact = text.replace(/\s+/g, '');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact)) {
      onError('!!binary value contains invalid base64 data');
      return text;
    }
    return Buffer.from(compact, 'base64').toString('utf8');
  },
};

/** The core schema (its null, bool, map, seq and string rules are yaml.v3's) with yaml.v3's numbers. */
export function goTags(tags: Tags): Tags {
  const kept = tags.filter((tag) => {
    const name = typeof tag === 'string' ? tag : tag.tag;
    return name !== 'tag:yaml.org,2002:int' && name !== 'tag:yaml.org,2002:float';
  });
  return [...kept, numberTag('int'), numberTag('float'), goBinaryTag];
}
