// Files a probe reads on every run (ca_file, cert_file, key_file): kept in memory and read again only when
// the file changed (its inode, size or modification time), so a rotated certificate is used by the next probe
// as before. Reading through fs/promises costs four thread-pool round trips and a FileHandle per probe: a
// tenth of an HTTPS probe's CPU. Errors carry the same codes as readFile's (ENOENT, EACCES, …).
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

interface Cached {
  text: string;
  ino: number;
  size: number;
  mtimeMs: number;
}

const cache = new Map<string, Cached>();
const MAX_FILES = 1024;

export async function readTextFile(path: string): Promise<string> {
  const stat = statSync(path);
  const cached = cache.get(path);
  if (cached && cached.ino === stat.ino && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.text;
  const text = await readFile(path, 'utf8');
  if (cache.size >= MAX_FILES) cache.clear();
  cache.set(path, { text, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs });
  return text;
}
