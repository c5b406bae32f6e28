// The anomaly-check Lambda's logic apart from AWS wiring: load rules (cached per container), evaluate the
// groups that are due, report. It throws only when nothing could be evaluated (so the Errors alarm fires
// once through CloudWatch, which keeps working when VictoriaMetrics does not).
import { ConfigError, loadTargetsFile, type TargetsFile } from '../../config/index.js';
import type { MetricsSink } from '../../observability/metrics.js';
import type { AlertingDeps } from './evaluate-group.js';
import { loadAlertingConfig, type AlertingConfig } from '../rules/load.js';
import { runAlerting, type AlertingRun } from './run-alerting.js';

export interface AnomalyCheckRuntime {
  targetsPath: string;
  deps: AlertingDeps;
  metrics: MetricsSink;
  /** The Lambda's schedule rate: a group is evaluated when its slot began within it. */
  scheduleRateMs: number;
}

export interface AnomalyCheckAnswer {
  groups: Array<{ group: string; evaluated_at: string; firing: number; pending: number; notifications: number; sent: number; send_failures: number; rule_errors: number }>;
  failed: AlertingRun['failed'];
  duration_ms: number;
}

let cached: { path: string; config: Promise<AlertingConfig> } | undefined;

async function loadConfig(path: string): Promise<AlertingConfig> {
  if (!cached || cached.path !== path) {
    const config = (async () => {
      const file: TargetsFile = await loadTargetsFile(path);
      return loadAlertingConfig(file, path);
    })();
    cached = { path, config };
    config.catch(() => {
      cached = undefined;
    });
  }
  return cached.config;
}

export async function handleAnomalyCheck(runtime: AnomalyCheckRuntime, nowMs = Date.now()): Promise<AnomalyCheckAnswer> {
  let config: AlertingConfig;
  try {
    config = await loadConfig(runtime.targetsPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      runtime.deps.logger.error('alerting configuration invalid', { error: err.message });
      throw new Error(`alerting configuration invalid: ${err.message}`, { cause: err });
    }
    throw err;
  }
  const run = await runAlerting(config, { ...runtime.deps, settings: config.settings }, { nowMs, scheduleRateMs: runtime.scheduleRateMs, metrics: runtime.metrics });
  const answer: AnomalyCheckAnswer = {
    groups: run.groups.map((g) => ({
      group: g.group,
      evaluated_at: g.evaluated_at,
      firing: g.rules.reduce((n, r) => n + r.alerts.filter((a) => a.phase === 'firing').length, 0),
      pending: g.rules.reduce((n, r) => n + r.alerts.filter((a) => a.phase === 'pending').length, 0),
      notifications: g.notifications.length,
      sent: g.sent,
      send_failures: g.send_failures,
      rule_errors: g.rule_errors,
    })),
    failed: run.failed,
    duration_ms: run.duration_ms,
  };
  runtime.deps.logger.info('anomaly check finished', { ...answer });
  if (run.groups.length === 0 && run.failed.length > 0) {
    throw new Error(`no rule group could be evaluated: ${run.failed.map((f) => `${f.group}: ${f.error}`).join('; ')}`);
  }
  return answer;
}
