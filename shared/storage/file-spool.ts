// The local spool: one file per batch under <data dir>/spool, named so that sorting by name is oldest first.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NewSpoolEntry, Spool, SpoolEntry } from './spool.js';

const NAME_RE = /^(\d{15})-(\d+)-[0-9a-f]+\.prom\.gz$/;

export function createFileSpool(dir: string): Spool {
  const ready = mkdir(dir, { recursive: true });
  const entries = async () => {
    await ready;
    return (await readdir(dir)).filter((name) => NAME_RE.test(name)).sort();
  };
  return {
    async put(entry: NewSpoolEntry) {
      await ready;
      const name = `${String(entry.createdMs).padStart(15, '0')}-${entry.samples}-${randomBytes(6).toString('hex')}.prom.gz`;
      // Write then rename: a crash mid-write never leaves a half batch that looks complete.
      const tmp = join(dir, `.${name}.tmp`);
      await writeFile(tmp, entry.payload);
      await rename(tmp, join(dir, name));
    },
    async take(limit: number): Promise<SpoolEntry[]> {
      const names = (await entries()).slice(0, limit);
      return Promise.all(
        names.map(async (name) => {
          const match = NAME_RE.exec(name) as RegExpExecArray;
          return {
            id: name,
            createdMs: Number(match[1]),
            samples: Number(match[2]),
            payload: await readFile(join(dir, name)),
            ack: () => rm(join(dir, name), { force: true }),
            reject: async () => {
              await mkdir(join(dir, 'rejected'), { recursive: true });
              await rename(join(dir, name), join(dir, 'rejected', name));
            },
          };
        }),
      );
    },
    async depth() {
      return (await entries()).length;
    },
    async deadLetter(entry: NewSpoolEntry) {
      const rejected = join(dir, 'rejected');
      await mkdir(rejected, { recursive: true });
      const name = `${String(entry.createdMs).padStart(15, '0')}-${entry.samples}-${randomBytes(6).toString('hex')}.prom.gz`;
      const tmp = join(rejected, `.${name}.tmp`);
      await writeFile(tmp, entry.payload);
      await rename(tmp, join(rejected, name));
    },
  };
}
