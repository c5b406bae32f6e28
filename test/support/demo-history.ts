// A day of history for the demo targets of targets/local.yml, written into VictoriaMetrics before the local
// run starts, so the documentation's screenshots show what a person sees after a day: a 45-minute monitoring
// gap (the local run stopped), an 18-minute outage of demo-slow with the EndpointDown alert it raised, a
// quarter of an hour of demo-redirect flapping, and the demo-errors targets failing on purpose all along.
// Samples carry the labels the local run writes (job, target, group, stage, account, region, instance,
// module, and the file's env label), on each group's interval.
import { prometheusLine, type VmClient } from './victoria-metrics.js';

const MIN = 60_000;

export interface DemoPorts {
  http: number;
  https: number;
  vm: number;
  closed: number;
}

interface DemoTarget {
  target: string;
  group: 'demo' | 'demo-errors';
  module: 'http' | 'tcp';
  instance: string;
  phases: string[];
  /** Typical duration, seconds. */
  seconds: number;
  /** Labels the targets file gives it. */
  labels?: Record<string, string>;
  /** Why a run at t failed, or undefined. */
  failure?: (t: number) => { reason: string; message: string } | undefined;
}

/** The windows of the story, relative to `now`. */
export function demoStory(now: number) {
  const at = (hoursAgo: number) => Math.floor((now - hoursAgo * 3_600_000) / MIN) * MIN;
  return {
    from: now - 26 * 3_600_000,
    gap: { from: at(10.5), to: at(10.5) + 45 * MIN },
    outage: { from: at(7), to: at(7) + 18 * MIN },
    flapping: { from: at(15), to: at(15) + 15 * MIN },
  };
}

export async function seedDemoHistory(vm: VmClient, ports: DemoPorts, now: number, until: number): Promise<{ samples: number }> {
  const story = demoStory(now);
  const inside = (t: number, w: { from: number; to: number }) => t >= w.from && t < w.to;
  // The phases the HTTP prober writes (tls is 0 over plain HTTP).
  const http = ['resolve', 'connect', 'tls', 'processing', 'transfer'];
  const targets: DemoTarget[] = [
    { target: 'demo-health', group: 'demo', module: 'http', instance: `http://127.0.0.1:${ports.http}/healthz`, phases: http, seconds: 0.012, labels: { service: 'pizza-service' } },
    { target: 'demo-https', group: 'demo', module: 'http', instance: `https://localhost:${ports.https}/healthz`, phases: http, seconds: 0.03 },
    {
      target: 'demo-redirect',
      group: 'demo',
      module: 'http',
      instance: `http://127.0.0.1:${ports.http}/redirect`,
      phases: http,
      seconds: 0.02,
      failure: (t) => (inside(t, story.flapping) && Math.floor(t / 15_000) % 2 === 0 ? { reason: 'status_code', message: 'status code 502 is not 2xx' } : undefined),
    },
    {
      target: 'demo-slow',
      group: 'demo',
      module: 'http',
      instance: `http://127.0.0.1:${ports.http}/slow`,
      phases: http,
      seconds: 0.27,
      failure: (t) => (inside(t, story.outage) ? { reason: 'timeout', message: 'timed out after 5s waiting for the response' } : undefined),
    },
    { target: 'demo-tcp', group: 'demo', module: 'tcp', instance: `127.0.0.1:${ports.http}`, phases: [], seconds: 0.002 },
    { target: 'victoria-metrics', group: 'demo', module: 'http', instance: `http://127.0.0.1:${ports.vm}/health`, phases: http, seconds: 0.006, labels: { service: 'victoria-metrics' } },
    {
      target: 'demo-missing-page',
      group: 'demo-errors',
      module: 'http',
      instance: `http://127.0.0.1:${ports.http}/no-such-page`,
      phases: http,
      seconds: 0.008,
      failure: () => ({ reason: 'status_code', message: 'status code 404 is not 2xx' }),
    },
    { target: 'demo-closed-port', group: 'demo-errors', module: 'tcp', instance: `127.0.0.1:${ports.closed}`, phases: [], seconds: 0.003, failure: () => ({ reason: 'refused', message: 'connection refused' }) },
  ];
  const lines: string[] = [];
  let samples = 0;
  const flush = async (force = false) => {
    if (lines.length < 40_000 && !force) return;
    await vm.importPrometheus(lines.join('\n'));
    samples += lines.length;
    lines.length = 0;
  };
  for (const t of targets) {
    const interval = t.group === 'demo' ? 15_000 : 30_000;
    const labels = { ...t.labels, job: 'periscope', target: t.target, group: t.group, stage: 'local', account: 'local', region: 'local', instance: t.instance, module: t.module, env: 'local' };
    // On the group's grid, a little after each tick as a run writes them; none while the run was stopped.
    for (let tick = Math.ceil(story.from / interval) * interval; tick < until; tick += interval) {
      if (inside(tick, story.gap)) continue;
      const ts = tick + 180;
      const failed = t.failure?.(tick);
      const wave = 1 + 0.25 * Math.sin(tick / 1_800_000) + 0.1 * Math.sin(tick / 97_000);
      const seconds = failed?.reason === 'timeout' ? 5 : t.seconds * wave;
      lines.push(prometheusLine('probe_success', labels, failed ? 0 : 1, ts), prometheusLine('probe_duration_seconds', labels, seconds, ts));
      t.phases.forEach((phase, i) => {
        const https = t.instance.startsWith('https:');
        const shares = failed?.reason === 'timeout' ? [0.005, 0.005, 0, 0.985, 0.005] : https ? [0.1, 0.15, 0.3, 0.4, 0.05] : [0.15, 0.25, 0, 0.55, 0.05];
        const share = shares[i] ?? 0;
        lines.push(prometheusLine(t.module === 'http' ? 'probe_http_duration_seconds' : 'probe_tcp_duration_seconds', { ...labels, phase }, seconds * share, ts));
      });
      if (failed) {
        lines.push(prometheusLine('probe_failure_info', { ...labels, reason: failed.reason }, 1, ts));
        lines.push(prometheusLine('probe_failure_message_info', { ...labels, reason: failed.reason, message: failed.message }, 1, ts));
      }
      await flush();
    }
  }
  // The alert demo-slow's outage raised, as the local run's rule evaluation writes it (every minute).
  const alert = { alertname: 'EndpointDown', alertgroup: 'periscope-probes', severity: 'critical', target: 'demo-slow', instance: `http://127.0.0.1:${ports.http}/slow` };
  const activeAt = story.outage.from + MIN;
  const firedAt = activeAt + 3 * MIN;
  const endedAt = Math.ceil(story.outage.to / MIN) * MIN + MIN;
  for (let t = activeAt; t < endedAt; t += MIN) {
    const firing = t >= firedAt;
    lines.push(
      prometheusLine('ALERTS', { ...alert, alertstate: firing ? 'firing' : 'pending' }, 1, t),
      prometheusLine('ALERTS_FOR_STATE', alert, activeAt / 1000, t),
      prometheusLine('periscope_alert_state', alert, firing ? 2 : 1, t),
      prometheusLine('periscope_alert_value', alert, 1, t),
    );
    if (firing) lines.push(prometheusLine('periscope_alert_fired_at', alert, firedAt / 1000, t));
  }
  lines.push(prometheusLine('periscope_alert_state', alert, 0, endedAt));
  await flush(true);
  await vm.flush();
  return { samples };
}
