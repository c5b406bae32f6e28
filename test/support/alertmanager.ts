// A real Alertmanager 0.25 (Debian's prometheus-alertmanager) on a free loopback port, alone (no cluster
// gossip), with the configuration a test gives; alerts in through its v2 API.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAlertmanager } from './binaries.js';
import { freePort } from './ports.js';
import { fetchWithTimeout, startProcess, waitUntilReady } from './processes.js';

export interface PostedAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

export interface AlertmanagerHandle {
  url: string;
  /** POST /api/v2/alerts. */
  post(alerts: readonly PostedAlert[]): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

export async function startAlertmanager(configYaml: string): Promise<AlertmanagerHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'periscope-alertmanager-'));
  const config = join(dir, 'alertmanager.yml');
  await writeFile(config, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess(
    findAlertmanager(),
    [`--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    'alertmanager',
  );
  try {
    await waitUntilReady(proc, `alertmanager on port ${port}`, async () => (await fetchWithTimeout(`${url}/-/ready`, {}, 1000)).status === 200);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    async post(alerts) {
      const response = await fetchWithTimeout(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (response.status !== 200) throw new Error(`alertmanager refused the alerts: HTTP ${response.status} ${await response.text()}`);
    },
    async stop() {
      await proc.stop(5_000);
      await rm(dir, { recursive: true, force: true });
    },
    output: () => proc.outputTail(),
  };
}
