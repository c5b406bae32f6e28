// A template's life: parsed once when the rules load — unknown functions and undefined variables are errors
// then, not when the alert fires — and rendered for every notification.
import type { Node } from './ast.js';
import { TemplateError } from './errors.js';
import { execute } from './exec.js';
import { parseNodes } from './parser.js';
import { AlertRoot, GoDuration, GoTime, type GoMap } from './values.js';
import { describeError } from '../../observability/error-message.js';


/** A parsed template; create with parseTemplate, use with renderTemplate. */
export interface Template {
  /** The template text as written. */
  readonly source: string;
  /** @internal Parse tree. */
  readonly nodes: readonly Node[];
  /** @internal The output when the template has no actions (most labels), so rendering is free. */
  readonly constant: string | undefined;
}

export interface TemplateData {
  /** The sample value: $value and .Value. */
  value: number;
  /** The alert's labels: $labels and .Labels. */
  labels: Record<string, string>;
  /** $externalLabels and .ExternalLabels. */
  externalLabels?: Record<string, string>;
  /** The rule's query: $expr and .Expr (vmalert). */
  expr?: string;
  /** $externalURL and .ExternalURL. */
  externalUrl?: string;
  /** When the alert became active: $activeAt (vmalert). */
  activeAtMs?: number;
  /** The rule's `for` and the group's interval: $for and $interval (vmalert). */
  forMs?: number;
  intervalMs?: number;
  /** The evaluation time, for now(); the clock when not given. */
  nowMs?: number;
}

const EMPTY: GoMap = Object.freeze({});

/** Parses template text. Throws TemplateError (with line and column) on syntax errors, unknown
 *  functions, undefined variables and other mistakes that would fail every time the template runs. */
export function parseTemplate(text: string): Template {
  const nodes = parseNodes(text);
  let constant: string | undefined = '';
  for (const node of nodes) {
    if (node.type !== 'text') {
      constant = undefined;
      break;
    }
    constant += node.text;
  }
  return { source: text, nodes, constant };
}

/** Renders a template. Never throws: like Prometheus, a template that fails while rendering yields
 *  "<error expanding template: …>" so the notification still goes out. */
export function renderTemplate(template: Template, data: TemplateData): string {
  try {
    return executeTemplate(template, data);
  } catch (err) {
    const message = err instanceof TemplateError ? err.message : describeError(err);
    return `<error expanding template: ${message}>`;
  }
}

/** Renders a template; throws TemplateExecError when it fails (for tools that want the error itself). */
export function executeTemplate(template: Template, data: TemplateData): string {
  if (template.constant !== undefined) return template.constant;
  const root = new AlertRoot(
    data.value,
    data.labels,
    data.externalLabels ?? EMPTY,
    data.expr ?? '',
    data.externalUrl ?? '',
    new GoTime(data.activeAtMs ?? 0),
    new GoDuration(BigInt(Math.round(data.forMs ?? 0)) * 1_000_000n),
    new GoDuration(BigInt(Math.round(data.intervalMs ?? 0)) * 1_000_000n),
    data.nowMs ?? Date.now(),
  );
  return execute(template.source, template.nodes, root);
}

/** The error message for template text that would be rejected, or undefined when it is valid. */
export function validateTemplate(text: string): string | undefined {
  try {
    parseTemplate(text);
    return undefined;
  } catch (err) {
    if (err instanceof TemplateError) return err.message;
    throw err;
  }
}
