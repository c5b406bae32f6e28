// prometheus.yml scrape jobs that call blackbox_exporter's /probe → Periscope groups. Each target's labels
// are computed the way Prometheus computes them (scrape/target.go populateLabels, v2.42): the target group's
// labels and __address__, then job/__scheme__/__metrics_path__/interval/timeout where unset, then params as
// __param_*, then the job's relabel_configs; meta labels go, instance defaults to the address. The probed
// target is what ends up in __param_target, the module what ends up in __param_module.
import { formatDuration, parseDuration } from '../config/duration.js';
import { RESERVED_LABELS } from '../config/schema.js';
import { mapBlackboxModule, type MappedModule, type ModuleContext } from './blackbox-modules.js';
import { lambdaIntervalMs } from './lambda-stage.js';
import { parseRelabelRule, relabel, RelabelConfigError, type Labels, type RelabelRule } from './relabel.js';
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
const DEFAULT_INTERVAL = '1m';
const DEFAULT_TIMEOUT = '10s';
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

function stringRecord(value: unknown): Record<string, string> {
  if (!isMapping(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function readTargetGroups(list: unknown, file: SourceFile, path: YamlPath, extra: Record<string, string>): TargetGroup[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isMapping).map((group, index) => ({
    targets: Array.isArray(group.targets) ? group.targets.map(String) : [],
    labels: { ...stringRecord(group.labels), ...extra },
    where: file.at([...path, index]),
  }));
}

class JobImporter {
  private readonly modules = new Map<string, MappedModule | undefined>();
  private readonly groupNames = new Set<string>();
  readonly groups: ImportedGroup[] = [];

  constructor(
    private readonly sources: ScrapeSources,
    private readonly ctx: ModuleContext,
  ) {}

  private get report() {
    return this.ctx.report;
  }

  private module(name: string): MappedModule | undefined {
    if (!this.modules.has(name)) this.modules.set(name, mapBlackboxModule(this.sources.blackbox, name, this.ctx));
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

  importJob(job: Record<string, unknown>, jobPath: YamlPath, global: Record<string, unknown>): void {
    const prom = this.sources.prometheus;
    const jobName = String(job.job_name ?? '');
    const where = prom.at(jobPath);
    const metricsPath = String(job.metrics_path ?? '/metrics');
    if (!metricsPath.endsWith('/probe')) {
      this.report.leftOut(where, `scrape job ${jobName} scrapes ${metricsPath}, not a blackbox_exporter /probe: Periscope does not scrape exporters`);
      return;
    }
    const rules: RelabelRule[] = [];
    const rawRules: unknown[] = Array.isArray(job.relabel_configs) ? job.relabel_configs : [];
    for (const [index, raw] of rawRules.entries()) {
      try {
        rules.push(parseRelabelRule(raw));
      } catch (err) {
        if (!(err instanceof RelabelConfigError)) throw err;
        // Prometheus refuses such a config, so there are no labels to reproduce: the job is left out.
        this.report.leftOut(prom.at([...jobPath, 'relabel_configs', index]), `scrape job ${jobName} not imported: ${err.message}`);
        return;
      }
    }
    for (const key of Object.keys(job)) {
      if (HANDLED.has(key)) continue;
      if (EXPORTER_ONLY.has(key)) this.report.mapped(prom.keyAt([...jobPath, key]), `scrape job ${jobName}: ${key} concerns scraping blackbox_exporter; not needed`);
      else if (key.endsWith('_sd_configs')) this.report.leftOut(prom.keyAt([...jobPath, key]), `scrape job ${jobName}: ${key} is not imported (use static targets, file_sd or a group's discovery)`);
      else this.report.leftOut(prom.keyAt([...jobPath, key]), `scrape job ${jobName}: ${key} is not imported`);
    }

    const intervalText = String(job.scrape_interval ?? global.scrape_interval ?? DEFAULT_INTERVAL);
    const timeoutText = String(job.scrape_timeout ?? global.scrape_timeout ?? DEFAULT_TIMEOUT);
    const scrapeTimeoutMs = parseDuration(timeoutText) ?? 10_000;
    const params = isMapping(job.params) ? job.params : {};
    const base: Array<[string, string]> = [
      ['job', jobName],
      ['__scrape_interval__', intervalText],
      ['__scrape_timeout__', timeoutText],
      ['__metrics_path__', metricsPath],
      ['__scheme__', String(job.scheme ?? 'http')],
    ];

    const scrapeIntervalMs = parseDuration(intervalText) ?? 60_000;
    const intervalMs = this.ctx.lambdaSchedules ? lambdaIntervalMs(scrapeIntervalMs) : scrapeIntervalMs;
    const group: ImportedGroup = { name: this.uniqueGroupName(jobName), interval: formatDuration(intervalMs), targets: [] };
    const jobLabels = new Set<string>();
    for (const targetGroup of this.targetGroups(job, jobPath)) {
      for (const address of targetGroup.targets) {
        const labels: Labels = new Map(Object.entries({ ...targetGroup.labels, __address__: address }));
        for (const [name, value] of base) if (!labels.get(name)) labels.set(name, value);
        for (const [name, values] of Object.entries(params)) {
          const first: unknown = Array.isArray(values) ? values[0] : values;
          if (first !== undefined) labels.set(`__param_${name}`, String(first));
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
    if (intervalMs !== scrapeIntervalMs) {
      this.report.approximated(where, `scrape job ${jobName}: scrape_interval ${formatDuration(scrapeIntervalMs)} → interval ${group.interval}: Lambda schedules run on whole minutes, at most once a minute`);
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
  const global = isMapping(prom) && isMapping(prom.global) ? prom.global : {};
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
