// The local spool: one file per batch under <data dir>/spool, named so that sorting by name is oldest first.
// A batch that cannot be written (a full disk) leaves nothing behind and fails with a SpoolWriteError that
// says where, how many samples and why, so the run can say it plainly instead of "internal error".
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NewSpoolEntry, Spool, SpoolEntry } from './spool.js';

const NAME_RE = /^(\d{15})-(\d+)-[0-9a-f]+\.prom\.gz$/;

/** A batch could not be put in the spool: its samples are not kept. */
export class SpoolWriteError extends Error {
  constructor(
    readonly dir: string,
    readonly samples: number,
    readonly code: string | undefined,
  ) {
    super(`cannot spool ${samples} samples in ${dir}: ${SpoolWriteError.why(code)}; they are not kept`);
    this.name = 'SpoolWriteError';
  }

  private static why(code: string | undefined): string {
    if (code === 'ENOSPC') return 'the disk is full (ENOSPC); free space there';
    if (code === 'EDQUOT') return 'the disk quota is used up (EDQUOT)';
    if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`;
    if (code === 'EROFS') return 'the file system is read-only (EROFS)';
    return `the write failed (${code ?? 'unknown error'})`;
  }
}

/** The file operations the spool writes with; tests pass ones that fail as a full disk does. */
export interface SpoolFiles {
  writeFile: (path: string, data: Buffer) => Promise<void>;
}

export function createFileSpool(dir: string, files: SpoolFiles = { writeFile }): Spool {
  const ready = mkdir(dir, { recursive: true });
  // Handled here so a directory that cannot be made is not an unhandled rejection before anyone waits on it.
  ready.catch(() => undefined);
  const entries = async () => {
    await ready;
    return (await readdir(dir)).filter((name) => NAME_RE.test(name)).sort();
  };
  return {
    async put(entry: NewSpoolEntry) {
      await ready.catch((err: unknown) => {
        throw new SpoolWriteError(dir, entry.samples, (err as NodeJS.ErrnoException).code);
      });
      const name = `${String(entry.createdMs).padStart(15, '0')}-${entry.samples}-${randomBytes(6).toString('hex')}.prom.gz`;
      // Write then rename: a crash mid-write never leaves a half batch that looks complete.
      const tmp = join(dir, `.${name}.tmp`);
      try {
        await files.writeFile(tmp, entry.payload);
        await rename(tmp, join(dir, name));
      } catch (err) {
        // A half-written file is removed: it would never be replayed and only fills the disk further.
        await rm(tmp, { force: true }).catch(() => undefined);
        throw new SpoolWriteError(dir, entry.samples, (err as NodeJS.ErrnoException).code);
      }
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
