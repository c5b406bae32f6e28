// Where samples go: a single node (http://vm:8428), a cluster insert path (http://vminsert:8480/insert/0/prometheus)
// or vmauth in front of either. The import path is appended unless the URL already names it.

const IMPORT_PATH = '/api/v1/import/prometheus';

export function importUrl(base: string): URL {
  const url = new URL(base);
  if (!url.pathname.endsWith(IMPORT_PATH)) url.pathname = `${url.pathname.replace(/\/+$/, '')}${IMPORT_PATH}`;
  return url;
}

/** The URL as it may appear in logs: no userinfo, no query string (vmauth tokens can live there). */
export function redactUrl(url: string | URL): string {
  const copy = new URL(url);
  copy.username = '';
  copy.password = '';
  copy.search = copy.search ? '?…' : '';
  return copy.toString();
}
