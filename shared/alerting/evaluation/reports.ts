// What an evaluation reports: per rule its state, alerts and value (for `periscope check` and the Lambda's
// answer), per group the notifications and how many were sent.
import type { Notification } from '../../notify/types.js';
import type { AnomalyJudgement } from './rule-executors.js';

export interface RuleReport {
  group: string;
  /** The alert name, or the name a recording rule records. */
  rule: string;
  type: 'alerting' | 'recording';
  /** A recording rule is always 'inactive' (or 'error'). */
  state: 'inactive' | 'pending' | 'firing' | 'error';
  alerts: Array<{
    labels: Record<string, string>;
    phase: 'pending' | 'firing';
    value: number;
    active_since: string;
    /** The rule's annotations rendered for the alert, as its notification carries them. */
    annotations: Record<string, string>;
    muted_by?: string;
  }>;
  /** The value the rule saw, for a rule with one result (or the first). */
  value?: number;
  /** Series a recording rule recorded. */
  series?: number;
  error?: string;
  anomaly?: AnomalyJudgement[];
}

export interface GroupReport {
  group: string;
  evaluated_at: string;
  rules: RuleReport[];
  notifications: Notification[];
  sent: number;
  /** Notifications this evaluation tried to send and could not (denied, unreachable): sent again next evaluation. */
  send_failures: number;
  /** False when another evaluation of the same slot claimed the notifications. */
  notified_by_this_evaluation: boolean;
  rule_errors: number;
}
