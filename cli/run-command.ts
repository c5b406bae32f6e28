// `periscope run`: the local run. Each group of a targets file runs on its interval through the same code
// as the probe Lambda (runGroup): probe, write to VictoriaMetrics, spool to <data dir>/spool when it is
// down. Without --vm-url (or VM_URL) it starts VictoriaMetrics itself. --once runs every group once.
import { join, resolve } from 'node:path';
import { createSecretResolver, formatDuration, loadTargetsFile, type GroupSpec, type TargetsFile } from '../shared/config/index.js';
import { createTextLogger } from '../shared/observability/logger.js';
import { createPrintingSink } from '../shared/observability/metrics.js';
import { runGroup, type RunSummary } from '../shared/pipeline/run-group.js';
import { formatSummaryLine } from '../shared/probing/format.js';
import { createFileSpool } from '../shared/storage/file-spool.js';
import { redactUrl } from '../shared/victoria-metrics/index.js';
import { vmAuthFromEnv } from '../shared/victoria-metrics/index.js';
import { startDemoService, type DemoService } from './demo-service.js';
import { startLocalVictoriaMetrics, type LocalVictoriaMetrics } from './local-victoria-metrics.js';
import { loadAlertingConfig } from '../shared/alerting/rules/load.js';
import { runAlerting } from '../shared/alerting/evaluation/run-alerting.js';
import type { AlertingDeps } from '../shared/alerting/evaluation/evaluate-group.js';
import { localClaimStore, localNotifier } from './check-command.js';
import { createDiscovery } from '../shared/discovery/index.js';
import { createLazyDiscoveryApis } from '../shared/discovery/aws-clients.js';
import { catalogFromFile, withAlertRules } from '../shared/reporting/catalog.js';
import { startUi } from './ui-command.js';
import { errorMessage } from '../shared/observability/error-message.js';
import { terminalSafe } from '../shared/observability/terminal-text.js';
import { ConfigError } from '../shared/config/index.js';
import { DEMO_ERRORS_GROUP } from './demo-service.js';
import { plural } from './plural.js';
import { portInUseText } from './port-holder.js';
import { readRunState, removeRunState, writeRunState } from './run-state.js';

export interface RunFlags {
  config: string;
  vmUrl?: string;
  vmPort: number;
  once?: boolean;
  demo?: boolean;
  dataDir: string;
  concurrency: number;
  listen: string;
  /** Host names the web UI answers for besides addresses and localhost. */
  allowedHosts?: string;
  demoHttpPort: number;
  demoHttpsPort: number;
  /** false with --no-ui. */
  ui: boolean;
}

function summaryLine(s: RunSummary): string {
  return (
    `group ${s.group}: ${s.succeeded}/${s.targets} ok, ${plural(s.samples_written, 'sample')} written` +
    (s.replayed ? ` (${s.replayed} replayed from the spool)` : '') +
    (s.spooled ? `, ${s.spooled} spooled` : '') +
    (s.rejected ? `, ${s.rejected} rejected` : '') +
    (s.spool_depth ? `, spool holds ${plural(s.spool_depth, 'batch', 'batches')}` : '') +
    `, ${s.duration_ms} ms`
  );
}

/** A second run with the same data dir would fight the first over ports, the spool and VictoriaMetrics' data. */
async function refuseSecondRun(dataDir: string, shownDir: string): Promise<void> {
  const other = await readRunState(dataDir);
  if (!other || other.pid === process.pid) return;
  const where = [`VictoriaMetrics ${redactUrl(other.vm_url)}`, ...(other.ui_url ? [`UI ${other.ui_url}`] : [])].join(', ');
  throw new ConfigError('command line', [
    {
      path: '--data-dir',
      message:
        `periscope run is already running with data dir ${shownDir} (pid ${other.pid}, since ${other.started_at}; ${where}): ` +
        `stop it first (Ctrl-C in its terminal, or kill ${other.pid}), or give this run its own --data-dir, --vm-port, --listen and --demo-*-port`,
    },
  ]);
}

/** The demo's ports; a port taken by something else is bad input naming the port and its holder. */
async function startDemo(dataDir: string, flags: RunFlags): Promise<DemoService> {
  try {
    return await startDemoService({ dataDir, httpPort: flags.demoHttpPort, httpsPort: flags.demoHttpsPort });
  } catch (err) {
    const port = (err as NodeJS.ErrnoException & { port?: number }).port;
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === undefined) throw err;
    const option = port === flags.demoHttpsPort ? '--demo-https-port' : '--demo-http-port';
    throw new ConfigError('command line', [{ path: option, message: `${await portInUseText(port)}; the demo service needs it (pass ${option} with another port, and change the targets file to match)` }]);
  }
}

export async function runCommand(flags: RunFlags): Promise<number> {
  const file: TargetsFile = await loadTargetsFile(flags.config);
  const alerting = await loadAlertingConfig(file, flags.config);
  const dataDir = resolve(flags.dataDir);
  const concurrency = flags.concurrency;
  await refuseSecondRun(dataDir, flags.dataDir);
  const cleanups: Array<() => Promise<void>> = [];
  try {
    let vmUrl = flags.vmUrl ?? process.env.VM_URL;
    if (!vmUrl) {
      const vm: LocalVictoriaMetrics = await startLocalVictoriaMetrics(dataDir, flags.vmPort);
      cleanups.push(() => vm.stop());
      vmUrl = vm.url;
      process.stdout.write(`VictoriaMetrics: ${vm.url}, data in ${join(dataDir, 'victoria-metrics')}\n`);
    } else process.stdout.write(`VictoriaMetrics: ${redactUrl(vmUrl)}\n`);
    // A single round (--once) ends before anyone could look at a page.
    let uiUrl: string | undefined;
    if (flags.ui !== false && !flags.once) {
      // Reading takes VM_QUERY_* credentials, else the write credentials (one vmauth user for both).
      const readAuth = (await vmAuthFromEnv(process.env, createSecretResolver(), 'VM_QUERY')) ?? (await vmAuthFromEnv(process.env, createSecretResolver()));
      const ui = await startUi(vmUrl, withAlertRules(catalogFromFile(file), alerting), flags.listen, readAuth, flags.allowedHosts);
      cleanups.push(() => ui.close());
      uiUrl = ui.url;
      process.stdout.write(`Periscope UI: ${ui.url}\n`);
    }
    if (flags.demo) {
      const demo = await startDemo(dataDir, flags);
      cleanups.push(() => demo.close());
      process.stdout.write(`demo service: ${demo.httpUrl} and ${demo.httpsUrl} (certificate ${demo.certFile}, valid until ${demo.certValidUntil})\n`);
      const errors = file.groups.find((g) => g.name === DEMO_ERRORS_GROUP);
      if (errors) {
        process.stdout.write(`group ${DEMO_ERRORS_GROUP} fails on purpose (${errors.targets.map((t) => t.name).join(', ')}): it shows what a failing target and its alert look like\n`);
      }
    }
    if (!flags.once) {
      // `periscope check`, `report` and `ui` find this run's VictoriaMetrics here (run-state.ts).
      await writeRunState(dataDir, { pid: process.pid, vm_url: vmUrl, ...(uiUrl ? { ui_url: uiUrl } : {}), config: flags.config, started_at: new Date().toISOString() });
      cleanups.push(() => removeRunState(dataDir));
    }
    // Per-target lines and summaries are printed separately, so failed probes are not logged again.
    const logger = createTextLogger(['probe failed']);
    const secrets = createSecretResolver();
    // vmauth in front: VM_WRITE_USERNAME + VM_WRITE_PASSWORD_FROM, or VM_WRITE_TOKEN_FROM, as in Lambda.
    const auth = await vmAuthFromEnv(process.env, secrets);
    const metrics = createPrintingSink((line) => process.stdout.write(`  ${line}\n`));
    const deps = {
      file,
      identity: { stage: 'local', account: 'local', region: process.env.AWS_REGION ?? 'local' },
      vm: { url: vmUrl, ...(auth ? { auth } : {}) },
      spool: createFileSpool(join(dataDir, 'spool')),
      secrets,
      metrics,
      logger,
      concurrency,
      // Discovery groups ask AWS with the local credentials (the SDK's default chain), on first use only.
      discover: createDiscovery({ apis: createLazyDiscoveryApis(), logger, metrics }),
    };
    const alertingDeps: AlertingDeps = {
      read: deps.vm,
      write: deps.vm,
      settings: alerting.settings,
      notify: localNotifier(logger, (text) => process.stdout.write(text)),
      logger,
      stage: 'local',
      region: deps.identity.region,
      // Links to vmui only where one is configured: Debian's VictoriaMetrics has none (/vmui is a 404).
      ...(process.env.VM_UI_URL ? { vmUiUrl: process.env.VM_UI_URL } : {}),
      mode: 'live',
      claims: localClaimStore(dataDir),
      spool: deps.spool,
    };
    const evaluateRules = async (only?: string[]) => {
      const run = await runAlerting(alerting, alertingDeps, { nowMs: Date.now(), ...(only ? { only } : {}) });
      for (const g of run.groups) {
        const count = (phase: 'pending' | 'firing') => g.rules.reduce((n, r) => n + r.alerts.filter((a) => a.phase === phase).length, 0);
        const errors = g.rules.filter((r) => r.state === 'error').map((r) => `${r.rule}: ${r.error ?? ''}`);
        const active = g.rules.filter((r) => r.alerts.length > 0).map((r) => `${r.rule} (${r.state})`);
        process.stdout.write(
          terminalSafe(
            `${new Date().toISOString()}  rules ${g.group}: ${g.rules.length} evaluated, ${count('firing')} firing, ${count('pending')} pending` +
              `${active.length ? `: ${active.join(', ')}` : ''}${errors.length ? `; errors: ${errors.join('; ')}` : ''}\n`,
          ),
        );
      }
      for (const f of run.failed) process.stdout.write(terminalSafe(`rules ${f.group}: not evaluated: ${f.error}\n`));
    };
    const runOnce = async (group: GroupSpec) => {
      const interval = group.interval ?? file.defaults.interval;
      // A round must end before the next is due, as a Lambda invocation must end before its timeout.
      const budget = flags.once ? Math.max(interval, (group.timeout ?? file.defaults.timeout) + 10_000) : interval;
      const { summary, results } = await runGroup({ ...deps, group, deadlineMs: Date.now() + budget });
      process.stdout.write(terminalSafe(`${new Date().toISOString()}  ${summaryLine(summary)}\n${results.map((r) => `  ${formatSummaryLine(r)}`).join('\n')}\n`));
      return summary;
    };
    if (flags.once) {
      let failed = 0;
      for (const group of file.groups) failed += (await runOnce(group)).failed;
      if (alerting.groups.length) await evaluateRules();
      process.stdout.write(`done: ${plural(file.groups.length, 'group')}, ${plural(failed, 'failed probe')}\n`);
      return 0;
    }
    const timers = file.groups.map((group) => {
      const interval = group.interval ?? file.defaults.interval;
      process.stdout.write(`group ${group.name}: ${plural(group.targets.length, 'target')} every ${formatDuration(interval)}\n`);
      let running = false;
      const tick = async () => {
        if (running) return; // a round still running when the next is due is skipped, not stacked
        running = true;
        try {
          await runOnce(group);
        } catch (err) {
          logger.error('round failed', { group: group.name, error: errorMessage(err) });
        } finally {
          running = false;
        }
      };
      void tick();
      return setInterval(() => void tick(), interval);
    });
    const ruleTimers = alerting.groups.map((group) => {
      process.stdout.write(`rule group ${group.name}: ${plural(group.rules.length, 'rule')} every ${formatDuration(group.intervalMs)}\n`);
      let running = false;
      const tick = async () => {
        if (running) return;
        running = true;
        try {
          await evaluateRules([group.name]);
        } catch (err) {
          logger.error('rule evaluation failed', { group: group.name, error: errorMessage(err) });
        } finally {
          running = false;
        }
      };
      // A first evaluation shortly after the first probes, then on the group's interval.
      const first = setTimeout(() => void tick(), Math.min(5_000, group.intervalMs));
      const every = setInterval(() => void tick(), group.intervalMs);
      return [first, every];
    });
    process.stdout.write('running; press Ctrl-C to stop\n');
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    [...timers, ...ruleTimers.flat()].forEach(clearInterval);
    process.stdout.write('stopping\n');
    return 0;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}
