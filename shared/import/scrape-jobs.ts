// prometheus.yml scrape jobs that call blackbox_exporter's /probe → Periscope groups. Each target's labels
// are computed the way Prometheus computes them (scrape/target.go populateLabels, v2.42): the target group's
// labels and __address__, then job/__scheme__/__metrics_path__/interval/timeout where unset, then params as
// __param_*, then the job's relabel_configs; meta labels go, instance defaults to the address. The probed
// target is what ends up in __param_target, the module what ends up in __param_module.
import { formatDuration } from '../config/duration.js';
import { goString } from '../config/go-scalars.js';
import { RESERVED_LABELS } from '../config/schema.js';
import { checkBlackboxConfig, type CheckedBlackboxConfig } from './blackbox-config.js';
import { mapBlackboxModule, type MappedModule, type ModuleContext } from './blackbox-modules.js';
import { lambdaIntervalMs } from './lambda-stage.js';
import { parseRelabelRule, relabel, RelabelConfigError, type Labels, type RelabelRule } from './relabel.js';
import { formatPrometheusDuration, parsePrometheusDuration } from './go-types.js';
import { addressFor, hidePassword } from './probe-address.js';
import { isMapping, type SourceFile, type YamlPath } from './source.js';

export interface ImportedTarget {
  name: string;
  /** Only when Prometheus' instance differs from what Periscope writes (the URL, or host:port). */
  instance?: string;
  labels: Record<string, string>;
  timeout: string;
  http?: Record<string, unknown>;
  tcp?: Record<string, unknown>;
  dns?: Record<string, unknown>;
  grpc?: Record<string, unknown>;
}

export interface ImportedGroup {
  name: string;
  interval: string;
  targets: ImportedTarget[];
}

export interface ScrapeSources {
  prometheus: SourceFile;
  blackbox: SourceFile;
  /** A file_sd_configs `files` entry, as written → the files it matched, parsed. */
  fileSd: ReadonlyMap<string, readonly SourceFile[]>;
}

/** Settings of a scrape job that concern scraping blackbox_exporter itself, not the probe: not needed. */
const EXPORTER_ONLY = new Set([
  'scheme', 'honor_labels', 'honor_timestamps', 'sample_limit', 'target_limit', 'label_limit', 'label_name_length_limit',
  'label_value_length_limit', 'body_size_limit', 'basic_auth', 'authorization', 'bearer_token', 'bearer_token_file', 'tls_config',
  'proxy_url', 'no_proxy', 'proxy_from_environment', 'follow_redirects', 'enable_http2', 'oauth2',
]);
const HANDLED = new Set(['job_name', 'metrics_path', 'params', 'scrape_interval', 'scrape_timeout', 'static_configs', 'file_sd_configs', 'relabel_configs']);
/** Prometheus' DefaultGlobalConfig. */
const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** blackbox_exporter's --timeout-offset default: it probes for the scrape timeout less this. */
const BLACKBOX_TIMEOUT_OFFSET_MS = 500;
const HOST_PORT_RE = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/;

interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
  where: string;
}

/** "blackbox_http" → "blackbox-http": group names are lower-case letters, digits and dashes. */
export function groupNameFor(jobName: string): string {
  const name = jobName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return name || 'imported';
}

function targetNameFor(probeTarget: string): string {
  const name = probeTarget
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/+$/, '')
    .replace(/[^A-Za-z0-9_.:/-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 100);
  return name || 'target';
}

/** Label values as Prometheus reads them (LabelValue is a string: the scalar as written, `1.10` stays "1.10"). */
function stringRecord(value: unknown): Record<string, string> {
  if (!isMapping(value)) return {};
  return Object.fromEntries(Object.keys(value).map((k) => [k, goString(value, k) ?? String(value[k])]));
}

const stringList = (list: unknown[]): string[] => list.map((item, index) => goString(list, index) ?? String(item));

export interface ScrapeTiming {
  intervalMs: number;
  timeoutMs: number;
}

/** A duration field of prometheus.yml (model.Duration); undefined when absent or null, an Error when Prometheus refuses it. */
function promDuration(container: Record<string, unknown>, key: string): number | undefined {
  if (container[key] === undefined || container[key] === null) return undefined;
  const text = goString(container, key);
  if (text === undefined) throw new Error(`${key}: cannot unmarshal !!map into model.Duration`);
  try {
    return parsePrometheusDuration(text);
  } catch (err) {
    throw new Error(`${key}: ${(err as Error).message}`, { cause: err });
  }
}

/** GlobalConfig.UnmarshalYAML (2.42): interval 1m unless set, timeout 10s or the interval if shorter. */
export function globalTiming(global: Record<string, unknown>): ScrapeTiming {
  const intervalMs = promDuration(global, 'scrape_interval') || DEFAULT_INTERVAL_MS;
  let timeoutMs = promDuration(global, 'scrape_timeout') ?? 0;
  if (timeoutMs > intervalMs) throw new Error('global scrape timeout greater than scrape interval');
  if (timeoutMs === 0) timeoutMs = Math.min(DEFAULT_TIMEOUT_MS, intervalMs);
  return { intervalMs, timeoutMs };
}

/** Config.UnmarshalYAML (2.42) for one scrape job: its own values, else the global ones, the timeout never above the interval. */
function jobTiming(job: Record<string, unknown>, global: ScrapeTiming, jobName: string): ScrapeTiming {
  const intervalMs = promDuration(job, 'scrape_interval') || global.intervalMs;
  let timeoutMs = promDuration(job, 'scrape_timeout') ?? 0;
  if (timeoutMs > intervalMs) throw new Error(`scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(jobName)}`);
  if (timeoutMs === 0) timeoutMs = global.timeoutMs > intervalMs ? intervalMs : global.timeoutMs;
  return { intervalMs, timeoutMs };
}

function readTargetGroups(list: unknown, file: SourceFile, path: YamlPath, extra: Record<string, string>): TargetGroup[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isMapping).map((group, index) => ({
    targets: Array.isArray(group.targets) ? stringList(group.targets) : [],
    labels: { ...stringRecord(group.labels), ...extra },
    where: file.at([...path, index]),
  }));
}

class JobImporter {
  private readonly modules = new Map<string, MappedModule | undefined>();
  private readonly groupNames = new Set<string>();
  readonly groups: ImportedGroup[] = [];
  private readonly blackbox: CheckedBlackboxConfig;

  constructor(
    private readonly sources: ScrapeSources,
    private readonly ctx: ModuleContext,
  ) {
    // Every module is judged as blackbox_exporter's loader judges it, used or not: one refused module makes
    // blackbox refuse the whole file, so the report names each.
    const bb = sources.blackbox;
    this.blackbox = checkBlackboxConfig(bb);
    if (this.blackbox.refusal) {
      this.report.refused(bb.keyAt(this.blackbox.refusal.path), `blackbox_exporter refuses ${bb.path}: ${this.blackbox.refusal.message}`);
    }
    for (const [name, checked] of this.blackbox.modules) {
      if (checked.refusal) this.report.refused(bb.keyAt(checked.refusal.path), `module ${name}: blackbox_exporter refuses it: ${checked.refusal.message}`);
    }
  }

  private get report() {
    return this.ctx.report;
  }

  private module(name: string): MappedModule | undefined {
    if (!this.modules.has(name)) this.modules.set(name, mapBlackboxModule(this.sources.blackbox, name, this.blackbox.modules.get(name), this.ctx));
    return this.modules.get(name);
  }

  private uniqueGroupName(jobName: string): string {
    const base = groupNameFor(jobName);
    let name = base;
    for (let n = 2; this.groupNames.has(name); n++) name = `${base.slice(0, 36)}-${n}`;
    this.groupNames.add(name);
    return name;
  }

  private targetGroups(job: Record<string, unknown>, jobPath: YamlPath): TargetGroup[] {
    const prom = this.sources.prometheus;
    const groups = readTargetGroups(job.static_configs, prom, [...jobPath, 'static_configs'], {});
    const fileSd = Array.isArray(job.file_sd_configs) ? job.file_sd_configs : [];
    fileSd.forEach((sd: unknown, sdIndex) => {
      const files = isMapping(sd) && Array.isArray(sd.files) ? sd.files.map(String) : [];
      for (const pattern of files) {
        const matched = this.sources.fileSd.get(pattern) ?? [];
        if (matched.length === 0) this.report.leftOut(prom.at([...jobPath, 'file_sd_configs', sdIndex]), `file_sd file ${pattern} matched no file`);
        for (const file of matched) groups.push(...readTargetGroups(file.data, file, [], { __meta_filepath: file.path }));
      }
    });
    return groups;
  }

  /** The job's relabel_configs, parsed; undefined (reported as refused) when Prometheus refuses one of them or of metric_relabel_configs. */
  private relabelRules(job: Record<string, unknown>, jobPath: YamlPath, jobName: string): RelabelRule[] | undefined {
    const rules: RelabelRule[] = [];
    for (const field of ['relabel_configs', 'metric_relabel_configs'] as const) {
      const list: unknown[] = Array.isArray(job[field]) ? job[field] : [];
      for (const [index, raw] of list.entries()) {
        try {
          const rule = parseRelabelRule(raw);
          if (field === 'relabel_configs') rules.push(rule);
        } catch (err) {
          if (!(err instanceof RelabelConfigError)) throw err;
          this.report.refused(this.sources.prometheus.at([...jobPath, field, index]), `scrape job ${jobName} not imported: Prometheus refuses ${field}[${index}]: ${err.message}`);
          return undefined;
        }
      }
    }
    return rules;
  }

  importJob(job: Record<string, unknown>, jobPath: YamlPath, global: ScrapeTiming): void {
    const prom = this.sources.prometheus;
    const jobName = String(job.job_name ?? '');
    const where = prom.at(jobPath);
    // Prometheus refuses the whole file for one bad relabel rule, in any job: such a job is not imported.
    const rules = this.relabelRules(job, jobPath, jobName);
    if (!rules) return;
    const metricsPath = String(job.metrics_path ?? '/metrics');
    if (!metricsPath.endsWith('/probe')) {
      this.report.leftOut(where, `scrape job ${jobName} scrapes ${metricsPath}, not a blackbox_exporter /probe: Periscope does not scrape exporters`);
      return;
    }
    for (const key of Object.keys(job)) {
      if (HANDLED.has(key)) continue;
      if (EXPORTER_ONLY.has(key)) this.report.mapped(prom.keyAt([...jobPath, key]), `scrape job ${jobName}: ${key} concerns scraping blackbox_exporter; not needed`);
      else if (key.endsWith('_sd_configs')) this.report.leftOut(prom.keyAt([...jobPath, key]), `scrape job ${jobName}: ${key} is not imported (use static targets, file_sd or a group's discovery)`);
      else this.report.leftOut(prom.keyAt([...jobPath, key]), `scrape job ${jobName}: ${key} is not imported`);
    }

    let timing: ScrapeTiming;
    try {
      timing = jobTiming(job, global, jobName);
    } catch (err) {
      this.report.refused(where, `scrape job ${jobName} not imported: Prometheus refuses it: ${(err as Error).message}`);
      return;
    }
    const scrapeTimeoutMs = timing.timeoutMs;
    const params = isMapping(job.params) ? job.params : {};
    const base: Array<[string, string]> = [
      ['job', jobName],
      ['__scrape_interval__', formatPrometheusDuration(timing.intervalMs)],
      ['__scrape_timeout__', formatPrometheusDuration(timing.timeoutMs)],
      ['__metrics_path__', metricsPath],
      ['__scheme__', String(job.scheme ?? 'http')],
    ];

    const intervalMs = this.ctx.lambdaSchedules ? lambdaIntervalMs(timing.intervalMs) : timing.intervalMs;
    const group: ImportedGroup = { name: this.uniqueGroupName(jobName), interval: formatDuration(intervalMs), targets: [] };
    const jobLabels = new Set<string>();
    for (const targetGroup of this.targetGroups(job, jobPath)) {
      for (const address of targetGroup.targets) {
        const labels: Labels = new Map(Object.entries({ ...targetGroup.labels, __address__: address }));
        for (const [name, value] of base) if (!labels.get(name)) labels.set(name, value);
        for (const [name, values] of Object.entries(params)) {
          const first: unknown = Array.isArray(values) ? values[0] : values;
          if (first !== undefined) labels.set(`__param_${name}`, Array.isArray(values) ? (goString(values, 0) ?? String(first)) : (goString(params, name) ?? String(first)));
        }
        const final = relabel(labels, rules);
        if (!final) {
          this.report.mapped(targetGroup.where, `target ${address} is dropped by relabel_configs, as in Prometheus`);
          continue;
        }
        const target = this.target(final, address, targetGroup.where, scrapeTimeoutMs, group);
        if (target) {
          group.targets.push(target);
          jobLabels.add(final.get('job') ?? '');
        }
      }
    }
    if (group.targets.length === 0) {
      this.report.leftOut(where, `scrape job ${jobName}: no target could be imported`);
      return;
    }
    this.groups.push(group);
    this.report.mapped(where, `scrape job ${jobName} → group ${group.name} (${group.targets.length} target${group.targets.length === 1 ? '' : 's'}, every ${group.interval})`);
    if (intervalMs !== timing.intervalMs) {
      this.report.approximated(where, `scrape job ${jobName}: scrape_interval ${formatDuration(timing.intervalMs)} → interval ${group.interval}: Lambda schedules run on whole minutes, at most once a minute`);
    }
    this.report.approximated(
      where,
      `scrape job ${jobName}: series carried job="${[...jobLabels].join('", "')}"; Periscope writes job="periscope" and group="${group.name}" (rules and dashboards selecting job need the new labels)`,
    );
  }

  private target(final: Labels, address: string, where: string, scrapeTimeoutMs: number, group: ImportedGroup): ImportedTarget | undefined {
    const probeTarget = final.get('__param_target');
    const moduleName = final.get('__param_module');
    if (!probeTarget) {
      this.report.leftOut(where, `target ${address}: relabelling sets no __param_target, so there is nothing to probe`);
      return undefined;
    }
    if (!moduleName) {
      this.report.leftOut(where, `target ${address}: no module (params.module or a __param_module relabel)`);
      return undefined;
    }
    const module = this.module(moduleName);
    if (!module) return undefined;
    const probed = addressFor(module.prober, probeTarget, module.block);
    if ('problem' in probed) {
      this.report.leftOut(where, `target ${hidePassword(address)}: ${probed.problem}`);
      return undefined;
    }
    const block = { ...probed.field, ...module.block };
    // As blackbox_exporter: the scrape timeout less its offset, or the module's timeout if that is shorter.
    let timeoutMs = scrapeTimeoutMs - BLACKBOX_TIMEOUT_OFFSET_MS;
    if (module.timeoutMs !== undefined && module.timeoutMs > 0 && module.timeoutMs < timeoutMs) timeoutMs = module.timeoutMs;
    const labels: Record<string, string> = {};
    for (const [name, value] of [...final].sort(([a], [b]) => a.localeCompare(b))) {
      if (name.startsWith('__') || name === 'job' || name === 'instance') continue;
      if ((RESERVED_LABELS as readonly string[]).includes(name)) {
        this.report.approximated(where, `target ${address}: label ${name}="${value}" cannot be kept: Periscope sets ${name} itself`);
        continue;
      }
      labels[name] = value;
    }
    let name = targetNameFor(probeTarget);
    const taken = new Set(group.targets.map((t) => t.name));
    if (taken.has(name)) name = `${name}-${moduleName}`.slice(0, 128);
    for (let n = 2; taken.has(name); n++) name = `${targetNameFor(probeTarget).slice(0, 100)}-${moduleName.slice(0, 20)}-${n}`;
    const instance = final.get('instance') || defaultInstance(final.get('__address__') ?? address, final.get('__scheme__') ?? 'http');
    return {
      name,
      ...(instance === probed.written ? {} : { instance }),
      labels,
      timeout: formatDuration(Math.max(100, timeoutMs)),
      [module.prober]: block,
    };
  }
}

/** Prometheus' default instance: the address, with the scheme's port added when it has none. */
function defaultInstance(address: string, scheme: string): string {
  if (HOST_PORT_RE.test(address)) return address;
  return `${address}:${scheme === 'https' ? 443 : 80}`;
}

/** Imports every /probe job of prometheus.yml; what cannot be imported is in the report. */
export function importScrapeJobs(sources: ScrapeSources, ctx: ModuleContext): ImportedGroup[] {
  const prom = sources.prometheus.data;
  const importer = new JobImporter(sources, ctx);
  let global: ScrapeTiming;
  try {
    global = globalTiming(isMapping(prom) && isMapping(prom.global) ? prom.global : {});
  } catch (err) {
    // Prometheus refuses the whole file: no job has timings to reproduce.
    ctx.report.refused(sources.prometheus.keyAt(['global']), `Prometheus refuses ${sources.prometheus.path}: ${(err as Error).message}; no scrape job imported`);
    return [];
  }
  const jobs = isMapping(prom) && Array.isArray(prom.scrape_configs) ? prom.scrape_configs : [];
  jobs.forEach((job: unknown, index) => {
    if (isMapping(job)) importer.importJob(job, ['scrape_configs', index], global);
  });
  return importer.groups;
}

/** Every file_sd `files` entry of prometheus.yml, as written (the I/O side resolves and reads them). */
export function fileSdPatterns(prometheus: SourceFile): string[] {
  const prom = prometheus.data;
  const jobs = isMapping(prom) && Array.isArray(prom.scrape_configs) ? prom.scrape_configs : [];
  const out: string[] = [];
  for (const job of jobs) {
    if (!isMapping(job) || !Array.isArray(job.file_sd_configs)) continue;
    for (const sd of job.file_sd_configs) if (isMapping(sd) && Array.isArray(sd.files)) out.push(...sd.files.map(String));
  }
  return out;
}
