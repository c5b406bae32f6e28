// Where VictoriaMetrics lives: a single node (http://vm:8428), a cluster path (http://vminsert:8480/insert/0/prometheus,
// http://vmselect:8481/select/0/prometheus) or vmauth in front of either. Every endpoint is joined below the
// base URL's path, and the base's own query string (vmauth can take its token there) is kept.
import { withoutUserinfo } from '../observability/redact.js';

export const IMPORT_PATH = '/api/v1/import/prometheus';

/** An endpoint below the base URL's path, with `params` added to the base's query string. */
export function vmEndpoint(base: string, path: string, params?: URLSearchParams): URL {
  const url = new URL(base);
  // fetch refuses URLs with credentials: they travel as an Authorization header instead (see auth.ts).
  url.username = '';
  url.password = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  if (params) for (const [k, v] of params) url.searchParams.append(k, v);
  return url;
}

/** The import endpoint; a URL that already names it is used as given. */
export function importUrl(base: string): URL {
  const url = new URL(base);
  if (!url.pathname.endsWith(IMPORT_PATH)) return vmEndpoint(base, IMPORT_PATH);
  url.username = '';
  url.password = '';
  return url;
}

/** The base of a write URL that names the import endpoint (for the other endpoints of the same server). */
export function baseOfWriteUrl(url: string): string {
  const copy = new URL(url);
  if (copy.pathname.endsWith(IMPORT_PATH)) copy.pathname = copy.pathname.slice(0, -IMPORT_PATH.length) || '/';
  return copy.toString();
}

/** The URL as it may appear in logs and errors: no userinfo, no query string (vmauth tokens can live there). */
export function redactUrl(url: string | URL): string {
  let copy: URL;
  try {
    copy = new URL(url);
  } catch {
    // Not a URL (a typo in --vm-url): still printed without what looks like credentials.
    return withoutUserinfo(String(url)).replace(/\?.*$/, '?…');
  }
  copy.username = '';
  copy.password = '';
  copy.search = copy.search ? '?…' : '';
  return copy.toString();
}
