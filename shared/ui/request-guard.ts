// What the UI server checks and sends before any page code runs: the request target parsed without
// throwing (`GET //[` or `GET http://[` must get a 400, not end the process), the Host header against DNS
// rebinding, and the headers that keep the pages from being framed, sniffed or made to load anything from
// another origin. Pure functions; server.ts applies them.
import { isIP } from 'node:net';

/**
 * The page's Content-Security-Policy. Scripts and stylesheets come only from the UI itself (/static/…), no
 * inline script; the chart data is a `<script type="application/json">` block, which is data, not script.
 * `style-src-attr 'unsafe-inline'`: the pages set widths and bar positions in style attributes (CSS only,
 * every value escaped); browsers without CSP 3 fall back to `style-src 'self'` and lose only those widths.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  // The favicon is `data:,` (an empty icon, so the browser does not ask for /favicon.ico).
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every response, errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * The request target as a URL, or undefined when it is not one the UI serves. Only origin-form targets
 * (`/path?query`) are served; `//[` is a path here, never an authority.
 */
export function requestUrl(target: string | undefined): URL | undefined {
  const text = target ?? '/';
  if (!text.startsWith('/')) return undefined;
  try {
    const url = new URL('http://ui.invalid');
    const query = text.indexOf('?');
    url.pathname = query < 0 ? text : text.slice(0, query);
    if (query >= 0) url.search = text.slice(query);
    return url;
  } catch {
    return undefined;
  }
}

/** The host name of a Host header value ("[::1]:8430" → "::1"), lower case; undefined when malformed. */
export function hostName(header: string): string | undefined {
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) return bracketed[1];
  const plain = /^([a-z0-9._-]+)(?::\d{1,5})?$/.exec(value);
  return plain ? plain[1]?.replace(/\.$/, '') : undefined;
}

/**
 * Whether a Host header may reach the UI. DNS rebinding needs a name the attacker controls resolving to
 * this machine, so only names are checked: an IP literal (the page was opened by address), localhost and
 * *.localhost, and the names the operator allowed (--allowed-hosts) pass. No Host at all (HTTP/1.0, no
 * browser) passes too.
 */
export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (header === undefined) return true;
  const name = hostName(header);
  if (name === undefined) return false;
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowed.has(name);
}

/** --allowed-hosts "a.example, b.example" → the names, lower case. */
export function parseAllowedHosts(text: string | undefined): Set<string> {
  return new Set(
    (text ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase().replace(/\.$/, ''))
      .filter(Boolean),
  );
}
