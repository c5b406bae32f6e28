// `periscope check`: evaluates every rule once and prints each rule's state and value. Read-only unless
// --notify, which makes it a real evaluation (state written, notifications sent).
import { join, resolve } from 'node:path';
import { createSecretResolver, loadTargetsFile } from '../shared/config/index.js';
import { createFileClaimStore } from '../shared/alerting/state/file-claim-store.js';
import { loadAlertingConfig } from '../shared/alerting/rules/load.js';
import { runAlerting } from '../shared/alerting/evaluation/run-alerting.js';
import { vmAuthFromEnv } from '../shared/victoria-metrics/index.js';
import { createDirectSlackNotifier } from '../shared/notify/index.js';
import { createTextLogger, type Logger } from '../shared/observability/logger.js';
import type { Notification } from '../shared/notify/types.js';
import { terminalSafe, terminalSafeJson } from '../shared/observability/terminal-text.js';
import { formatGroupReport, formatNotification } from './alert-output.js';
import { DEFAULT_DATA_DIR, vmUrlFor } from './run-state.js';

export interface CheckFlags {
  config: string;
  vmUrl?: string;
  json?: boolean;
  notify?: boolean;
  /** Where the slot claims live, shared with `periscope run` so the two never both notify. */
  dataDir?: string;
}

/** Local notifications: printed, and posted to Slack when SLACK_WEBHOOK_URL is set. */
export function localNotifier(logger: Logger, write: (text: string) => void): (n: Notification) => Promise<void> {
  const webhook = process.env.SLACK_WEBHOOK_URL;
  const slack = webhook ? createDirectSlackNotifier(webhook, logger) : undefined;
  return async (n) => {
    write(`${formatNotification(n)}\n`);
    await slack?.(n);
  };
}

/**
 * Local slot claims: files in the data directory, so a `periscope check --notify` beside a running
 * `periscope run` (two processes) sends a slot's notifications once. See file-claim-store.ts.
 */
export function localClaimStore(dataDir: string) {
  return createFileClaimStore(join(resolve(dataDir), 'claims'));
}

/** `nowMs`: the evaluation's clock (tests evaluate past slots, as the anomaly check's own tests do). */
export async function checkCommand(flags: CheckFlags, nowMs = Date.now()): Promise<number> {
  const file = await loadTargetsFile(flags.config);
  const config = await loadAlertingConfig(file, flags.config);
  if (config.groups.length === 0) {
    process.stderr.write(`periscope: ${flags.config} has no alerting rules (rules: or rule_files:)\n`);
    return 0;
  }
  const vmUrl = await vmUrlFor(flags.vmUrl, flags.dataDir);
  const logger = createTextLogger();
  const secrets = createSecretResolver();
  const readAuth = await vmAuthFromEnv(process.env, secrets, 'VM_QUERY');
  const writeAuth = await vmAuthFromEnv(process.env, secrets, 'VM_WRITE');
  const out = (text: string) => process.stdout.write(terminalSafe(text));
  const run = await runAlerting(
    config,
    {
      read: { url: vmUrl, ...(readAuth ? { auth: readAuth } : {}) },
      write: { url: vmUrl, ...(writeAuth ? { auth: writeAuth } : {}) },
      settings: config.settings,
      notify: localNotifier(logger, flags.json ? () => {} : out),
      logger,
      stage: process.env.STAGE ?? 'local',
      region: process.env.AWS_REGION ?? 'local',
      // Links to vmui only where one is configured: Debian's VictoriaMetrics has none (/vmui is a 404).
      ...(process.env.VM_UI_URL ? { vmUiUrl: process.env.VM_UI_URL } : {}),
      ...(flags.notify ? { mode: 'live' as const, claims: localClaimStore(flags.dataDir ?? DEFAULT_DATA_DIR) } : { mode: 'dry' as const }),
    },
    { nowMs },
  );
  if (flags.json) process.stdout.write(`${terminalSafeJson(run, 2)}\n`);
  else {
    for (const group of run.groups) out(`${formatGroupReport(group)}\n`);
    for (const failure of run.failed) out(`group ${failure.group}: NOT EVALUATED: ${failure.error}\n`);
    if (!flags.notify && config.groups.some((g) => g.rules.some((r) => r.kind === 'recording'))) {
      out('recording rules were evaluated, not written (a dry run); with --notify they are written, as the anomaly check writes them\n');
    }
  }
  const errors = run.failed.length + run.groups.reduce((n, g) => n + g.rule_errors, 0);
  return errors > 0 ? 1 : 0;
}
