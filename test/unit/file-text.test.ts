// readTextFile: the TLS files a probe reads each run come from memory until they change on disk.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTextFile } from '../../shared/probing/file-text.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-file-text-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readTextFile', () => {
  it('reads a file, and reads it again once it is replaced', async () => {
    const path = join(dir, 'ca.pem');
    await writeFile(path, 'first');
    expect(await readTextFile(path)).toBe('first');
    expect(await readTextFile(path)).toBe('first');
    await writeFile(path, 'second, longer');
    expect(await readTextFile(path)).toBe('second, longer');
    // The same size written again: the modification time tells.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(path, 'second, LONGER');
    expect(await readTextFile(path)).toBe('second, LONGER');
  });

  it('fails with the code readFile would give', async () => {
    await expect(readTextFile(join(dir, 'missing.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
