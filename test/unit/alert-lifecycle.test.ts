// The alert lifecycle and maintenance windows as pure functions: vmalert's state machine and
// Alertmanager's notification rules, step by step.
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, stepAlerts, type AlertState } from '../../shared/alerting/state/lifecycle.js';
import { mutedBy, windowActive } from '../../shared/alerting/rules/maintenance.js';
import { decodeStates, encodeGroupState } from '../../shared/alerting/state/state-store.js';
import type { MaintenanceWindow } from '../../shared/alerting/rules/schema.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

// Modules and templates are parsed synchronously here; the loaders load the RE2 engine themselves.
beforeAll(() => loadRegexEngine());

const MIN = 60_000;
const T = Date.UTC(2026, 10, 20, 10, 0, 0); // a Friday
const labels = { alertname: 'Down', alertgroup: 'g', target: 'api' };
const rule = { forMs: 2 * MIN, keepFiringForMs: 0, repeatIntervalMs: 60 * MIN };

function run(steps: Array<boolean>, options: Partial<typeof rule> = {}, muted: (ts: number) => boolean = () => false) {
  let state = new Map<string, AlertState>();
  const events: string[] = [];
  steps.forEach((active, i) => {
    const ts = T + i * MIN;
    const out = stepAlerts(state, active ? [{ labels, value: 1 }] : [], { ...rule, ...options }, ts, () => muted(ts));
    out.firing.forEach(() => events.push(`${i}:firing`));
    out.reminders.forEach(() => events.push(`${i}:reminder`));
    out.resolved.forEach((r) => events.push(`${i}:resolved after ${(r.endedAt - r.activeAt) / MIN}m`));
    state = new Map(out.next.map((s) => [s.fingerprint, s]));
  });
  return { events, state };
}

describe('alert lifecycle', () => {
  it('pending for `for`, then firing once, then resolved once', () => {
    const { events } = run([true, true, true, true, false, false]);
    expect(events).toEqual(['2:firing', '4:resolved after 4m']);
  });

  it('a pending alert that goes away is never notified', () => {
    expect(run([true, true, false, true, false]).events).toEqual([]);
  });

  it('keep_firing_for holds a flapping alert firing', () => {
    const flapping = [true, true, true, false, true, false, false, false, false];
    expect(run(flapping, { forMs: 0 }).events).toEqual(['0:firing', '3:resolved after 3m', '4:firing', '5:resolved after 1m']);
    expect(run(flapping, { forMs: 0, keepFiringForMs: 3 * MIN }).events).toEqual(['0:firing', '8:resolved after 8m']);
  });

  it('reminds every repeat_interval while firing', () => {
    const { events } = run(Array(8).fill(true), { forMs: 0, repeatIntervalMs: 3 * MIN });
    expect(events).toEqual(['0:firing', '3:reminder', '6:reminder']);
  });

  it('mutes notifications during maintenance, keeps the state, and notifies once the window ends', () => {
    const window = (ts: number) => ts < T + 4 * MIN;
    const { events, state } = run([true, true, true, true, true, true], { forMs: 0 }, window);
    expect(events).toEqual(['4:firing']);
    expect([...state.values()][0]?.activeAt).toBe(T); // evaluation went on: it has been active since 0
  });

  it('an alert that resolves while muted sends no resolved message', () => {
    const muted = (ts: number) => ts >= T + 2 * MIN;
    expect(run([true, true, true, false], { forMs: 0 }, muted).events).toEqual(['0:firing']);
  });

  it('keys alerts by their whole label set', () => {
    expect(fingerprint({ a: '1', b: '2' })).toBe(fingerprint({ b: '2', a: '1' }));
    expect(fingerprint({ a: '1', b: '2' })).not.toBe(fingerprint({ a: '1', b: '3' }));
  });
});

describe('alert state as series', () => {
  it('round-trips through the samples written to VictoriaMetrics, and an ended alert is not restored', () => {
    const firing: AlertState = { fingerprint: fingerprint(labels), labels, phase: 'firing', activeAt: T, firedAt: T + 2 * MIN, notifiedAt: T + 2 * MIN, lastActive: T + 4 * MIN, keepFiringSince: T + 5 * MIN, value: 0.5 };
    const otherLabels = { ...labels, target: 'web' };
    const ended: AlertState = { fingerprint: fingerprint(otherLabels), labels: otherLabels, phase: 'firing', activeAt: T, lastActive: T, value: 1 };
    const samples = encodeGroupState('g', [{ rule: 'rule-down', alertname: 'Down', alerts: [firing], ended: [ended], ok: true }], T + 5 * MIN);
    expect(samples.find((x) => x.name === 'ALERTS')?.labels.alertstate).toBe('firing');
    expect(samples.find((x) => x.name === 'ALERTS_FOR_STATE')?.value).toBe(T / 1000);
    const series = samples.map((x) => ({ labels: { __name__: x.name, ...x.labels }, values: [x.value], timestamps: [x.timestampMs] }));
    const restored = decodeStates(series, T + 5 * MIN);
    expect([...(restored.alerts.get('rule-down')?.values() ?? [])]).toEqual([firing]);
    expect(restored.health).toEqual(new Map([['rule-down', true]]));
    expect(restored.committedAt).toBe(T + 5 * MIN);
  });
});

describe('maintenance windows', () => {
  const fixed: MaintenanceWindow = { name: 'release', matchers: { target: 'api' }, start: '2026-11-20T09:00:00Z', end: '2026-11-20T11:00:00Z' };
  const nightly: MaintenanceWindow = {
    name: 'backups',
    matchers: { service: '/pizza-.*/' },
    every: { days: ['fri'], from: '23:00', to: '01:00', timezone: 'Europe/Berlin' },
  };

  it('applies a fixed window to matching alerts only', () => {
    expect(mutedBy([fixed], { target: 'api' }, T)).toBe('release');
    expect(mutedBy([fixed], { target: 'web' }, T)).toBeUndefined();
    expect(mutedBy([fixed], { target: 'api' }, Date.parse('2026-11-20T11:00:00Z'))).toBeUndefined();
  });

  it('handles a recurring window over midnight in its time zone, with regex matchers', () => {
    // Friday 23:30 in Berlin is 22:30 UTC; Saturday 00:30 Berlin belongs to Friday's window.
    expect(windowActive(nightly, Date.parse('2026-11-20T22:30:00Z'))).toBe(true);
    expect(windowActive(nightly, Date.parse('2026-11-20T23:30:00Z'))).toBe(true);
    expect(windowActive(nightly, Date.parse('2026-11-21T00:30:00Z'))).toBe(false); // 01:30 Berlin
    expect(windowActive(nightly, Date.parse('2026-11-19T22:30:00Z'))).toBe(false); // a Thursday
    expect(mutedBy([nightly], { service: 'pizza-orders' }, Date.parse('2026-11-20T22:30:00Z'))).toBe('backups');
    expect(mutedBy([nightly], { service: 'burger' }, Date.parse('2026-11-20T22:30:00Z'))).toBeUndefined();
  });
});
