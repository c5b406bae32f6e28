// What is sent: the request headers assembled once per probe (auth secrets resolved here), and the request
// for each redirect hop, following Go's http.Client rules (blackbox follows redirects with it).
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { HttpModule } from '../../config/index.js';
import { SecretError, type SecretResolver } from '../../config/secrets.js';
import { ProbeFailure } from '../failure.js';
import { redactSecrets, withoutUserinfo } from '../../observability/redact.js';
import type { HopRequest } from './exchange.js';

export const USER_AGENT = 'Periscope/0.1 (blackbox_exporter compatible)';
/** The statuses Go's client follows when the response has a Location. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Headers sent only to the first host and its subdomains (Go's shouldCopyHeaderOnRedirect). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie']);
/**
 * The only configured headers a redirect to another host carries (Go's client carries all but
 * Authorization, WWW-Authenticate and Cookie): none of them identifies or authenticates the client. Any other
 * header (X-Api-Key, a token under any name) and any header holding a secret value stays with the first host.
 */
export const CROSS_HOST_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'content-language',
  'content-type',
  'pragma',
  'user-agent',
]);

export interface RequestPlan {
  method: string;
  body: string | undefined;
  /** Sent on every hop; lower-case names. */
  headers: Record<string, string>;
  /** Authorization and Cookie: sent to the first host and its subdomains only. */
  credentials: Record<string, string>;
  /** A Host header from `headers:` (also the TLS server name, as in blackbox). */
  hostOverride: string | undefined;
  /** Resolved secret values, to scrub from anything shown. */
  secretValues: string[];
}

async function resolveSecret(ref: string, secrets: SecretResolver): Promise<string> {
  try {
    return await secrets.resolve(ref);
  } catch (err) {
    // SecretError messages name the reference, never the value; anything else gets a message of our own.
    throw new ProbeFailure('secret', err instanceof SecretError ? err.message : `secret ${ref} could not be resolved`);
  }
}

async function readPasswordFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new ProbeFailure('secret', `password_file ${path}: cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function authorization(module: HttpModule, url: URL, secrets: SecretResolver, secretValues: string[]): Promise<string | undefined> {
  const basic = (username: string, password: string): string => {
    const token = Buffer.from(`${username}:${password}`).toString('base64');
    if (password) secretValues.push(password);
    secretValues.push(token);
    return `Basic ${token}`;
  };
  const auth = module.basic_auth;
  if (auth) {
    const password = auth.password_from
      ? await resolveSecret(auth.password_from, secrets)
      : auth.password_file
        ? await readPasswordFile(auth.password_file)
        : '';
    return basic(auth.username, password);
  }
  if (module.bearer_token_from) {
    const token = await resolveSecret(module.bearer_token_from, secrets);
    secretValues.push(token);
    return `Bearer ${token}`;
  }
  // Go's client turns URL userinfo into basic auth (the schema rejects a password in the URL).
  if (url.username) return basic(decodeURIComponent(url.username), '');
  return undefined;
}

export async function planRequest(module: HttpModule, url: URL, secrets: SecretResolver): Promise<RequestPlan> {
  const headers: Record<string, string> = {};
  const credentials: Record<string, string> = {};
  let hostOverride: string | undefined;
  for (const [name, value] of Object.entries(module.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'host') hostOverride = value;
    else if (CREDENTIAL_HEADERS.has(lower)) credentials[lower] = value;
    else headers[lower] = value;
  }
  headers['user-agent'] ??= USER_AGENT;
  const compression = module.compression;
  if (compression && compression !== 'identity') headers['accept-encoding'] ??= compression;
  const secretValues: string[] = [];
  // A configured Authorization header wins over basic_auth and bearer tokens, as in blackbox.
  if (credentials.authorization === undefined) {
    const value = await authorization(module, url, secrets, secretValues);
    if (value !== undefined) credentials.authorization = value;
  }
  return { method: module.method, body: module.body, headers, credentials, hostOverride, secretValues };
}

/** The URL as configured, without userinfo: what the probe reports as `instance`. */
export function httpInstance(url: string): string {
  return withoutUserinfo(url);
}

/** A Location header resolved against the request URL; undefined unless it is a usable http(s) URL. */
export function parseLocation(location: string, base: URL): URL | undefined {
  try {
    const next = new URL(location, base);
    return next.protocol === 'http:' || next.protocol === 'https:' ? next : undefined;
  } catch {
    return undefined;
  }
}

/** The host name a Host header override names (without a port), for TLS. */
export function overrideHostname(hostOverride: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostOverride);
  if (bracketed) return bracketed[1] as string;
  return isIP(hostOverride) === 6 ? hostOverride : hostOverride.replace(/:\d+$/, '');
}

function isDomainOrSubdomain(sub: string, parent: string): boolean {
  if (sub === parent) return true;
  return isIP(parent) === 0 && sub.endsWith(`.${parent}`);
}

export function firstRequest(plan: RequestPlan, url: URL): HopRequest {
  const headers = { ...plan.headers, ...plan.credentials };
  if (plan.hostOverride !== undefined) headers.host = plan.hostOverride;
  return { url, method: plan.method, headers, body: plan.body };
}

/** Whether `text` holds one of the secret values, raw or encoded. */
function holdsSecret(text: string, secretValues: readonly string[]): boolean {
  return secretValues.length > 0 && redactSecrets(text, secretValues) !== text;
}

/** Whether the next hop is the first host or one of its subdomains (Go's rule for credentials). */
export function sameSite(next: URL, first: URL): boolean {
  return isDomainOrSubdomain(next.hostname, first.hostname);
}

/**
 * Why a redirect must not be followed, or undefined: a 307/308 repeats the body, and a body holding a secret
 * (a step's password) is not sent to another host. Dropping the body would send a different request.
 */
export function redirectRefusal(previous: HopRequest, status: number, next: URL, first: URL, secretValues: readonly string[]): string | undefined {
  if (status !== 307 && status !== 308) return undefined;
  if (sameSite(next, first) || previous.body === undefined || !holdsSecret(previous.body, secretValues)) return undefined;
  return `not following the ${status} redirect to ${next.host}: the request body holds a secret and the redirect leaves ${first.hostname}`;
}

/**
 * The request for the next hop. 301/302/303 turn anything but GET and HEAD into a GET without body;
 * 307/308 repeat method and body. To the first host and its subdomains everything is sent again; to another
 * host only the CROSS_HOST_HEADERS that hold no secret (credentials, custom headers and secret values stay
 * behind). A Host override survives a redirect that stays on the same host.
 */
export function redirectRequest(
  plan: RequestPlan,
  previous: HopRequest,
  status: number,
  next: URL,
  first: URL,
  cookies: string | undefined,
  secretValues: readonly string[] = plan.secretValues,
): HopRequest {
  const keepBody = status === 307 || status === 308;
  const method = keepBody || previous.method === 'GET' || previous.method === 'HEAD' ? previous.method : 'GET';
  const trusted = sameSite(next, first);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(plan.headers)) {
    if (!keepBody && name === 'content-type') continue;
    if (!trusted && (!CROSS_HOST_HEADERS.has(name) || holdsSecret(value, secretValues))) continue;
    headers[name] = value;
  }
  if (trusted) Object.assign(headers, plan.credentials);
  if (cookies) headers.cookie = headers.cookie ? `${headers.cookie}; ${cookies}` : cookies;
  if (plan.hostOverride !== undefined && next.host === previous.url.host) headers.host = plan.hostOverride;
  return { url: next, method, headers, body: keepBody ? previous.body : undefined };
}

interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
}

/**
 * The little of a cookie jar a redirect chain needs (blackbox gives its client one): cookies set by a
 * redirect response are sent to later hops on the same host or domain. Path and expiry are not modelled,
 * except that an expired cookie is removed.
 */
export class RedirectCookies {
  private readonly cookies: StoredCookie[] = [];

  store(setCookie: string | string[] | undefined, url: URL): void {
    if (setCookie === undefined) return;
    for (const line of typeof setCookie === 'string' ? [setCookie] : setCookie) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let domain = url.hostname;
      let hostOnly = true;
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', raw = ''] = attribute.split('=', 2).map((part) => part.trim());
        const lower = key.toLowerCase();
        if (lower === 'domain' && raw) {
          domain = raw.replace(/^\./, '').toLowerCase();
          hostOnly = false;
        } else if (lower === 'max-age' && Number(raw) <= 0) expired = true;
        else if (lower === 'expires' && Date.parse(raw) < Date.now()) expired = true;
      }
      if (!hostOnly && !isDomainOrSubdomain(url.hostname, domain)) continue;
      const index = this.cookies.findIndex((c) => c.name === name && c.domain === domain);
      if (index >= 0) this.cookies.splice(index, 1);
      if (!expired) this.cookies.push({ name, value, domain, hostOnly });
    }
  }

  header(url: URL): string | undefined {
    const matching = this.cookies.filter((c) => (c.hostOnly ? url.hostname === c.domain : isDomainOrSubdomain(url.hostname, c.domain)));
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }
}
