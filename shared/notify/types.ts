// What the alerting engine hands to notifiers: one notification per rule and status, grouping the alerts
// of that rule that changed together (Alertmanager-style grouping by alertname).

export type NotificationStatus = 'firing' | 'resolved';

export interface NotifiedAlert {
  /** All labels of the alert, alertname and severity included. */
  labels: Record<string, string>;
  /** Rendered annotations (summary, description, runbook_url, …). */
  annotations: Record<string, string>;
  /** The query value at the evaluation that produced this notification. */
  value: number;
  /** ISO time the alert became active (pending started). */
  started_at: string;
  /** ISO time it resolved (resolved notifications only). */
  ended_at?: string;
  /** How long it was active: to now for firing, to ended_at for resolved. */
  duration_seconds: number;
  /** Stable id of the alert: a hash of its label set. */
  fingerprint: string;
}

export interface Notification {
  status: NotificationStatus;
  alertname: string;
  /** The rule group the rule belongs to. */
  group: string;
  /** Highest severity label among the alerts ("critical" > "warning" > "info" > anything else); "none" when unset. */
  severity: string;
  stage: string;
  region: string;
  /** True when this is a repeat_interval reminder for alerts already notified as firing. */
  reminder: boolean;
  alerts: NotifiedAlert[];
  /** Alerts left out of `alerts` to keep a message within a size limit (set by the SNS publisher only). */
  truncated_alerts?: number;
  /** Link to the rule's query in the VictoriaMetrics UI (vmui), when a UI URL is configured. */
  query_url?: string;
  /** The rule's expression, for the reader. */
  expr: string;
  /** ISO time of the evaluation that produced this notification. */
  evaluated_at: string;
}
