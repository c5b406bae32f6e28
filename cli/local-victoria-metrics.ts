// The local run's own VictoriaMetrics: a child process with its data under the data dir, on 127.0.0.1.
// Stopped with the run (SIGTERM lets it flush); the kernel kills it if the run dies (setpriv pdeathsig).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sleep } from '../shared/async/sleep.js';
import { isHealthy } from '../shared/victoria-metrics/index.js';
import { ConfigError } from '../shared/config/index.js';
import { portInUseText } from './port-holder.js';

export interface LocalVictoriaMetrics {
  url: string;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/bin/victoria-metrics', '/usr/local/bin/victoria-metrics', '/usr/bin/victoria-metrics-prod'];

function findBinary(): string {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) {
    throw new ConfigError('command line', [{ path: '--vm-url', message: "victoria-metrics is not installed: run 'sudo apt-get install -y victoria-metrics' (or 'npm run setup'), or pass --vm-url" }]);
  }
  return found;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function withParentDeathSignal(command: string, args: string[]): [string, string[]] {
  try {
    accessSync('/usr/bin/setpriv', constants.X_OK);
    return ['/usr/bin/setpriv', ['--pdeathsig', 'TERM', '--', command, ...args]];
  } catch {
    return [command, args];
  }
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`VictoriaMetrics exited (${child.exitCode}): ${output().slice(-1000)}`);
    if (await isHealthy({ url })) return;
    await sleep(200);
  }
  throw new Error(`VictoriaMetrics did not become healthy in 20 s: ${output().slice(-1000)}`);
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface LocalVictoriaMetricsOptions {
  /** Any free port instead of the preferred one (a private instance nobody else looks for). */
  anyPort?: boolean;
  /** More command-line flags. */
  flags?: string[];
}

export async function startLocalVictoriaMetrics(dataDir: string, preferredPort = 8428, options: LocalVictoriaMetricsOptions = {}): Promise<LocalVictoriaMetrics> {
  const binary = findBinary();
  const storage = join(dataDir, 'victoria-metrics');
  await mkdir(storage, { recursive: true });
  // A fixed port, so targets/local.yml can probe it and the UI address stays the same between runs.
  const port = options.anyPort ? await anyFreePort() : preferredPort;
  if (!options.anyPort && !(await portFree(port))) {
    throw new ConfigError('command line', [
      {
        path: '--vm-port',
        message: `${await portInUseText(port)}: pass --vm-url http://127.0.0.1:${port} to write to it if that is a VictoriaMetrics, or --vm-port to start one on another port`,
      },
    ]);
  }
  const url = `http://127.0.0.1:${port}`;
  const [command, args] = withParentDeathSignal(binary, [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${storage}`,
    '-retentionPeriod=1y',
    // As recommended for production: a replayed batch cannot double-count.
    '-dedup.minScrapeInterval=1ms',
    '-search.latencyOffset=5s',
    ...(options.flags ?? []),
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await waitHealthy(url, child, () => tail);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
