// vmalert 1.79 (Debian's victoria-metrics package) as an oracle: its replay over a range, and a live vmalert
// whose alerts (annotations included) are read from its HTTP API.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { findVmalert } from './binaries.js';
import { freePort } from './ports.js';
import { fetchWithTimeout, startProcess, waitUntilReady, type ManagedProcess } from './processes.js';

export interface ReplayOptions {
  rulesFile: string;
  datasourceUrl: string;
  remoteWriteUrl: string;
  from: Date;
  to: Date;
  /** Called after each rule's replay has exited (its writes flushed): make them searchable here. */
  afterRule: () => Promise<void>;
  /** Where the one-rule files go. */
  workDir: string;
}

/**
 * `vmalert -replay.timeFrom/-replay.timeTo` over a rule file, as vmalert's replay runs it — group after group,
 * rule after rule, each rule's results (ALERTS, ALERTS_FOR_STATE, recorded series) written through remote
 * write before the next rule is queried — with one vmalert process per rule (its file holds the rule's group
 * with that rule alone). A process flushes its writes when it exits, and `afterRule` then makes them
 * searchable, so a chained rule sees the rules before it whatever the machine's load, where vmalert's own
 * -replay.rulesDelay is only a sleep. Each rule's replay does not depend on the other rules of its group.
 * `-datasource.queryStep=0` makes the step the group's interval (the default step is 5m).
 */
export async function runVmalertReplay(options: ReplayOptions): Promise<void> {
  const file = parseYaml(await readFile(options.rulesFile, 'utf8')) as { groups: Array<Record<string, unknown> & { rules: unknown[] }> };
  let n = 0;
  for (const group of file.groups) {
    for (const rule of group.rules) {
      const one = join(options.workDir, `vmalert-rule-${n++}.yml`);
      await writeFile(one, stringifyYaml({ groups: [{ ...group, rules: [rule] }] }));
      await replayOne(one, options);
      await options.afterRule();
    }
  }
}

async function replayOne(rulesFile: string, options: ReplayOptions): Promise<void> {
  const args = [
    `-rule=${rulesFile}`,
    `-datasource.url=${options.datasourceUrl}`,
    `-remoteWrite.url=${options.remoteWriteUrl}`,
    `-replay.timeFrom=${options.from.toISOString().replace('.000Z', 'Z')}`,
    `-replay.timeTo=${options.to.toISOString().replace('.000Z', 'Z')}`,
    '-datasource.queryStep=0',
    '-replay.rulesDelay=0s',
    '-replay.disableProgressBar',
    `-httpListenAddr=127.0.0.1:${await freePort()}`,
  ];
  const proc = startProcess(findVmalert(), args, 'vmalert');
  const timer = setTimeout(() => void proc.kill(), 60_000);
  const { code } = await proc.waitForExit();
  clearTimeout(timer);
  if (code !== 0) throw new Error(`vmalert replay of ${rulesFile} exited ${code}:\n${proc.outputTail()}`);
}

export interface VmalertAlert {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

export interface LiveVmalert {
  url: string;
  /** Active alerts from /api/v1/alerts. */
  alerts(): Promise<VmalertAlert[]>;
  /** Whether every rule has been evaluated at least once (/api/v1/rules' lastEvaluation). */
  evaluated(): Promise<boolean>;
  stop(): Promise<void>;
  output(): string;
}

/** A live vmalert evaluating `rulesFile` against the datasource (notifications go to `notifierUrl`). */
export async function startVmalert(options: { rulesFile: string; datasourceUrl: string; notifierUrl: string; extraFlags?: string[] }): Promise<LiveVmalert> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ManagedProcess = startProcess(
    findVmalert(),
    [
      `-rule=${options.rulesFile}`,
      `-datasource.url=${options.datasourceUrl}`,
      `-notifier.url=${options.notifierUrl}`,
      '-datasource.queryStep=0',
      `-httpListenAddr=127.0.0.1:${port}`,
      ...(options.extraFlags ?? []),
    ],
    'vmalert',
  );
  await waitUntilReady(proc, `vmalert on port ${port}`, async () => (await fetchWithTimeout(`${url}/health`, {}, 1000)).status === 200);
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetchWithTimeout(`${url}${path}`);
    if (response.status !== 200) throw new Error(`vmalert ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    url,
    alerts: async () => (await getJson<{ data: { alerts: VmalertAlert[] | null } }>('/api/v1/alerts')).data.alerts ?? [],
    evaluated: async () => {
      const { data } = await getJson<{ data: { groups: Array<{ rules: Array<{ lastEvaluation: string }> }> } }>('/api/v1/rules');
      return data.groups.length > 0 && data.groups.every((g) => g.rules.every((r) => !r.lastEvaluation.startsWith('0001')));
    },
    stop: () => proc.stop(5_000),
    output: () => proc.outputTail(),
  };
}
