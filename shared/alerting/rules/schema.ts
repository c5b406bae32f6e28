// Alerting rules: Prometheus/vmalert rule groups (so existing alerts.yml files work unchanged), plus two
// forms for people who do not want to write PromQL comparisons: `threshold` and seasonal `anomaly`.
import * as z from 'zod/mini';
import { parseDuration } from '../../config/duration.js';
import { transformIssue } from '../../config/zod.js';
import { goStringValues } from '../../config/fields.js';
import { compileRe2, RegexSyntaxError } from '../../regex/index.js';
import { matcherRegex } from './maintenance.js';
import { promqlProblem } from './promql/index.js';
import { parseTemplate, TemplateError, validateTemplate } from '../template/index.js';

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Prometheus' model.IsValidMetricName (the names a recording rule may record).
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export const durationSchema = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((value: string | number, ctx) => {
    // Rule files from the wild sometimes give plain seconds as numbers.
    const ms = typeof value === 'number' ? value * 1000 : parseDuration(value);
    if (ms === undefined || ms < 0) return transformIssue(ctx, `"${value}" is not a duration (use e.g. 30s, 5m, 1h)`);
    return ms;
  }),
);

const template = z.string().check(
  z.superRefine((text, ctx) => {
    try {
      parseTemplate(text);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      ctx.addIssue({ code: 'custom', message: `template: ${err.message}` });
    }
  }),
);

/** A rule expression: parsed now (the PromQL parser must be loaded), so a typo fails validation, not evaluation. */
const promqlCheck = z.superRefine((text: string, ctx) => {
  const problem = promqlProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const labelNamesValid = z.superRefine((map: Record<string, string>, ctx) => {
  for (const name of Object.keys(map)) {
    if (!LABEL_NAME_RE.test(name) || name.startsWith('__')) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a valid label name` });
    }
  }
});

// Label and annotation values are Go strings in Prometheus' rulefmt: `severity: 1` is "1", `page: yes` is "yes".
const labels = z.pipe(goStringValues, z.record(z.string(), template)).check(labelNamesValid);

/** A rule's labels: templates in an alerting rule, recorded as written by a recording rule (checked below). */
const ruleLabels = z.pipe(goStringValues, z.record(z.string(), z.string())).check(labelNamesValid);

const thresholdSchema = z
  .strictObject({
    query: z.string().check(z.minLength(1), promqlCheck),
    above: z.optional(z.number()),
    below: z.optional(z.number()),
    at_least: z.optional(z.number()),
    at_most: z.optional(z.number()),
  })
  .check(
    z.superRefine((t, ctx) => {
      const given = (['above', 'below', 'at_least', 'at_most'] as const).filter((k) => t[k] !== undefined);
      if (given.length !== 1) {
        ctx.addIssue({ code: 'custom', message: `needs exactly one of above, below, at_least, at_most${given.length ? ` (has ${given.join(', ')})` : ''}` });
      }
    }),
  );

const anomalySchema = z.strictObject({
  /** The value to watch, e.g. sum(increase(orders_created_total[1h])). */
  query: z.string().check(z.minLength(1), promqlCheck),
  baseline: z._default(
    z.strictObject({
      /** Length of one season: compare with the same time one season ago, two seasons ago, … */
      season: z._default(durationSchema.check(z.refine((ms) => ms >= 3_600_000, 'a season is at least 1h (usually 1d or 1w)')), 604_800_000),
      /** How many past seasons make the baseline. */
      periods: z._default(z.number().check(z.int(), z.gte(2), z.lte(12)), 4),
    }),
    { season: 604_800_000, periods: 4 },
  ),
  /** How many scaled MADs away from the baseline median counts as an anomaly. */
  sensitivity: z._default(z.number().check(z.positive()), 3),
  direction: z._default(z.enum(['up', 'down', 'both']), 'both'),
  /** Deviations smaller than this (in the query's unit) never fire, however unusual. */
  min_deviation: z._default(z.number().check(z.gte(0)), 0),
  /** Past seasons that must have data before the rule may fire; silent until then. */
  warmup: z.optional(z.number().check(z.int(), z.gte(1))),
});

const maintenanceSchema = z
  .strictObject({
    name: z.string().check(z.minLength(1)),
    /** Label matchers: every one must equal the alert's label (or match the regex written as /…/). */
    matchers: z._default(
      z.record(z.string(), z.string()).check(
        z.superRefine((matchers, ctx) => {
          for (const [name, want] of Object.entries(matchers)) {
            const pattern = matcherRegex(want);
            if (pattern === undefined) continue;
            try {
              compileRe2(pattern);
            } catch (err) {
              if (!(err instanceof RegexSyntaxError)) throw err;
              ctx.addIssue({ code: 'custom', path: [name], message: err.message });
            }
          }
        }),
      ),
      {},
    ),
    start: z.optional(z.iso.datetime({ offset: true })),
    end: z.optional(z.iso.datetime({ offset: true })),
    /** Recurring window: days of the week and a daily time range, in UTC unless timezone says otherwise. */
    every: z.optional(
      z.strictObject({
        days: z._default(
          z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).check(z.minLength(1)),
          ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        ),
        from: z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')),
        to: z.string().check(z.regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'must be HH:MM')),
        timezone: z._default(z.string(), 'UTC'),
      }),
    ),
  })
  .check(
    z.superRefine((m, ctx) => {
      if (!m.start && !m.end && !m.every) ctx.addIssue({ code: 'custom', message: 'needs start/end or every' });
      if (m.every) {
        try {
          new Intl.DateTimeFormat('en-GB', { timeZone: m.every.timezone });
        } catch {
          ctx.addIssue({ code: 'custom', path: ['every', 'timezone'], message: `unknown time zone "${m.every.timezone}"` });
        }
      }
    }),
  );

const ruleFields = z.strictObject({
  alert: z.optional(z.string().check(z.regex(/^[a-zA-Z_][a-zA-Z0-9_:]*$/, 'must be a valid metric-style name'))),
  record: z.optional(z.string()),
  expr: z.optional(z.pipe(z.union([z.string().check(z.minLength(1)), z.number()]), z.transform((value: string | number) => String(value))).check(promqlCheck)),
  threshold: z.optional(thresholdSchema),
  anomaly: z.optional(anomalySchema),
  for: z._default(durationSchema, 0),
  keep_firing_for: z._default(durationSchema, 0),
  labels: z._default(ruleLabels, {}),
  annotations: z._default(z.pipe(goStringValues, z.record(z.string(), template)), {}),
  /** Per-rule reminder interval while firing (Alertmanager's repeat_interval); the alerting default otherwise. */
  repeat_interval: z.optional(durationSchema),
  /** Maintenance windows that apply to this rule only. */
  maintenance: z._default(z.array(maintenanceSchema), []),
  /** vmalert keys accepted for compatibility. */
  debug: z.optional(z.boolean()),
  update_entries_limit: z.optional(z.number()),
  limit: z.optional(z.number()),
});

export const ruleSchema = ruleFields.check(
  z.superRefine((rule, ctx) => {
    if (rule.record !== undefined) {
      recordingRuleProblems(rule, (path, message) => ctx.addIssue({ code: 'custom', path: [path], message }));
      return;
    }
    if (rule.alert === undefined) ctx.addIssue({ code: 'custom', path: ['alert'], message: 'an alerting rule needs a name (alert: …)' });
    for (const [name, text] of Object.entries(rule.labels)) {
      const problem = validateTemplate(text);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['labels', name], message: `template: ${problem}` });
    }
    const forms = (['expr', 'threshold', 'anomaly'] as const).filter((k) => rule[k] !== undefined);
    if (forms.length !== 1) {
      ctx.addIssue({ code: 'custom', message: forms.length === 0 ? 'needs one of expr, threshold or anomaly' : `has ${forms.join(' and ')}; a rule takes exactly one` });
    }
  }),
);

/**
 * What Prometheus' rule loader refuses in a recording rule (model/rulefmt: a metric name in `record`, no
 * `alert`, `for`, `keep_firing_for` or annotations), plus Periscope's alerting-only keys.
 */
function recordingRuleProblems(rule: z.output<typeof ruleFields>, issue: (path: string, message: string) => void): void {
  if (!METRIC_NAME_RE.test(rule.record ?? '')) issue('record', `"${rule.record}" is not a valid metric name`);
  if (rule.alert !== undefined) issue('alert', 'a rule has either record or alert, not both');
  if (rule.expr === undefined) issue('expr', 'a recording rule needs expr');
  if (rule.threshold !== undefined) issue('threshold', 'a recording rule takes expr (threshold is for alerting rules)');
  if (rule.anomaly !== undefined) issue('anomaly', 'a recording rule takes expr (anomaly is for alerting rules)');
  if (rule.for !== 0) issue('for', 'a recording rule has no for (Prometheus refuses it too)');
  if (rule.keep_firing_for !== 0) issue('keep_firing_for', 'a recording rule has no keep_firing_for (Prometheus refuses it too)');
  if (Object.keys(rule.annotations).length > 0) issue('annotations', 'a recording rule has no annotations (Prometheus refuses them too)');
  if (rule.repeat_interval !== undefined) issue('repeat_interval', 'repeat_interval applies to alerting rules only');
  if (rule.maintenance.length > 0) issue('maintenance', 'maintenance applies to alerting rules only');
}

export const ruleGroupSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  interval: z.optional(durationSchema.check(z.refine((ms) => ms >= 1_000, 'must be at least 1s'))),
  labels: z._default(labels, {}),
  rules: z._default(z.array(ruleSchema), []),
  /** vmalert keys accepted for compatibility; Periscope evaluates one group at a time. */
  concurrency: z.optional(z.number()),
  limit: z.optional(z.number()),
  type: z.optional(z.enum(['prometheus', 'graphite'])),
  params: z.optional(z.record(z.string(), z.unknown())),
  headers: z.optional(z.array(z.string())),
  eval_offset: z.optional(durationSchema),
});

export const ruleFileSchema = z.strictObject({
  groups: z._default(z.array(ruleGroupSchema), []),
});

export const alertingSettingsSchema = z._default(
  z.strictObject({
    /** Default evaluation interval of groups that set none. */
    evaluation_interval: z._default(durationSchema, 60_000),
    /** Reminder interval while an alert keeps firing (Alertmanager's default). */
    repeat_interval: z._default(durationSchema, 4 * 3_600_000),
    /** Maintenance windows for all rules, selected by label matchers. */
    maintenance: z._default(z.array(maintenanceSchema), []),
    /** Labels every alert carries (like vmalert's -external.label). */
    external_labels: z._default(z.record(z.string(), z.string()), {}),
    /** What templates see as $externalURL (Prometheus' --web.external-url), e.g. the UI's address. */
    external_url: z.optional(z.string()),
  }),
  { evaluation_interval: 60_000, repeat_interval: 4 * 3_600_000, maintenance: [], external_labels: {} },
);

export type RuleInput = z.input<typeof ruleSchema>;
export type Rule = z.output<typeof ruleSchema>;
export type RuleGroup = z.output<typeof ruleGroupSchema>;
export type AnomalySpec = z.output<typeof anomalySchema>;
export type ThresholdSpec = z.output<typeof thresholdSchema>;
export type MaintenanceWindow = z.output<typeof maintenanceSchema>;
export type AlertingSettings = z.output<typeof alertingSettingsSchema>;
