// Where samples go: a single node (http://vm:8428), a cluster insert path (http://vminsert:8480/insert/0/prometheus)
// or vmauth in front of either. The import path is appended unless the URL already names it.

const IMPORT_PATH = '/api/v1/import/prometheus';

/** An endpoint below the base URL's path (which may be a cluster prefix such as /select/0/prometheus). */
export function vmEndpoint(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url;
}

export function importUrl(base: string): URL {
  const url = new URL(base);
  return url.pathname.endsWith(IMPORT_PATH) ? url : vmEndpoint(base, IMPORT_PATH);
}

/** The URL as it may appear in logs: no userinfo, no query string (vmauth tokens can live there). */
export function redactUrl(url: string | URL): string {
  const copy = new URL(url);
  copy.username = '';
  copy.password = '';
  copy.search = copy.search ? '?…' : '';
  return copy.toString();
}
