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

/** The Authorization header: explicit auth first, else user:password from the URL. */
export function vmAuthHeaders(auth: VmAuth | undefined, url?: string): Record<string, string> {
  if (!auth && url) {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      auth = { type: 'basic', username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
    }
  }
  if (!auth) return {};
  if (auth.type === 'bearer') return { authorization: `Bearer ${auth.token}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

/** Credentials from the environment: PREFIX_USERNAME + PREFIX_PASSWORD_FROM, or PREFIX_TOKEN_FROM (secret references). */
export async function vmAuthFromEnv(env: NodeJS.ProcessEnv, secrets: SecretResolver, prefix = 'VM_WRITE'): Promise<VmAuth | undefined> {
  const tokenRef = env[`${prefix}_TOKEN_FROM`];
  if (tokenRef) return { type: 'bearer', token: await secrets.resolve(tokenRef) };
  const passwordRef = env[`${prefix}_PASSWORD_FROM`];
  if (passwordRef) return { type: 'basic', username: env[`${prefix}_USERNAME`] ?? '', password: await secrets.resolve(passwordRef) };
  return undefined;
}
