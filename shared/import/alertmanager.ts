// alertmanager.yml → the stage's notification settings: repeat_interval into the targets file's alerting
// block, email receivers into the stage's alertEmails (SNS email subscriptions), the Slack webhook into
// slackWebhookFrom (a secret reference, never the URL). The routing tree, inhibit rules and other receiver
// kinds have no equivalent: they are reported, not guessed.
import type { ImportReport } from './report.js';
import { isMapping, type SourceFile, type YamlPath } from './source.js';

export interface AlertmanagerImport {
  /** For the targets file's `alerting:` block. */
  alerting: Record<string, unknown>;
  /** For the stage's `params:` in serverless.yml. */
  params: Record<string, unknown>;
}

const RECEIVER_KEYS_HANDLED = new Set(['name', 'email_configs', 'slack_configs']);

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function importAlertmanager(source: SourceFile, report: ImportReport, secretRef: (what: string) => string): AlertmanagerImport {
  const data = isMapping(source.data) ? source.data : {};
  const global = isMapping(data.global) ? data.global : {};
  const route = isMapping(data.route) ? data.route : {};
  const alerting: Record<string, unknown> = {};
  const params: Record<string, unknown> = {};
  const at = (path: YamlPath) => source.keyAt(path);

  if (route.repeat_interval !== undefined) {
    alerting.repeat_interval = String(route.repeat_interval);
    report.mapped(at(['route', 'repeat_interval']), `repeat_interval ${String(route.repeat_interval)} → alerting.repeat_interval`);
  }
  if (route.group_by !== undefined) {
    const by = list(route.group_by).map(String);
    if (by.length === 1 && by[0] === 'alertname') report.mapped(at(['route', 'group_by']), 'group_by [alertname]: Periscope groups the alerts of one rule, the same');
    else report.approximated(at(['route', 'group_by']), `group_by [${by.join(', ')}]: Periscope groups the alerts of one rule that change together (as group_by [alertname])`);
  }
  for (const key of ['group_wait', 'group_interval'] as const) {
    if (route[key] !== undefined) report.approximated(at(['route', key]), `${key}: Periscope notifies at the evaluation where an alert changes state`);
  }
  if (list(route.routes).length > 0) {
    report.leftOut(at(['route', 'routes']), 'the routing tree (route.routes) is not imported: every alert goes to the stage topic; filter per subscription with SNS filter policies on alertname, severity, status, stage');
  }
  for (const key of ['matchers', 'match', 'match_re', 'mute_time_intervals', 'active_time_intervals'] as const) {
    if (route[key] !== undefined) report.leftOut(at(['route', key]), `route.${key} is not imported`);
  }

  const emails: string[] = [];
  const webhooks: string[] = [];
  list(data.receivers).forEach((receiver: unknown, index) => {
    if (!isMapping(receiver)) return;
    const path: YamlPath = ['receivers', index];
    const name = String(receiver.name ?? index);
    list(receiver.email_configs).forEach((email: unknown, i) => {
      if (!isMapping(email)) return;
      for (const address of String(email.to ?? '').split(',').map((s) => s.trim()).filter(Boolean)) if (!emails.includes(address)) emails.push(address);
      report.mapped(source.at([...path, 'email_configs', i]), `receiver ${name}: email to ${String(email.to ?? '')} → alertEmails (SNS email subscription; no SMTP server needed)`);
      for (const secret of ['auth_password', 'auth_secret'] as const) {
        if (email[secret] !== undefined) report.mapped(at([...path, 'email_configs', i, secret]), `receiver ${name}: ${secret} not needed (SNS delivers the email) and not copied`);
      }
    });
    list(receiver.slack_configs).forEach((slack: unknown, i) => {
      if (!isMapping(slack)) return;
      const where = source.at([...path, 'slack_configs', i]);
      const url = slack.api_url ?? global.slack_api_url;
      const urlFile = slack.api_url_file ?? global.slack_api_url_file;
      const key = url !== undefined ? String(url) : urlFile !== undefined ? `file:${String(urlFile)}` : undefined;
      if (key === undefined) {
        report.leftOut(where, `receiver ${name}: slack_configs without api_url`);
        return;
      }
      if (webhooks.length > 0 && !webhooks.includes(key)) {
        report.leftOut(where, `receiver ${name}: a second Slack webhook; a stage posts to one (slackWebhookFrom)`);
        return;
      }
      if (webhooks.length === 0) {
        webhooks.push(key);
        const ref = urlFile !== undefined && url === undefined ? `file:${String(urlFile)}` : secretRef('slack-webhook');
        params.slackWebhookFrom = ref;
        params.notifySlack = true;
        if (ref !== `file:${String(urlFile)}`) report.secret({ ref, where, what: `receiver ${name} Slack webhook URL` });
      }
      report.mapped(where, `receiver ${name}: Slack → slackWebhookFrom (notify-slack Lambda)`);
      if (slack.channel !== undefined) report.approximated(at([...path, 'slack_configs', i, 'channel']), `receiver ${name}: channel ${String(slack.channel)}: an incoming webhook posts to the channel it was created for`);
      for (const k of ['title', 'text', 'pretext', 'fields', 'actions']) {
        if (slack[k] !== undefined) report.approximated(at([...path, 'slack_configs', i, k]), `receiver ${name}: slack ${k} template not imported; Periscope's message has summary, description, value and labels`);
      }
    });
    for (const key of Object.keys(receiver)) {
      if (!RECEIVER_KEYS_HANDLED.has(key)) report.leftOut(at([...path, key]), `receiver ${name}: ${key} has no Periscope equivalent (SNS email and Slack only; other systems can subscribe to the topic)`);
    }
  });
  if (emails.length > 0) params.alertEmails = emails;

  if (list(data.inhibit_rules).length > 0) report.leftOut(at(['inhibit_rules']), 'inhibit_rules have no Periscope equivalent; not imported');
  for (const key of ['templates', 'time_intervals', 'mute_time_intervals'] as const) {
    if (data[key] !== undefined) report.leftOut(at([key]), `${key} not imported${key.endsWith('intervals') ? ' (write them as alerting.maintenance windows)' : ''}`);
  }
  return { alerting, params };
}
