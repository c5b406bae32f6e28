// Child processes the tests start (VictoriaMetrics, blackbox_exporter): spawned attached to the test
// process so they share its process group (Ctrl-C reaches them too), killed when the test process exits
// or dies, and with the tail of their output kept for error messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const TAIL_BYTES = 8192;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a plain SIGKILL is all that can be done here.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export interface ManagedProcess {
  readonly pid: number;
  /** The last few KB of stdout and stderr, interleaved, for error messages. */
  outputTail(): string;
  /** Whether the process has exited (or was never able to start). */
  exited(): boolean;
  /** Resolves when the process has exited; never rejects. */
  waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. Resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (fault tests). Resolves once it has exited. */
  kill(): Promise<void>;
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * The 'exit' handler alone is not enough: it does not run when the test process is killed by a signal,
 * and a server left running by a failed test was seen to outlive a vitest worker. On Linux, util-linux's
 * setpriv sets PR_SET_PDEATHSIG and execs the server, so the kernel kills it when its parent dies.
 */
function withParentDeathSignal(command: string, args: string[]): [string, string[]] {
  try {
    accessSync(SETPRIV, constants.X_OK);
    return [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]];
  } catch {
    return [command, args];
  }
}

export function startProcess(command: string, args: string[], name = command): ManagedProcess {
  installExitHook();
  const [file, argv] = withParentDeathSignal(command, args);
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);

  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (error) => {
      // Spawn failures (ENOENT, EACCES) never emit 'exit'.
      keep(Buffer.from(`\n[${name}: ${error.message}]\n`));
      if (child.pid === undefined) {
        exitInfo = { code: null, signal: null };
        running.delete(child);
        resolve(exitInfo);
      }
    });
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      running.delete(child);
      resolve(exitInfo);
    });
  });

  const exited = (): boolean => exitInfo !== undefined;

  return {
    pid: child.pid ?? -1,
    outputTail: () => tail,
    exited,
    waitForExit: () => exitPromise,
    async stop(graceMs = 5000) {
      if (exited()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitPromise;
      clearTimeout(timer);
    },
    async kill() {
      if (exited()) return;
      child.kill('SIGKILL');
      await exitPromise;
    },
  };
}

/**
 * Polls `check` until it returns true, the process exits, or `timeoutMs` passes; the error message then
 * carries the process's output tail, which says why (bad flag, port in use, bad config).
 */
export async function waitUntilReady(
  processHandle: ManagedProcess,
  name: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (processHandle.exited()) {
      const { code, signal } = await processHandle.waitForExit();
      throw new Error(
        `${name} exited before it was ready (code ${code}, signal ${signal}). Output:\n${processHandle.outputTail()}`,
      );
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await processHandle.kill();
  throw new Error(
    `${name} was not ready after ${timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}. Output:\n${processHandle.outputTail()}`,
  );
}

/** fetch with a per-request time limit, so a hung server cannot stall a test until the test timeout. */
export async function fetchWithTimeout(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}
