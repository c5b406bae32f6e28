// Prometheus relabelling (model/relabel, v2.42), reproduced action by action so an imported target gets the
// labels Prometheus would have given it: the regex is anchored (^(?:…)$), `$1` / `${1}` / `${name}` expand
// as Go's Regexp.Expand does, source values join with the separator, and the defaults are Prometheus' own
// (action replace, regex (.*), separator ";", replacement $1).
import { createHash } from 'node:crypto';
import { goString } from '../config/go-scalars.js';
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
// Prometheus' relabelTarget: letters/underscores or $-references (target_label of replace & co, labelmap's replacement).
const RELABEL_TARGET_RE = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;
const RELABEL_FIELDS = new Set(['source_labels', 'separator', 'regex', 'target_label', 'replacement', 'action', 'modulus']);

/** Prometheus anchors every relabel regex exactly so: ^(?:pattern)$ (needs the RE2 engine loaded). */
export function anchoredRegex(pattern: string): Re2Regex {
  try {
    return compileRe2(`^(?:${pattern})$`);
  } catch (err) {
    if (err instanceof RegexSyntaxError) throw new RelabelConfigError(`regex ${JSON.stringify(pattern)}: ${err.message.replace(/^invalid regular expression "[\s\S]*": /, '')}`, { cause: err });
    throw err;
  }
}

/**
 * A string field as yaml.v2 fills it (Prometheus reads its configuration with yaml.v2): the scalar as
 * written; a null sets the zero value "" (not the default).
 */
function str(entry: Record<string, unknown>, field: string, fallback: string): string {
  if (!(field in entry)) return fallback;
  if (entry[field] === null) return '';
  const text = goString(entry, field);
  if (text === undefined) throw new RelabelConfigError(`${field}: cannot unmarshal ${Array.isArray(entry[field]) ? '!!seq' : '!!map'} into string`);
  return text;
}

/**
 * Validates one relabel_configs entry exactly as Prometheus 2.42's loader does (model/relabel Config's
 * UnmarshalYAML, read with yaml.v2) and fills in its defaults.
 */
export function parseRelabelRule(raw: unknown): RelabelRule {
  if (raw === null || raw === undefined) throw new RelabelConfigError('empty or null relabeling rule');
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new RelabelConfigError('a relabel rule must be a mapping');
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) if (!RELABEL_FIELDS.has(key)) throw new RelabelConfigError(`field ${key} not found in type relabel.plain`);
  const written = (field: string) => field in entry;

  let action = 'replace';
  if (written('action') && entry.action !== null) {
    const text = str(entry, 'action', '');
    action = text.toLowerCase();
    if (!(RELABEL_ACTIONS as readonly string[]).includes(action)) throw new RelabelConfigError(`unknown relabel action ${JSON.stringify(text)}`);
  }
  let sourceLabels: string[] | undefined;
  if (written('source_labels') && entry.source_labels !== null) {
    const list = entry.source_labels;
    if (!Array.isArray(list)) throw new RelabelConfigError('source_labels: cannot unmarshal !!str into model.LabelNames');
    sourceLabels = list.map((_, index) => {
      const name = goString(list, index);
      if (name === undefined) throw new RelabelConfigError('source_labels: cannot unmarshal !!map into string');
      if (!LABEL_NAME_RE.test(name)) throw new RelabelConfigError(`${JSON.stringify(name)} is not a valid label name`);
      return name;
    });
  }
  const separator = str(entry, 'separator', ';');
  const targetLabel = str(entry, 'target_label', '');
  const replacement = str(entry, 'replacement', '$1');
  // An explicit regex, even "(.*)", is not the default one (Go compares the compiled regexps by pointer).
  const regexWritten = written('regex');
  const regex = anchoredRegex(regexWritten ? str(entry, 'regex', '') : '(.*)');
  let modulus = 0;
  if (written('modulus') && entry.modulus !== null) {
    const value = entry.modulus;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RelabelConfigError(`modulus: cannot unmarshal ${JSON.stringify(goString(entry, 'modulus') ?? value)} into uint64`);
    modulus = Math.trunc(value);
  }

  const is = (...actions: string[]) => actions.includes(action);
  if (modulus === 0 && is('hashmod')) throw new RelabelConfigError('relabel configuration for hashmod requires non-zero modulus');
  if (is('replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal') && targetLabel === '') {
    throw new RelabelConfigError(`relabel configuration for ${action} action requires 'target_label' value`);
  }
  if (is('replace', 'lowercase', 'uppercase', 'keepequal', 'dropequal') && !RELABEL_TARGET_RE.test(targetLabel)) {
    throw new RelabelConfigError(`${JSON.stringify(targetLabel)} is invalid 'target_label' for ${action} action`);
  }
  if (is('lowercase', 'uppercase', 'keepequal', 'dropequal') && replacement !== '$1') throw new RelabelConfigError(`'replacement' can not be set for ${action} action`);
  if (is('labelmap') && !RELABEL_TARGET_RE.test(replacement)) throw new RelabelConfigError(`${JSON.stringify(replacement)} is invalid 'replacement' for ${action} action`);
  if (is('hashmod') && !LABEL_NAME_RE.test(targetLabel)) throw new RelabelConfigError(`${JSON.stringify(targetLabel)} is invalid 'target_label' for ${action} action`);
  if (is('dropequal', 'keepequal') && (regexWritten || modulus !== 0 || separator !== ';' || replacement !== '$1')) {
    throw new RelabelConfigError(`${action} action requires only 'source_labels' and \`target_label\`, and no other fields`);
  }
  if (is('labeldrop', 'labelkeep') && (sourceLabels !== undefined || targetLabel !== '' || modulus !== 0 || separator !== ';' || replacement !== '$1')) {
    throw new RelabelConfigError(`${action} action requires only 'regex', and no other fields`);
  }
  return { action: action as RelabelAction, sourceLabels: sourceLabels ?? [], separator, regex, targetLabel, replacement, modulus };
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
