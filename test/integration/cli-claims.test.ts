// `periscope check --notify` run twice at once in two processes sharing a data directory (as beside a running
// `periscope run`): the slot's notification is printed by exactly one of them, the other says another
// evaluation of the slot sends it. The claim is a file created with O_EXCL under <data dir>/claims.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVictoriaMetrics, type VmHandle } from '../support/victoria-metrics.js';

let vm: VmHandle;
let dir: string;

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  dir = await mkdtemp(join(tmpdir(), 'periscope-cli-claims-'));
});

afterAll(async () => {
  await vm.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, SLACK_WEBHOOK_URL: '' };
    execFile(process.execPath, ['bin/periscope.js', 'check', ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('periscope check --notify in two processes at once', () => {
  it('prints the slot notification once', async () => {
    // Each process evaluates the slot of its own clock; under load two may start in different minutes, and
    // then they are not competing for one slot: try again with a fresh group (at most three times).
    for (let attempt = 1; ; attempt++) {
      const group = `cli-claims-${attempt}`;
      const config = join(dir, `${group}.yml`);
      await writeFile(config, `rules:\n  - name: ${group}\n    interval: 1m\n    rules:\n      - alert: CliDue\n        expr: vector(1)\n        annotations: { summary: "due now" }\n`);
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 40_000) await new Promise((resolve) => setTimeout(resolve, 61_000 - intoMinute));
      const args = ['--config', config, '--vm-url', vm.url, '--notify', '--data-dir', join(dir, 'data')];
      const [printing, json] = await Promise.all([check(args), check([...args, '--json'])]);
      for (const run of [printing, json]) expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(json.stdout) as { groups: Array<{ evaluated_at: string; sent: number; notified_by_this_evaluation: boolean; notifications: unknown[] }> };
      const printedSlot = /^group \S+ at (\S+)$/m.exec(printing.stdout)?.[1];
      if (printedSlot !== report.groups[0]?.evaluated_at && attempt < 3) continue;
      expect(printedSlot).toBe(report.groups[0]?.evaluated_at);
      const printed = printing.stdout.split('\n').filter((l) => l.startsWith('ALERT FIRING  CliDue')).length;
      // The JSON run plans the slot's notification, unless the printing run had already sent it and committed
      // the alert's state before the JSON run restored it: then there is nothing left to plan (not a loss).
      const planned = report.groups[0]?.notifications.length ?? 0;
      expect(planned).toBeLessThanOrEqual(1);
      if (planned === 0) expect(printed).toBe(1);
      // One of the two sent it: the printing one (it shows the notification) or the JSON one (it says so).
      expect([printed, report.groups[0]?.sent].sort()).toEqual([0, 1]);
      // With a notification to send, "notified by this evaluation" is whether it won the claim; with none
      // left to send (the other had committed it), there is nothing to claim and nothing sent.
      if (planned === 1) expect(report.groups[0]?.notified_by_this_evaluation).toBe(report.groups[0]?.sent === 1);
      else expect([report.groups[0]?.notified_by_this_evaluation, report.groups[0]?.sent]).toEqual([true, 0]);
      // The claim both tried to create: one file, naming the group and slot; and one for the slot before,
      // which no evaluation had committed (taken so that no late evaluation of it sends the same alert).
      const claimsDir = join(dir, 'data', 'claims');
      const keys = await Promise.all((await readdir(claimsDir)).map(async (f) => (await readFile(join(claimsDir, f), 'utf8')).split('\n')[1]));
      const slot = Date.parse(printedSlot ?? '');
      expect(keys.filter((k) => k?.startsWith(`${group}/`)).sort()).toEqual([`${group}/${slot - 60_000}`, `${group}/${slot}`]);
      return;
    }
  }, 300_000);
});
