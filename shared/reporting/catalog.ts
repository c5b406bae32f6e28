// What the targets file says about each target that the samples do not: its probe interval (to count
// missing runs), whether it is public (status page) and its availability objective (report).
import type { TargetsFile } from '../config/index.js';

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
