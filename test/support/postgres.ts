// A throwaway PostgreSQL server for tests: initdb into a temp dir, listen on 127.0.0.1 at a free port,
// SCRAM authentication, one role and one database for the test. PostgreSQL refuses to run as root, so
// under root the server runs as the `postgres` user the Debian package creates (or `nobody`).
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports.js';

const run = promisify(execFile);

export const POSTGRES_INSTALL_COMMAND = 'apt-get install -y postgresql';

export interface PostgresRig {
  host: '127.0.0.1';
  port: number;
  /** An unprivileged role that owns `database`. */
  user: string;
  password: string;
  database: string;
  /** Runs SQL as `user` in `database` (to create fixtures). */
  query(sql: string): Promise<void>;
  stop(): Promise<void>;
}

export interface PostgresRigOptions {
  ssl?: { certPem: string; keyPem: string };
}

/** The newest PostgreSQL bin directory: PG_BIN, else /usr/lib/postgresql/<newest>/bin. */
function findBinDir(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) throw new Error(POSTGRES_INSTALL_COMMAND);
  return join(root, versions[0], 'bin');
}

interface RunAs {
  uid: number;
  gid: number;
  /** Prefix that runs a command as that user (empty when we are not root). */
  prefix: string[];
}

async function runAs(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return { uid: userInfo().uid, gid: userInfo().gid, prefix: [] };
  for (const name of ['postgres', 'nobody']) {
    try {
      const { stdout: uid } = await run('id', ['-u', name]);
      const { stdout: gid } = await run('id', ['-g', name]);
      return { uid: Number(uid.trim()), gid: Number(gid.trim()), prefix: ['runuser', '-u', name, '--'] };
    } catch {
      // Try the next candidate.
    }
  }
  throw new Error('running as root and neither a "postgres" nor a "nobody" user exists to run PostgreSQL');
}

/** The command and arguments that run `bin` as the server's user. */
function pgCommand(as: RunAs, bin: string, args: string[]): [string, string[]] {
  const [command = bin, ...rest] = [...as.prefix, bin, ...args];
  return [command, rest];
}

async function runPg(as: RunAs, bin: string, args: string[]): Promise<void> {
  const [command, rest] = pgCommand(as, bin, args);
  await run(command, rest, { env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
}

/** Servers still running: stopped synchronously if the test process exits without calling stop(). */
const running = new Map<string, () => void>();
process.once('exit', () => {
  for (const stopNow of running.values()) stopNow();
});

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function startPostgres(options: PostgresRigOptions = {}): Promise<PostgresRig> {
  const bin = findBinDir();
  const as = await runAs();
  const base = await mkdtemp(join(tmpdir(), 'periscope-pg-'));
  const data = join(base, 'data');
  const log = join(base, 'server.log');
  const superPassword = randomBytes(12).toString('hex');
  let port = await freePort();
  let started = false;

  const own = async (path: string) => {
    if (as.prefix.length) await chown(path, as.uid, as.gid);
  };

  try {
    await own(base);
    const pwfile = join(base, 'pwfile');
    await writeFile(pwfile, `${superPassword}\n`, { mode: 0o600 });
    await own(pwfile);
    await runPg(as, join(bin, 'initdb'), [
      '-D', data, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--no-sync', '--encoding=UTF8', '--locale=C',
    ]);
    await rm(pwfile);

    const settings = [
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${base}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      "password_encryption = 'scram-sha-256'",
    ];
    if (options.ssl) {
      const cert = join(data, 'server.crt');
      const key = join(data, 'server.key');
      await writeFile(cert, options.ssl.certPem, { mode: 0o644 });
      await writeFile(key, options.ssl.keyPem, { mode: 0o600 });
      await own(cert);
      await own(key);
      settings.push('ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'");
    }
    const conf = join(data, 'postgresql.conf');
    await writeFile(conf, `${await readFile(conf, 'utf8')}\n# periscope test rig\n${settings.join('\n')}\n`);

    // Another process may take the free port before the server binds it: then try the next one.
    for (let attempt = 1; ; attempt++) {
      await writeFile(conf, `port = ${port}\n`, { flag: 'a' });
      try {
        await runPg(as, join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '30', 'start']);
        break;
      } catch (err) {
        const serverLog = await readFile(log, 'utf8').catch(() => '');
        if (attempt >= 3 || !/could not bind|already in use/i.test(serverLog)) throw err;
        port = await freePort();
      }
    }
    started = true;
    running.set(base, () => {
      const [command, rest] = pgCommand(as, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      try {
        execFileSync(command, rest, { stdio: 'ignore' });
      } catch {
        // Already stopped.
      }
      rmSync(base, { recursive: true, force: true });
    });

    const user = 'periscope_probe';
    const password = randomBytes(12).toString('hex');
    const database = 'periscope_test';
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: superPassword, database: 'postgres', ssl: false });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${quoteIdent(user)} LOGIN PASSWORD '${password}'`);
      await admin.query(`CREATE DATABASE ${quoteIdent(database)} OWNER ${quoteIdent(user)}`);
    } finally {
      await admin.end();
    }

    const stop = async () => {
      running.delete(base);
      await runPg(as, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(base, { recursive: true, force: true });
    };
    return {
      host: '127.0.0.1',
      port,
      user,
      password,
      database,
      async query(sql: string) {
        const client = new pg.Client({ host: '127.0.0.1', port, user, password, database, ssl: false });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      },
      stop,
    };
  } catch (err) {
    const serverLog = await readFile(log, 'utf8').catch(() => '');
    running.delete(base);
    if (started) await runPg(as, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`cannot start PostgreSQL: ${(err as Error).message}${stderr ? `\n${stderr}` : ''}${serverLog ? `\nserver log:\n${serverLog}` : ''}`, {
      cause: err,
    });
  }
}
