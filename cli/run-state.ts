// What a running `periscope run` (npm start) tells the other commands: <data dir>/run.json holds its pid, the
// VictoriaMetrics it writes to and its UI address, written at start and removed at stop. `check`, `report` and
// `ui` read it when neither --vm-url nor VM_URL is given, so they find the VictoriaMetrics `npm start` runs; a
// second `periscope run` with the same data dir reads it to say that one is already running. A file left by a
// run that died (its pid gone) counts as no run.
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../shared/config/index.js';
import { redactUrl } from '../shared/victoria-metrics/index.js';

export const DEFAULT_DATA_DIR = '.periscope';

export interface RunState {
  pid: number;
  /** Where the run writes; may carry credentials (the file is readable by its owner only). */
  vm_url: string;
  ui_url?: string;
  config: string;
  started_at: string;
}

const stateFile = (dataDir: string) => join(dataDir, 'run.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function writeRunState(dataDir: string, state: RunState): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(stateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the file if it is this process's (a second run that failed to start must not remove the first's). */
export async function removeRunState(dataDir: string, pid = process.pid): Promise<void> {
  const state = await readRunState(dataDir);
  if (state?.pid === pid) await rm(stateFile(dataDir), { force: true });
}

/** The run recorded in `dataDir`, when its process is still alive. */
export async function readRunState(dataDir: string): Promise<RunState | undefined> {
  let parsed: Partial<RunState>;
  try {
    parsed = JSON.parse(await readFile(stateFile(dataDir), 'utf8')) as Partial<RunState>;
  } catch {
    return undefined;
  }
  if (typeof parsed.pid !== 'number' || typeof parsed.vm_url !== 'string' || !alive(parsed.pid)) return undefined;
  return parsed as RunState;
}

/**
 * The VictoriaMetrics a command reads: --vm-url, else VM_URL, else the one the local run in `dataDir` writes to
 * (said on stderr, so JSON on stdout stays clean). Nothing of the three: bad input, saying what to do.
 */
export async function vmUrlFor(flag: string | undefined, dataDir: string | undefined, say: (text: string) => void = (t) => process.stderr.write(t)): Promise<string> {
  const given = flag ?? process.env.VM_URL;
  if (given) return given;
  const dir = dataDir ?? DEFAULT_DATA_DIR;
  const run = await readRunState(dir);
  if (run) {
    say(`VictoriaMetrics: ${redactUrl(run.vm_url)} (of the periscope run with pid ${run.pid}, data dir ${dir})\n`);
    return run.vm_url;
  }
  throw new ConfigError('command line', [
    {
      path: '--vm-url',
      message: `no VictoriaMetrics to read: no periscope run (npm start) is running with data dir ${dir}; start one, or pass --vm-url URL (or set VM_URL)`,
    },
  ]);
}
