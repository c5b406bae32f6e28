// A real vmauth (VictoriaMetrics' auth proxy, same Debian package) on a free loopback port in front of a
// VictoriaMetrics: the auth a production setup puts before it, to check the client's Authorization header
// against the component that really reads it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findVmauth } from './binaries.js';
import { freePort } from './ports.js';
import { fetchWithTimeout, startProcess, waitUntilReady } from './processes.js';

export type VmauthUser = { username: string; password: string; urlPrefix: string } | { bearerToken: string; urlPrefix: string };

export interface VmauthHandle {
  url: string;
  stop(): Promise<void>;
}

export async function startVmauth(users: readonly VmauthUser[]): Promise<VmauthHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'periscope-vmauth-'));
  const lines = ['users:'];
  for (const user of users) {
    if ('bearerToken' in user) lines.push(`- bearer_token: ${JSON.stringify(user.bearerToken)}`);
    else lines.push(`- username: ${JSON.stringify(user.username)}`, `  password: ${JSON.stringify(user.password)}`);
    lines.push(`  url_prefix: ${JSON.stringify(user.urlPrefix)}`);
  }
  const config = join(dir, 'auth.yml');
  await writeFile(config, `${lines.join('\n')}\n`);
  const port = await freePort();
  const proc = startProcess(findVmauth(), [`-auth.config=${config}`, `-httpListenAddr=127.0.0.1:${port}`], 'vmauth');
  const url = `http://127.0.0.1:${port}`;
  // Without credentials vmauth answers 401: listening, and reading its config.
  await waitUntilReady(proc, `vmauth on port ${port}`, async () => (await fetchWithTimeout(`${url}/api/v1/query?query=1`, {}, 1000)).status === 401);
  return {
    url,
    stop: async () => {
      await proc.stop(5000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
