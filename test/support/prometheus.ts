// The real Prometheus (Debian package `prometheus`) as the reference for what labels a scraped series
// carries: it runs a given prometheus.yml on a loopback port with its own data directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPrometheus } from './binaries.js';
import { freePort } from './ports.js';
import { fetchWithTimeout, startProcess, waitUntilReady, type ManagedProcess } from './processes.js';

export interface PrometheusHandle {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(configFile: string): Promise<PrometheusHandle> {
  const binary = findPrometheus();
  const dataDir = await mkdtemp(join(tmpdir(), 'periscope-prometheus-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc: ManagedProcess = startProcess(
      binary,
      [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${dataDir}`, '--log.level=warn'],
      'prometheus',
    );
    try {
      await waitUntilReady(proc, `prometheus on port ${port}`, async () => {
        const response = await fetchWithTimeout(`http://127.0.0.1:${port}/-/ready`, {}, 1000);
        await response.text();
        return response.status === 200;
      });
      return {
        url: `http://127.0.0.1:${port}`,
        output: () => proc.outputTail(),
        async stop() {
          await proc.stop(5000);
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      await proc.stop();
      if (!/address already in use/i.test(proc.outputTail()) || attempt >= 3) {
        await rm(dataDir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}
