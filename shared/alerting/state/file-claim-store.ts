// Claims as files created with O_CREAT|O_EXCL (flag 'wx'): the file system creates a name once, atomically,
// across processes, so `periscope run` and `periscope check --notify` sharing a data directory never both
// page for a slot. No lock server and no dependency; a local file system is assumed (O_EXCL is not atomic
// on old NFS). Expired claims are removed now and then.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClaimStore } from './claim-store.js';

const PRUNE_EVERY_MS = 600_000;

export function createFileClaimStore(dir: string, now: () => number = Date.now): ClaimStore {
  let prunedAt = 0;
  const fileOf = (key: string) => join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.claim`);
  const expiryOf = async (file: string) => Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0]);

  async function prune(): Promise<void> {
    prunedAt = now();
    for (const name of await readdir(dir).catch(() => [])) {
      if (!name.endsWith('.claim')) continue;
      const file = join(dir, name);
      const until = await expiryOf(file);
      if (Number.isFinite(until) && until <= now()) await rm(file, { force: true });
    }
  }

  return {
    async claim(key, expiresAtMs) {
      await mkdir(dir, { recursive: true });
      if (now() - prunedAt > PRUNE_EVERY_MS) await prune();
      try {
        await writeFile(fileOf(key), `${expiresAtMs}\n${key}\n`, { flag: 'wx' });
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        return false;
      }
    },
  };
}
