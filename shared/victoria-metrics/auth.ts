// Credentials for VictoriaMetrics or vmauth in front of it: basic or bearer, given explicitly, as secret
// references in the environment, or as user:password in the URL. They go only into the Authorization header.
import type { SecretResolver } from '../config/secrets.js';

export type VmAuth = { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string };

/** How to reach one VictoriaMetrics, for reads and writes alike. */
export interface VmConnection {
  /** Base URL: http://vm:8428, a cluster path such as http://vmselect:8481/select/0/prometheus, or vmauth. */
  url: string;
  auth?: VmAuth;
  /** Upper bound for one request; default 10 s. */
  timeoutMs?: number;
}

/** The credentials a request carries: explicit auth first, else user:password from the URL. */
function effectiveAuth(auth: VmAuth | undefined, url?: string): VmAuth | undefined {
  if (auth || !url) return auth;
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return undefined;
  return { type: 'basic', username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/** The Authorization header: explicit auth first, else user:password from the URL. */
export function vmAuthHeaders(authGiven: VmAuth | undefined, url?: string): Record<string, string> {
  const auth = effectiveAuth(authGiven, url);
  if (!auth) return {};
  if (auth.type === 'bearer') return { authorization: `Bearer ${auth.token}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

/**
 * `text` with the connection's secrets replaced by "…": vmauth quotes a token it does not know in its
 * answer ("cannot find the provided auth token \"Bearer …\""), and answers end up in errors and logs.
 */
export function redactSecrets(text: string, conn: Pick<VmConnection, 'url' | 'auth'>): string {
  const auth = effectiveAuth(conn.auth, conn.url);
  if (!auth) return text;
  const secrets = auth.type === 'bearer' ? [auth.token] : [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64')];
  let out = text;
  for (const secret of secrets.filter((s) => s !== '').sort((a, b) => b.length - a.length)) out = out.split(secret).join('…');
  return out;
}

/** Credentials from the environment: PREFIX_USERNAME + PREFIX_PASSWORD_FROM, or PREFIX_TOKEN_FROM (secret references). */
export async function vmAuthFromEnv(env: NodeJS.ProcessEnv, secrets: SecretResolver, prefix = 'VM_WRITE'): Promise<VmAuth | undefined> {
  const tokenRef = env[`${prefix}_TOKEN_FROM`];
  if (tokenRef) return { type: 'bearer', token: await secrets.resolve(tokenRef) };
  const passwordRef = env[`${prefix}_PASSWORD_FROM`];
  if (passwordRef) return { type: 'basic', username: env[`${prefix}_USERNAME`] ?? '', password: await secrets.resolve(passwordRef) };
  return undefined;
}
