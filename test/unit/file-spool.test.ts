// The local spool when the disk fails it: a full disk mid-write (ENOSPC after part of the batch is on disk)
// and a spool path that cannot be a directory. The batch fails with a SpoolWriteError that says where, how
// many samples and why (the CLI prints it instead of "internal error"), and no half-written .tmp file stays.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileSpool, SpoolWriteError } from '../../shared/storage/index.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-file-spool-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = { createdMs: Date.UTC(2026, 11, 1), samples: 5000, payload: Buffer.alloc(64 * 1024, 7) };

describe('the file spool on a failing disk', () => {
  it('removes the half-written file and says the disk is full', async () => {
    const spoolDir = join(dir, 'full');
    // As a full disk does: the file is created and part of the data lands before the write fails.
    const spool = createFileSpool(spoolDir, {
      writeFile: async (path, data) => {
        await writeFile(path, data.subarray(0, 4096));
        throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      },
    });
    const failure = await spool.put(entry).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SpoolWriteError);
    expect((failure as Error).message).toBe(`cannot spool 5000 samples in ${spoolDir}: the disk is full (ENOSPC); free space there; they are not kept`);
    expect(await readdir(spoolDir)).toEqual([]);
    expect(await spool.depth()).toBe(0);
  });

  it('fails with the reason when the spool directory cannot be made, without an unhandled rejection', async () => {
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, 'a file where the spool directory should be');
    const spool = createFileSpool(join(blocked, 'spool'));
    // Nothing awaits the directory for a while: its failure must not surface as an unhandled rejection.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const failure = await spool.put(entry).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SpoolWriteError);
    expect((failure as SpoolWriteError).code).toBe('ENOTDIR');
    expect((failure as Error).message).toContain('cannot spool 5000 samples in');
  });

  it('still writes and takes entries when the disk is fine', async () => {
    const spool = createFileSpool(join(dir, 'fine'));
    await spool.put(entry);
    const [taken] = await spool.take(1);
    expect(taken?.samples).toBe(5000);
    expect(taken?.payload.equals(entry.payload)).toBe(true);
    expect((await readdir(join(dir, 'fine'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
