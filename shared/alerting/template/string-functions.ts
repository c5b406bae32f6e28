// The string functions of alert templates: host names (reReplaceAll's friends stripPort, stripDomain),
// Go's strings.ToUpper/ToLower/Title, and the escapes of html, js, urlquery, toJson and vmalert's htmlEscape.
import { isIP } from 'node:net';
import { isPrint } from './go-quote.js';

// --- host names -------------------------------------------------------------------------------------

/** net.SplitHostPort; undefined where Go returns an error. */
function splitHostPort(hostport: string): [string, string] | undefined {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return undefined;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 === hostport.length || end + 1 !== i) return undefined;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return undefined;
  }
  if (hostport.indexOf('[', j) >= 0 || hostport.indexOf(']', k) >= 0) return undefined;
  return [host, hostport.slice(i + 1)];
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function stripPort(hostport: string): string {
  return splitHostPort(hostport)?.[0] ?? hostport;
}

export function stripDomain(hostport: string): string {
  const split = splitHostPort(hostport);
  let host = split ? split[0] : hostport;
  const port = split ? split[1] : '';
  if (isIP(host) !== 0) return hostport;
  host = host.split('.')[0] as string;
  return port !== '' ? joinHostPort(host, port) : host;
}

// --- strings ----------------------------------------------------------------------------------------

const ASCII_RE = /^[\x00-\x7f]*$/;

/** Go maps case rune by rune; JavaScript's "ß".toUpperCase() is "SS", Go keeps "ß". */
export function mapRunes(s: string, upper: boolean): string {
  if (ASCII_RE.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const ch of s) {
    // U+0130 is the one letter whose JavaScript lower case has two code points; Go maps it to "i".
    const mapped = upper ? ch.toUpperCase() : ch === '\u0130' ? 'i' : ch.toLowerCase();
    out += [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

const LETTER_OR_DIGIT_RE = /^[\p{L}\p{Nd}\p{Nl}\p{No}]$/u;
const SPACE_RE = /^\s$/u;

/** strings.Title: upper-cases the first letter of each word. */
export function title(s: string): string {
  const isSeparator = (ch: string): boolean => {
    const c = ch.codePointAt(0) ?? 0;
    if (c <= 0x7f) return !/[A-Za-z0-9_]/.test(ch);
    if (LETTER_OR_DIGIT_RE.test(ch)) return false;
    return SPACE_RE.test(ch);
  };
  let out = '';
  let prev = ' ';
  for (const ch of s) {
    if (isSeparator(prev)) {
      const t = ch.toUpperCase();
      out += [...t].length === 1 ? t : ch;
    } else out += ch;
    prev = ch;
  }
  return out;
}

/** Go's template.HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\ufffd' })[c] as string);
}

/** Go's template.JSEscapeString. */
export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (c < 0x20) out += '\\u00' + c.toString(16).toUpperCase().padStart(2, '0');
    else if (c < 0x80 || isPrint(ch)) out += ch;
    else out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** Go's url.QueryEscape (query) or url.PathEscape (path segment). */
export function urlEscape(s: string, mode: 'query' | 'path'): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (mode === 'path' && /[$&+:=@]/.test(ch)) out += ch;
    else if (mode === 'query' && ch === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** vmalert's jsonEscape (quicktemplate's JSON string): JSON escapes, plus < and ' for embedding in HTML. */
export function jsonString(s: string): string {
  return JSON.stringify(s).replace(/[<']/g, (c) => (c === '<' ? '\\u003c' : '\\u0027'));
}

/** vmalert's htmlEscape (quicktemplate's HTML escaping). */
export function quicktemplateHtml(s: string): string {
  return s.replace(/[<>"'&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '&': '&amp;' })[c] as string);
}
