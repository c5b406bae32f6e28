// Parsed source files in, a targets file (as YAML text, validated with the same schema as every other
// targets file), the stage params and a report out. Pure: reading the files (and file_sd globs) is
// read-sources.ts' job.
import { stringify } from 'yaml';
import { goString } from '../config/go-scalars.js';
import { RESERVED_LABELS } from '../config/schema.js';
import { parseTargetsFile } from '../config/load.js';
import { loadRegexEngine } from '../regex/index.js';
import { importAlertmanager } from './alertmanager.js';
import { ImportReport } from './report.js';
import { importScrapeJobs, type ScrapeSources } from './scrape-jobs.js';
import { isMapping } from './source.js';
import { lambdaIntervalMs } from './lambda-stage.js';
import { formatDuration, parseDuration } from '../config/duration.js';
import type { SourceFile } from './source.js';

export interface ImportSources extends ScrapeSources {
  alertmanager?: SourceFile;
}

export interface ImportOptions {
  /**
   * Stage the file is for: secrets become ssm:/periscope/<stage>/… references (else env: references), and
   * intervals whole minutes of at least one, as Lambda schedules run (lambda-stage.ts).
   */
  stage?: string;
  /**
   * Rewrites a rule_files entry of prometheus.yml so it resolves from the output file's directory; for a stage,
   * the copies under targets/ a pattern's files were given (the Lambdas' packages hold targets/ only).
   */
  rulePath: (entry: string) => string | string[];
  /** Named in the header comment and in validation messages. */
  outputName: string;
}

export interface ImportResult {
  yaml: string;
  /** For the stage's params: in serverless.yml (alert emails, Slack webhook, VictoriaMetrics URL). */
  params: Record<string, unknown>;
  report: ImportReport;
  groups: number;
  targets: number;
}

function secretRefFor(stage: string | undefined): (slug: string) => string {
  return (slug) => {
    const clean = slug.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
    return stage ? `ssm:/periscope/${stage}/${clean}` : `env:${clean.toUpperCase().replace(/-/g, '_')}`;
  };
}

function remoteWriteParams(prom: SourceFile, report: ImportReport, secretRef: (slug: string) => string): Record<string, unknown> {
  const data = isMapping(prom.data) ? prom.data : {};
  const writes = Array.isArray(data.remote_write) ? data.remote_write.filter(isMapping) : [];
  const first = writes[0];
  if (!first) return {};
  const where = prom.at(['remote_write', 0]);
  const params: Record<string, unknown> = {};
  const url = String(first.url ?? '');
  const base = url.replace(/\/api\/v1\/write\/?$/, '').replace(/\/prometheus\/api\/v1\/write\/?$/, '/prometheus');
  if (base !== url) {
    params.vmWriteUrl = base;
    report.mapped(where, `remote_write ${base.replace(/\/\/[^/@]*@/, '//***@')} → params.vmWriteUrl (Periscope writes to its import API)`);
  } else report.approximated(where, 'remote_write URL is not a VictoriaMetrics /api/v1/write: set params.vmWriteUrl by hand');
  if (isMapping(first.basic_auth)) {
    params.vmWriteUsername = String(first.basic_auth.username ?? '');
    if (first.basic_auth.password !== undefined) {
      params.vmWritePasswordFrom = secretRef('vm-password');
      report.secret({ ref: String(params.vmWritePasswordFrom), where: prom.keyAt(['remote_write', 0, 'basic_auth']), what: 'remote_write basic_auth password' });
    } else if (first.basic_auth.password_file !== undefined) params.vmWritePasswordFrom = `file:${String(first.basic_auth.password_file)}`;
  }
  if (first.bearer_token !== undefined || isMapping(first.authorization)) {
    params.vmWriteTokenFrom = secretRef('vm-token');
    report.secret({ ref: String(params.vmWriteTokenFrom), where, what: 'remote_write bearer token' });
  }
  for (const extra of writes.slice(1)) report.leftOut(prom.at(['remote_write', writes.indexOf(extra)]), 'a second remote_write: Periscope writes to one VictoriaMetrics per stage');
  return params;
}

/** evaluation_interval as written; for a stage, whole minutes (the anomaly check runs once a minute). */
function evaluationInterval(text: string, lambda: boolean, prom: SourceFile, report: ImportReport): string {
  const ms = parseDuration(text);
  if (!lambda || ms === undefined || lambdaIntervalMs(ms) === ms) return text;
  const rounded = formatDuration(lambdaIntervalMs(ms));
  report.approximated(prom.keyAt(['global', 'evaluation_interval']), `evaluation_interval ${text} → ${rounded}: the anomaly check Lambda runs once a minute`);
  return rounded;
}

/** Builds the targets file; throws ConfigError only if the result does not validate (a bug, reported as such). */
export async function importSetup(sources: ImportSources, options: ImportOptions): Promise<ImportResult> {
  await loadRegexEngine(); // relabel regexes and the schema's are RE2
  const report = new ImportReport();
  const secretRef = secretRefFor(options.stage);
  const groups = importScrapeJobs(sources, { report, secretRef: (module, what) => secretRef(`${module}-${what}`), lambdaSchedules: options.stage !== undefined });
  const prom = isMapping(sources.prometheus.data) ? sources.prometheus.data : {};
  const global = isMapping(prom.global) ? prom.global : {};

  const file: Record<string, unknown> = {};
  if (isMapping(global.external_labels)) {
    const labels: Record<string, string> = {};
    for (const [name, value] of Object.entries(global.external_labels)) {
      if ((RESERVED_LABELS as readonly string[]).includes(name)) {
        report.approximated(sources.prometheus.keyAt(['global', 'external_labels', name]), `external label ${name} cannot be kept: Periscope sets ${name} itself`);
      } else labels[name] = goString(global.external_labels, name) ?? String(value);
    }
    if (Object.keys(labels).length > 0) {
      file.labels = labels;
      report.mapped(sources.prometheus.keyAt(['global', 'external_labels']), 'external_labels → labels (on every sample)');
    }
  }
  file.groups = groups;
  const ruleFiles = Array.isArray(prom.rule_files) ? prom.rule_files.map(String) : [];
  if (ruleFiles.length > 0) {
    file.rule_files = ruleFiles.flatMap(options.rulePath);
    report.mapped(sources.prometheus.keyAt(['rule_files']), `rule_files referenced as they are (${ruleFiles.length})`);
  }
  const alerting: Record<string, unknown> = {};
  if (global.evaluation_interval !== undefined) alerting.evaluation_interval = evaluationInterval(String(global.evaluation_interval), options.stage !== undefined, sources.prometheus, report);
  const params = remoteWriteParams(sources.prometheus, report, secretRef);
  if (sources.alertmanager) {
    const am = importAlertmanager(sources.alertmanager, report, secretRef);
    Object.assign(alerting, am.alerting);
    Object.assign(params, am.params);
  }
  if (isMapping(prom.alerting)) report.mapped(sources.prometheus.keyAt(['alerting']), 'alerting.alertmanagers not needed: Periscope notifies through the stage topic');
  if (Object.keys(alerting).length > 0) file.alerting = alerting;

  const header = `# Generated by periscope import from ${[sources.blackbox.path, sources.prometheus.path, sources.alertmanager?.path].filter(Boolean).join(', ')}.\n`;
  const yaml = header + stringify(file, { lineWidth: 0, aliasDuplicateObjects: false });
  parseTargetsFile(yaml, options.outputName);
  return { yaml, params, report, groups: groups.length, targets: groups.reduce((n, g) => n + g.targets.length, 0) };
}
