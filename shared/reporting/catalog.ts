// What the targets file says about each target that the samples do not: its probe interval (to count
// missing runs), whether it is public (status page) and its availability objective (report).
import type { TargetsFile } from '../config/index.js';
import type { AlertingConfig } from '../alerting/rules/load.js';
import type { CompiledRule } from '../alerting/rules/compile.js';

export interface TargetInfo {
  group: string;
  target: string;
  intervalMs: number;
  public: boolean;
  slo?: number;
}

export interface Catalog {
  /** Keyed by catalogKey(group, target): names are unique within a group only. */
  targets: Map<string, TargetInfo>;
  /** The alerting rules, keyed by ruleKey(alertgroup, alertname), for the annotations the alerts pages show. */
  rules?: Map<string, CompiledRule>;
  /** External labels of the alerting settings ($externalLabels in annotation templates). */
  externalLabels?: Record<string, string>;
}

export const ruleKey = (alertgroup: string, alertname: string): string => `${alertgroup}\u0000${alertname}`;

/** The catalog with the rules of an alerting config, so the UI can render their annotations for an alert. */
export function withAlertRules(catalog: Catalog, alerting: AlertingConfig): Catalog {
  const rules = new Map<string, CompiledRule>();
  for (const group of alerting.groups) for (const rule of group.rules) rules.set(ruleKey(group.name, rule.name), rule);
  return { ...catalog, rules, externalLabels: alerting.settings.external_labels };
}

export const catalogKey = (group: string, target: string): string => `${group}/${target}`;

export function catalogFromFile(file: TargetsFile): Catalog {
  const targets = new Map<string, TargetInfo>();
  for (const group of file.groups) {
    for (const t of group.targets) {
      const slo = t.slo ?? group.slo;
      targets.set(catalogKey(group.name, t.name), {
        group: group.name,
        target: t.name,
        intervalMs: group.interval ?? file.defaults.interval,
        public: t.public ?? group.public,
        ...(slo !== undefined ? { slo } : {}),
      });
    }
  }
  return { targets };
}

export const emptyCatalog = (): Catalog => ({ targets: new Map() });
