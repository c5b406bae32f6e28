// Keeping credentials out of what is printed, logged, linked or sent on: one helper for URLs (userinfo
// removed) and one for known secret values (redacted in every form they are likely to take in a message:
// as given, percent-encoded in a URL or form, escaped in JSON).

export const REDACTED = '<redacted>';

// scheme://userinfo@ — the userinfo runs to the last "@" before the path, query or fragment.
const USERINFO_RE = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** Every URL in `text` without its userinfo (`https://user:pass@host/x` → `https://host/x`). Also for text that is not a valid URL. */
export function withoutUserinfo(text: string): string {
  return text.replace(USERINFO_RE, '$1');
}

/** The forms a secret value takes in URLs, forms and JSON, each at most once, longest first. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  forms.add(encodeURI(secret));
  // What the URL parser writes for it in a path and in a query (each encodes its own set of characters).
  try {
    const url = new URL('http://x.invalid/');
    url.pathname = `/${secret}`;
    forms.add(url.pathname.slice(1));
    url.search = `?${secret}`;
    forms.add(url.search.slice(1));
  } catch {
    // A value the URL parser cannot take cannot appear in a URL it wrote.
  }
  forms.add(JSON.stringify(secret).slice(1, -1));
  return [...forms].filter(Boolean).sort((a, b) => b.length - a.length);
}

/** `text` with every known secret value (in any of secretForms) replaced by <redacted>. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const forms = new Set<string>();
  for (const secret of secrets) if (secret) for (const form of secretForms(secret)) forms.add(form);
  // Longest first: a token that contains a shorter secret is redacted whole.
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) if (out.includes(form)) out = out.split(form).join(REDACTED);
  return out;
}
