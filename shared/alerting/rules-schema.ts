// Alerting rules: Prometheus/vmalert rule groups (so existing alerts.yml files work unchanged), plus two
// forms for people who do not want to write PromQL comparisons: `threshold` and seasonal `anomaly`.
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { parseTemplate, TemplateError } from './template/index.js';

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  // Rule files from the wild sometimes give plain seconds as numbers.
  const ms = typeof value === 'number' ? value * 1000 : parseDuration(value);
  if (ms === undefined || ms < 0) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (use e.g. 30s, 5m, 1h)` });
    return z.NEVER;
  }
  return ms;
});

const template = z.string().superRefine((text, ctx) => {
  try {
    parseTemplate(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof TemplateError ? `template: ${err.message}` : String(err) });
  }
});

const labels = z.record(z.string(), template).superRefine((map, ctx) => {
  for (const name of Object.keys(map)) {
    if (!LABEL_NAME_RE.test(name) || name.startsWith('__')) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a valid label name` });
    }
  }
});

const thresholdSchema = z
  .strictObject({
    query: z.string().min(1),
    above: z.number().optional(),
    below: z.number().optional(),
    at_least: z.number().optional(),
    at_most: z.number().optional(),
  })
  .superRefine((t, ctx) => {
    const given = (['above', 'below', 'at_least', 'at_most'] as const).filter((k) => t[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `needs exactly one of above, below, at_least, at_most${given.length ? ` (has ${given.join(', ')})` : ''}` });
    }
  });

const anomalySchema = z.strictObject({
  /** The value to watch, e.g. sum(increase(orders_created_total[1h])). */
  query: z.string().min(1),
  baseline: z
    .strictObject({
      /** Length of one season: compare with the same time one season ago, two seasons ago, … */
      season: duration.refine((ms) => ms >= 3_600_000, 'a season is at least 1h (usually 1d or 1w)').default(604_800_000),
      /** How many past seasons make the baseline. */
      periods: z.number().int().min(2).max(12).default(4),
    })
    .default({ season: 604_800_000, periods: 4 }),
  /** How many scaled MADs away from the baseline median counts as an anomaly. */
  sensitivity: z.number().positive().default(3),
  direction: z.enum(['up', 'down', 'both']).default('both'),
  /** Deviations smaller than this (in the query's unit) never fire, however unusual. */
  min_deviation: z.number().min(0).default(0),
  /** Past seasons that must have data before the rule may fire; silent until then. */
  warmup: z.number().int().min(1).optional(),
});

const maintenanceSchema = z
  .strictObject({
    name: z.string().min(1),
    /** Label matchers: every one must equal the alert's label (or match the regex written as /…/). */
    matchers: z.record(z.string(), z.string()).default({}),
    start: z.iso.datetime({ offset: true }).optional(),
    end: z.iso.datetime({ offset: true }).optional(),
    /** Recurring window: days of the week and a daily time range, in UTC unless timezone says otherwise. */
    every: z
      .strictObject({
        days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
        from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
        to: z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'must be HH:MM'),
        timezone: z.string().default('UTC'),
      })
      .optional(),
  })
  .superRefine((m, ctx) => {
    if (!m.start && !m.end && !m.every) ctx.addIssue({ code: 'custom', message: 'needs start/end or every' });
    if (m.every) {
      try {
        new Intl.DateTimeFormat('en-GB', { timeZone: m.every.timezone });
      } catch {
        ctx.addIssue({ code: 'custom', path: ['every', 'timezone'], message: `unknown time zone "${m.every.timezone}"` });
      }
    }
  });

export const ruleSchema = z
  .strictObject({
    alert: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_:]*$/, 'must be a valid metric-style name').optional(),
    record: z.string().optional(),
    expr: z.union([z.string().min(1), z.number()]).transform(String).optional(),
    threshold: thresholdSchema.optional(),
    anomaly: anomalySchema.optional(),
    for: duration.default(0),
    keep_firing_for: duration.default(0),
    labels: labels.default({}),
    annotations: z.record(z.string(), template).default({}),
    /** Per-rule reminder interval while firing (Alertmanager's repeat_interval); the alerting default otherwise. */
    repeat_interval: duration.optional(),
    /** Maintenance windows that apply to this rule only. */
    maintenance: z.array(maintenanceSchema).default([]),
    /** vmalert keys accepted for compatibility. */
    debug: z.boolean().optional(),
    update_entries_limit: z.number().optional(),
    limit: z.number().optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.record !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['record'], message: 'recording rules are not supported by Periscope; record the series with vmalert, or turn this into an alert' });
      return;
    }
    if (rule.alert === undefined) ctx.addIssue({ code: 'custom', path: ['alert'], message: 'an alerting rule needs a name (alert: …)' });
    const forms = (['expr', 'threshold', 'anomaly'] as const).filter((k) => rule[k] !== undefined);
    if (forms.length !== 1) {
      ctx.addIssue({ code: 'custom', message: forms.length === 0 ? 'needs one of expr, threshold or anomaly' : `has ${forms.join(' and ')}; a rule takes exactly one` });
    }
  });

export const ruleGroupSchema = z.strictObject({
  name: z.string().min(1),
  interval: duration.refine((ms) => ms >= 1_000, 'must be at least 1s').optional(),
  labels: labels.default({}),
  rules: z.array(ruleSchema).default([]),
  /** vmalert keys accepted for compatibility; Periscope evaluates one group at a time. */
  concurrency: z.number().optional(),
  limit: z.number().optional(),
  type: z.enum(['prometheus', 'graphite']).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  headers: z.array(z.string()).optional(),
  eval_offset: duration.optional(),
});

export const ruleFileSchema = z.strictObject({
  groups: z.array(ruleGroupSchema).default([]),
});

export const alertingSettingsSchema = z
  .strictObject({
    /** Default evaluation interval of groups that set none. */
    evaluation_interval: duration.default(60_000),
    /** Reminder interval while an alert keeps firing (Alertmanager's default). */
    repeat_interval: duration.default(4 * 3_600_000),
    /** Maintenance windows for all rules, selected by label matchers. */
    maintenance: z.array(maintenanceSchema).default([]),
    /** Labels every alert carries (like vmalert's -external.label). */
    external_labels: z.record(z.string(), z.string()).default({}),
  })
  .default({ evaluation_interval: 60_000, repeat_interval: 4 * 3_600_000, maintenance: [], external_labels: {} });

export type RuleInput = z.input<typeof ruleSchema>;
export type Rule = z.output<typeof ruleSchema>;
export type RuleGroup = z.output<typeof ruleGroupSchema>;
export type AnomalySpec = z.output<typeof anomalySchema>;
export type ThresholdSpec = z.output<typeof thresholdSchema>;
export type MaintenanceWindow = z.output<typeof maintenanceSchema>;
export type AlertingSettings = z.output<typeof alertingSettingsSchema>;
