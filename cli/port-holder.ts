// Who listens on a TCP port, for the one-line message a port in use gets ("port 8428 is in use by pid 4711
// (victoria-metrics -httpListenAddr=127.0.0.1:8428 …)"). Linux only, read from /proc: the listening socket's
// inode in /proc/net/tcp{,6}, then the process with that socket among its file descriptors. Anything it cannot
// read (another user's process, another OS) gives undefined, and the message says less.
import { readdir, readFile, readlink } from 'node:fs/promises';

const LISTEN = '0A';
const MAX_COMMAND = 100;

/** Inodes of sockets listening on `port` (any address) in a /proc/net/tcp table. */
export function listeningInodes(table: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1] ?? '';
    if (local.endsWith(`:${hexPort}`) && fields[3] === LISTEN && fields[9] && fields[9] !== '0') inodes.push(fields[9]);
  }
  return inodes;
}

async function readOr(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

/** "pid 4711 (victoria-metrics -httpListenAddr=…)", or undefined when it cannot be told. */
export async function portHolder(port: number): Promise<string | undefined> {
  const inodes = new Set([...listeningInodes(await readOr('/proc/net/tcp'), port), ...listeningInodes(await readOr('/proc/net/tcp6'), port)]);
  if (inodes.size === 0) return undefined;
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode && inodes.has(inode)) {
        const command = (await readOr(`/proc/${pid}/cmdline`)).split('\0').filter(Boolean).join(' ');
        const shown = command.length > MAX_COMMAND ? `${command.slice(0, MAX_COMMAND)}…` : command;
        return `pid ${pid}${shown ? ` (${shown})` : ''}`;
      }
    }
  }
  return undefined;
}

/** "port 8428 is in use by pid 4711 (…)" or "port 8428 is in use by another process". */
export async function portInUseText(port: number): Promise<string> {
  return `port ${port} is in use by ${(await portHolder(port)) ?? 'another process'}`;
}
