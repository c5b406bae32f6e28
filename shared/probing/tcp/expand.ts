// Go's regexp.Expand, so a query_response `send: "HELO ${1}"` or `${name}` expands exactly as it does under
// blackbox_exporter: $1 / ${1} / $name / ${name}, $$ for a literal $, unknown or unmatched groups expand to
// nothing, and a malformed reference ("$", "${x") stays literal text.

/** Expands `template` with the groups of `match` (a JavaScript exec result). */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = extractReference(rest);
    if (!ref) {
      out += '$';
      continue;
    }
    rest = ref.rest;
    out += ref.index !== undefined ? (match[ref.index] ?? '') : (match.groups?.[ref.name] ?? '');
  }
  return out + rest;
}

interface Reference {
  name: string;
  /** Set when the name is a group number (no leading zero). */
  index?: number;
  rest: string;
}

function extractReference(text: string): Reference | undefined {
  const braced = text.startsWith('{');
  const body = braced ? text.slice(1) : text;
  // Go: the longest run of letters, digits and underscores.
  const name = /^[\p{L}\p{Nd}_]+/u.exec(body)?.[0];
  if (!name) return undefined;
  let consumed = name.length;
  if (braced) {
    if (body[consumed] !== '}') return undefined;
    consumed += 1;
  }
  const rest = body.slice(consumed);
  const numeric = /^[0-9]+$/.test(name) && !(name.length > 1 && name.startsWith('0')) && name.length <= 8;
  return numeric ? { name, index: Number(name), rest } : { name, rest };
}
