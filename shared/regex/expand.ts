// Go's Regexp.Expand: a query_response `send: "HELO ${1}"` or a template's `reReplaceAll "(.*)" "$1"` expands
// exactly as under blackbox_exporter and Prometheus: $1 / ${1} / $name / ${name}, $$ for a literal $, unknown
// or unmatched groups expand to nothing, and a malformed reference ("$", "${x") stays literal text.
import type { Re2Match } from './compile.js';

/** Expands `template` with the captures of `match`. */
export function expandTemplate(template: string, match: Re2Match): string {
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
    out += ref.index !== undefined ? (match.groups[ref.index] ?? '') : (match.named[ref.name] ?? '');
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

/** Go's Regexp.ReplaceAllString, including its rule that an empty match right after a match is skipped. */
export function replaceAllRe2(re: { exec(text: string, from?: number): Re2Match | undefined }, src: string, template: string): string {
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = re.exec(src, searchPos);
    if (!m) break;
    out += src.slice(lastMatchEnd, m.index);
    if (m.end > lastMatchEnd || m.index === 0) out += expandTemplate(template, m);
    lastMatchEnd = m.end;
    const code = src.charCodeAt(searchPos);
    const width = searchPos >= src.length ? 0 : code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    if (searchPos + width > m.end) searchPos += width;
    else if (searchPos + 1 > m.end) searchPos++;
    else searchPos = m.end;
  }
  return out + src.slice(lastMatchEnd);
}
