// Variables of a multi-step check: `${name}` substituted into a step's url, headers and body, and values
// extracted from a step's response (a JSON path, a header, a regex capture). Pure functions.
import { VARIABLE_RE, type HttpStep, type StepExtraction } from '../../config/index.js';
import type { ResponseHeaders } from '../http/checks.js';
import { jsonValueAt } from '../http/json-body.js';
import { cachedRe2 } from '../../regex/index.js';

/** Replaces each `${name}`; `$${` stays a literal `${`. The schema has checked every name is defined. */
export function substitute(template: string, variables: ReadonlyMap<string, string>): string {
  return template.replace(VARIABLE_RE, (all, name: string | undefined) => (name === undefined ? '${' : (variables.get(name) ?? all)));
}

/** The step as an `http` module block, with its variables filled in. */
export function stepRequest(step: HttpStep, variables: ReadonlyMap<string, string>) {
  const { name: _name, extract: _extract, variables_from: _variablesFrom, ...http } = step;
  const headers: Record<string, string> = {};
  for (const [header, value] of Object.entries(http.headers)) headers[header] = substitute(value, variables);
  return {
    ...http,
    url: substitute(http.url, variables),
    headers,
    ...(http.body !== undefined ? { body: substitute(http.body, variables) } : {}),
  };
}

/** The first capture group of an RE2 pattern in `text` (the whole match when it has none), or undefined. */
function firstCapture(pattern: string, text: string): string | undefined {
  const match = cachedRe2(pattern).exec(text);
  if (!match) return undefined;
  return match.groups[1] ?? match.groups[0];
}

/**
 * The longest value a step may extract: it goes into later steps' URLs and headers, where servers refuse
 * anything near this long anyway; a larger match (a whole body captured by a loose regex) fails the step.
 */
export const MAX_EXTRACTED_CHARS = 64 * 1024;

export interface ExtractionInput {
  headers: ResponseHeaders;
  body: string;
}

/** The extracted value, or an error message saying why there is none. */
export function extractValue(spec: StepExtraction, response: ExtractionInput): { value: string } | { error: string } {
  const found = extractRaw(spec, response);
  if ('value' in found && found.value.length > MAX_EXTRACTED_CHARS) {
    return { error: `the extracted value is ${found.value.length} characters long, more than the ${MAX_EXTRACTED_CHARS} a variable may hold` };
  }
  return found;
}

function extractRaw(spec: StepExtraction, response: ExtractionInput): { value: string } | { error: string } {
  if (spec.json !== undefined) {
    let document: unknown;
    try {
      document = JSON.parse(response.body);
    } catch {
      return { error: `the body is not JSON (${response.body.length} bytes), so json path ${spec.json} has no value` };
    }
    const found = jsonValueAt(document, spec.json);
    if (found === undefined || found.value === null) return { error: `the JSON body has no value at ${spec.json}` };
    return { value: typeof found.value === 'string' ? found.value : JSON.stringify(found.value) };
  }
  if (spec.header !== undefined) {
    const raw = response.headers[spec.header.toLowerCase()];
    const text = Array.isArray(raw) ? raw.join(', ') : raw;
    if (text === undefined) return { error: `the response has no ${spec.header} header` };
    if (spec.regexp === undefined) return { value: text };
    const captured = firstCapture(spec.regexp, text);
    return captured === undefined ? { error: `header ${spec.header} does not match ${JSON.stringify(spec.regexp)}` } : { value: captured };
  }
  const captured = firstCapture(spec.regexp as string, response.body);
  return captured === undefined ? { error: `the body does not match ${JSON.stringify(spec.regexp)}` } : { value: captured };
}
