// The response checks blackbox_exporter's http prober makes, in its order: status code, headers, body.
// Each returns a failure message, or undefined when the response passes.
import type { HttpModule } from '../../config/index.js';
import { cachedRe2 } from '../../regex/index.js';

type HeaderMatch = HttpModule['fail_if_header_matches'][number];
/** Response headers: lower-case names, repeated headers as arrays. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** blackbox: valid_status_codes when given, else any 2xx. */
export function statusFailure(status: number, valid: readonly number[] | undefined): string | undefined {
  if (valid && valid.length > 0) {
    return valid.includes(status) ? undefined : `status code ${status} is not one of ${valid.join(', ')}`;
  }
  return status >= 200 && status < 300 ? undefined : `status code ${status} is not 2xx`;
}

function headerValues(headers: ResponseHeaders, name: string): readonly string[] {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/**
 * matchRegularExpressionsOnHeaders: a missing header fails unless allow_missing; fail_if_header_matches
 * fails when any value of the header matches, fail_if_header_not_matches when no value does.
 */
export function headerFailure(headers: ResponseHeaders, module: HttpModule): string | undefined {
  const check = (spec: HeaderMatch, failWhenMatched: boolean): string | undefined => {
    const values = headerValues(headers, spec.header);
    if (values.length === 0) return spec.allow_missing ? undefined : `header ${spec.header} is missing`;
    const re = cachedRe2(spec.regexp);
    const matched = values.some((value) => re.test(value));
    if (matched === failWhenMatched) {
      return `header ${spec.header} ${matched ? 'matched' : 'did not match'} regular expression ${JSON.stringify(spec.regexp)}`;
    }
    return undefined;
  };
  for (const spec of module.fail_if_header_matches) {
    const message = check(spec, true);
    if (message) return message;
  }
  for (const spec of module.fail_if_header_not_matches) {
    const message = check(spec, false);
    if (message) return message;
  }
  return undefined;
}

/** fail_if_body_matches_regexp (none may match), fail_if_body_not_matches_regexp (all must match). */
export function bodyRegexFailure(body: string, module: HttpModule): string | undefined {
  for (const pattern of module.fail_if_body_matches_regexp) {
    if (cachedRe2(pattern).test(body)) return `body matched regular expression ${JSON.stringify(pattern)}`;
  }
  for (const pattern of module.fail_if_body_not_matches_regexp) {
    if (!cachedRe2(pattern).test(body)) return `body did not match regular expression ${JSON.stringify(pattern)}`;
  }
  return undefined;
}

/**
 * Go's resp.ContentLength: 0 for HEAD-less bodiless statuses (1xx, 204, 304), -1 when chunked or
 * absent, the header otherwise (for HEAD, the header or -1).
 */
export function contentLength(status: number, method: string, headers: ResponseHeaders): number {
  const header = headers['content-length'];
  const declared = typeof header === 'string' && /^\d+$/.test(header.trim()) ? Number(header.trim()) : -1;
  if (method === 'HEAD') return declared;
  if (status < 200 || status === 204 || status === 304) return 0;
  const te = headers['transfer-encoding'];
  if (typeof te === 'string' && /chunked/i.test(te)) return -1;
  return declared;
}

const HTTP_DATE_FORMATS = [
  // RFC 1123: Sun, 06 Nov 1994 08:49:37 GMT
  /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  /^[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
];
// ANSI C asctime(): Sun Nov  6 08:49:37 1994 (always UTC in HTTP)
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{2}:\d{2}:\d{2}) (\d{4})$/;

/** Go's http.ParseTime: the three HTTP date formats, Unix seconds; undefined when it does not parse. */
export function parseHttpDate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  let ms = Number.NaN;
  if (HTTP_DATE_FORMATS.some((re) => re.test(text))) {
    ms = Date.parse(text);
  } else {
    const asc = ASCTIME.exec(text);
    if (asc) ms = Date.parse(`${asc[2] as string} ${asc[1] as string} ${asc[4] as string} ${asc[3] as string} GMT`);
  }
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** "HTTP/1.1" → 1.1, as blackbox's probe_http_version. */
export function httpVersionNumber(version: string | undefined): number {
  const value = version ? Number.parseFloat(version.replace(/^HTTP\//, '')) : 0;
  return Number.isFinite(value) ? value : 0;
}
