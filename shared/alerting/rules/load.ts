// Alerting configuration from a targets file: inline `rules:` groups, standard rule files named in
// `rule_files:` (paths relative to the targets file, `*` globs allowed) and the `alerting:` settings.
// Every problem is a ConfigError naming the file and the field.
import { readConfigText } from '../../config/read-text.js';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type * as z from 'zod/mini';
import { ConfigError, type ConfigProblem } from '../../config/errors.js';
import { formatPath, problemsFromZod } from '../../config/errors.js';
import { parseYaml } from '../../config/load.js';
import type { TargetsFile } from '../../config/schema.js';
import { loadRegexEngine } from '../../regex/index.js';
import { compileRules, type CompiledGroup } from './compile.js';
import { loadPromqlParser } from './promql/index.js';
import { alertingSettingsSchema, ruleFileSchema, ruleGroupSchema, type AlertingSettings, type RuleGroup } from './schema.js';

export interface AlertingConfig {
  groups: CompiledGroup[];
  settings: AlertingSettings;
}

function check<T>(schema: z.ZodMiniType<T>, value: unknown, file: string, prefix: PropertyKey[]): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = problemsFromZod(parsed.error).map((p): ConfigProblem => ({
    path: formatPath([...prefix]) + (p.path ? (p.path.startsWith('[') || !prefix.length ? p.path : `.${p.path}`) : ''),
    message: p.message,
  }));
  throw new ConfigError(file, problems);
}

export async function expandRuleFiles(patterns: string[], baseDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    const full = resolve(baseDir, pattern);
    const name = basename(full);
    if (!name.includes('*')) {
      files.push(full);
      continue;
    }
    const dir = dirname(full);
    const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    let entries: string[] = [];
    try {
      entries = await readdir(dir);
    } catch {
      // A glob that matches nothing is not an error (as in Prometheus).
    }
    files.push(...entries.filter((e) => re.test(e)).sort().map((e) => join(dir, e)));
  }
  return files;
}

async function readRuleFile(path: string): Promise<RuleGroup[]> {
  const text = await readConfigText(path, 'rule file');
  const raw = parseYaml(text, path);
  return check(ruleFileSchema, raw ?? {}, path, []).groups;
}

/** True when a parsed YAML document is a Prometheus rule file (groups with rules) rather than a targets file. */
export function looksLikeRuleFile(doc: unknown): boolean {
  const groups = (doc as { groups?: unknown } | null)?.groups;
  return Array.isArray(groups) && groups.some((g) => typeof g === 'object' && g !== null && 'rules' in g);
}

/** A standalone rule file, validated and compiled with default settings (periscope validate). */
export async function loadRuleFile(path: string): Promise<CompiledGroup[]> {
  await Promise.all([loadRegexEngine(), loadPromqlParser()]);
  const settings = check(alertingSettingsSchema, undefined, path, []);
  const groups = await readRuleFile(path);
  // As Prometheus: group names are unique within a file.
  const seen = new Set<string>();
  groups.forEach((group, index) => {
    if (seen.has(group.name)) throw new ConfigError(path, [{ path: `groups[${index}].name`, message: `duplicate rule group name "${group.name}"` }]);
    seen.add(group.name);
  });
  return groups.map((group) => ({
    name: group.name,
    intervalMs: group.interval ?? settings.evaluation_interval,
    source: path,
    rules: compileRules(group, settings),
  }));
}

export async function loadAlertingConfig(file: TargetsFile, filePath: string): Promise<AlertingConfig> {
  // Templates (match, reReplaceAll) and maintenance matchers (of rules and of the `alerting:` settings)
  // compile RE2 patterns, also while rendering.
  if (file.rules.length > 0 || file.rule_files.length > 0 || file.alerting !== undefined) await loadRegexEngine();
  // Rule expressions are parsed as they load.
  if (file.rules.length > 0 || file.rule_files.length > 0) await loadPromqlParser();
  const settings = check(alertingSettingsSchema, file.alerting, filePath, ['alerting']);
  const sources: Array<{ group: RuleGroup; file: string; path: string }> = [];
  file.rules.forEach((raw, index) => {
    sources.push({ group: check(ruleGroupSchema, raw, filePath, ['rules', index]), file: filePath, path: `rules[${index}]` });
  });
  for (const path of await expandRuleFiles(file.rule_files, dirname(resolve(filePath)))) {
    (await readRuleFile(path)).forEach((group, index) => sources.push({ group, file: path, path: `groups[${index}]` }));
  }
  const seen = new Map<string, string>();
  const groups: CompiledGroup[] = [];
  for (const { group, file: source, path } of sources) {
    const first = seen.get(group.name);
    if (first) throw new ConfigError(source, [{ path: `${path}.name`, message: `duplicate rule group name "${group.name}" (also in ${first})` }]);
    seen.set(group.name, `${source}`);
    groups.push({
      name: group.name,
      intervalMs: group.interval ?? settings.evaluation_interval,
      source,
      rules: compileRules(group, settings),
    });
  }
  return { groups, settings };
}
