// Prometheus relabelling (model/relabel, v2.42), reproduced action by action so an imported target gets the
// labels Prometheus would have given it: the regex is anchored (^(?:…)$), `$1` / `${1}` / `${name}` expand
// as Go's Regexp.Expand does, source values join with the separator, and the defaults are Prometheus' own
// (action replace, regex (.*), separator ";", replacement $1).
import { createHash } from 'node:crypto';
import { compileRe2, expandTemplate, RegexSyntaxError, type Re2Regex } from '../regex/index.js';

export type Labels = Map<string, string>;

export const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase'] as const;
export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

export interface RelabelRule {
  action: RelabelAction;
  sourceLabels: string[];
  separator: string;
  regex: Re2Regex;
  targetLabel: string;
  replacement: string;
  modulus: number;
}

export class RelabelConfigError extends Error {}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Prometheus' check on target_label for replace: letters/underscores or $-references.
const RELABEL_TARGET_RE = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/** Prometheus anchors every relabel regex exactly so: ^(?:pattern)$ (needs the RE2 engine loaded). */
export function anchoredRegex(pattern: string): Re2Regex {
  compileRe2(pattern); // a syntax error names the pattern as written
  return compileRe2(`^(?:${pattern})$`);
}

function str(value: unknown, field: string, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new RelabelConfigError(`${field} must be a string`);
}

/** Validates one relabel_configs entry as Prometheus' config loader does and fills in its defaults. */
export function parseRelabelRule(raw: unknown): RelabelRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RelabelConfigError('a relabel rule must be a mapping');
  const entry = raw as Record<string, unknown>;
  const known = new Set(['source_labels', 'separator', 'regex', 'target_label', 'replacement', 'action', 'modulus']);
  for (const key of Object.keys(entry)) if (!known.has(key)) throw new RelabelConfigError(`unknown field "${key}"`);
  const action = str(entry.action, 'action', 'replace').toLowerCase();
  if (!(RELABEL_ACTIONS as readonly string[]).includes(action)) throw new RelabelConfigError(`unknown relabel action "${action}"`);
  const sourceLabels = entry.source_labels === undefined ? [] : entry.source_labels;
  if (!Array.isArray(sourceLabels) || sourceLabels.some((l) => typeof l !== 'string')) throw new RelabelConfigError('source_labels must be a list of label names');
  let regex: Re2Regex;
  try {
    regex = anchoredRegex(str(entry.regex, 'regex', '(.*)'));
  } catch (err) {
    throw new RelabelConfigError(err instanceof RegexSyntaxError ? err.message : String(err));
  }
  const rule: RelabelRule = {
    action: action as RelabelAction,
    sourceLabels: sourceLabels as string[],
    separator: str(entry.separator, 'separator', ';'),
    regex,
    targetLabel: str(entry.target_label, 'target_label', ''),
    replacement: str(entry.replacement, 'replacement', '$1'),
    modulus: Number(entry.modulus ?? 0),
  };
  const needsTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(rule.action);
  if (needsTarget && rule.targetLabel === '') throw new RelabelConfigError(`relabel action ${rule.action} requires a target_label`);
  if (rule.action === 'replace' && !RELABEL_TARGET_RE.test(rule.targetLabel)) throw new RelabelConfigError(`"${rule.targetLabel}" is not a valid target_label`);
  if (needsTarget && rule.action !== 'replace' && !LABEL_NAME_RE.test(rule.targetLabel)) throw new RelabelConfigError(`"${rule.targetLabel}" is not a valid target_label`);
  if (rule.action === 'hashmod' && !(Number.isInteger(rule.modulus) && rule.modulus > 0)) throw new RelabelConfigError('relabel action hashmod requires a modulus above 0');
  return rule;
}

/** sum64(md5(value)) % modulus, as Prometheus' hashmod: the last 8 bytes of the digest, big-endian. */
function hashMod(value: string, modulus: number): string {
  const digest = createHash('md5').update(value).digest();
  return (digest.readBigUInt64BE(8) % BigInt(modulus)).toString();
}

function setOrDelete(labels: Labels, name: string, value: string): void {
  if (value === '') labels.delete(name);
  else labels.set(name, value);
}

/** Applies the rules in order; returns undefined when the target is dropped. The input map is not changed. */
export function relabel(input: Labels, rules: readonly RelabelRule[]): Labels | undefined {
  const labels = new Map(input);
  for (const rule of rules) {
    const value = rule.sourceLabels.map((name) => labels.get(name) ?? '').join(rule.separator);
    switch (rule.action) {
      case 'drop':
        if (rule.regex.test(value)) return undefined;
        break;
      case 'keep':
        if (!rule.regex.test(value)) return undefined;
        break;
      case 'dropequal':
        if ((labels.get(rule.targetLabel) ?? '') === value) return undefined;
        break;
      case 'keepequal':
        if ((labels.get(rule.targetLabel) ?? '') !== value) return undefined;
        break;
      case 'replace': {
        const match = rule.regex.exec(value);
        if (!match) break;
        const target = expandTemplate(rule.targetLabel, match);
        if (!LABEL_NAME_RE.test(target)) {
          labels.delete(rule.targetLabel);
          break;
        }
        const result = expandTemplate(rule.replacement, match);
        if (result === '') labels.delete(rule.targetLabel);
        else labels.set(target, result);
        break;
      }
      case 'lowercase':
        setOrDelete(labels, rule.targetLabel, value.toLowerCase());
        break;
      case 'uppercase':
        setOrDelete(labels, rule.targetLabel, value.toUpperCase());
        break;
      case 'hashmod':
        labels.set(rule.targetLabel, hashMod(value, rule.modulus));
        break;
      case 'labelmap':
        for (const [name, labelValue] of [...labels]) {
          const match = rule.regex.exec(name);
          if (match) setOrDelete(labels, expandTemplate(rule.replacement, match), labelValue);
        }
        break;
      case 'labeldrop':
        for (const name of [...labels.keys()]) if (rule.regex.test(name)) labels.delete(name);
        break;
      case 'labelkeep':
        for (const name of [...labels.keys()]) if (!rule.regex.test(name)) labels.delete(name);
        break;
    }
  }
  return labels;
}
