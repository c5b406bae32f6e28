// Self-metrics and the alarms that watch them, offline: the EMF lines a real run writes are checked against
// the official aws-embedded-metrics serializer (the peer oracle for the format), and replayed through a model
// of CloudWatch's alarm evaluation against the alarm definitions the deployment generates from a targets
// file — so "a group stops reporting → the alarm fires" is tested with the real metric and the real alarm.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsContext } from 'aws-embedded-metrics/lib/logger/MetricsContext.js';
import { LogSerializer } from 'aws-embedded-metrics/lib/serializers/LogSerializer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlarms } from '../../deploy/alarms.js';
import { createSecretResolver, parseTargetsFile, type TargetsFile } from '../../shared/config/index.js';
import { createEmfSink, emfLine } from '../../shared/observability/metrics.js';
import { silentLogger } from '../../shared/observability/logger.js';
import { runGroup } from '../../shared/pipeline/run-group.js';
import { selectShard, shardCount } from '../../shared/pipeline/shards.js';
import { createFileSpool } from '../../shared/storage/file-spool.js';
import { alarmState, datapointsFor, type AlarmProperties } from '../support/cloudwatch-alarm.js';
import { freePort } from '../support/ports.js';

let dir: string;
let file: TargetsFile;
let alarms: Record<string, AlarmProperties>;
/** One real EMF line per schedule (group or shard), from a real run. */
const lineOf = new Map<string, string>();

const TARGETS = (closed: number) => `defaults: { timeout: 2s, interval: 1m, shard_size: 2 }
groups:
  - name: api
    targets:
      - { name: a1, tcp: { address: "127.0.0.1:${closed}" } }
      - { name: a2, tcp: { address: "127.0.0.1:${closed}" } }
  - name: web
    targets:
      - { name: w1, tcp: { address: "127.0.0.1:${closed}" } }
      - { name: w2, tcp: { address: "127.0.0.1:${closed}" } }
      - { name: w3, tcp: { address: "127.0.0.1:${closed}" } }
  - name: batch
    interval: 5m
    targets:
      - { name: b1, tcp: { address: "127.0.0.1:${closed}" } }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-self-metrics-'));
  const path = join(dir, 'sim.yml');
  const closed = await freePort();
  await writeFile(path, TARGETS(closed));
  file = parseTargetsFile(TARGETS(closed), path);
  const params: Record<string, unknown> = { 'sls:stage': 'sim', 'param:targetsFile': path, 'self:custom.alertsTopicArn': 'arn:aws:sns:eu-central-1:111111111111:alerts' };
  const generated = (await groupAlarms({ resolveVariable: async (name: string) => params[name] ?? '' })) as unknown as { Resources: Record<string, { Properties: AlarmProperties }> };
  alarms = Object.fromEntries(Object.entries(generated.Resources).map(([id, r]) => [id, r.Properties]));
  for (const group of file.groups) {
    const shards = shardCount(file, group);
    for (let shard = 0; shard < shards; shard++) {
      const lines: string[] = [];
      await runGroup({
        file,
        group: selectShard(group, shard, shards),
        identity: { stage: 'sim', account: 'local', region: 'local' },
        vm: { url: 'http://127.0.0.1:9' },
        spool: createFileSpool(join(dir, 'spool')),
        secrets: createSecretResolver(),
        metrics: createEmfSink((line) => lines.push(line)),
        logger: silentLogger,
        deadlineMs: Date.now() + 10_000,
        dryRun: true,
      });
      expect(lines).toHaveLength(1);
      lineOf.set(`${group.name}/${shard}`, lines[0]!);
    }
  }
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('EMF lines', () => {
  it('match what the official aws-embedded-metrics serializer writes for the same metrics', () => {
    const ours = JSON.parse(lineOf.get('api/0')!) as Record<string, unknown> & { _aws: { Timestamp: number } };
    const context = MetricsContext.empty();
    context.setNamespace('Periscope');
    context.setDimensions([{ stage: 'sim', interval: '1m' }], false);
    context.putMetric('Runs', 1, 'Count');
    context.setTimestamp(ours._aws.Timestamp);
    const [theirs, ...rest] = new LogSerializer().serialize(context).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rest).toEqual([]);
    // Same directive, same dimension values and metric value at the root; ours carries the logged-only
    // values (and the group) as further root fields, which EMF treats as properties.
    expect(ours._aws).toEqual(theirs?._aws);
    expect(ours).toMatchObject({ stage: 'sim', interval: '1m', Runs: 1, group: 'api', ProbesRun: 2, ProbesFailed: 2 });
    expect(Object.keys(theirs!).sort()).toEqual(['Runs', '_aws', 'interval', 'stage']);
  });

  it('follow the specification limits: a timestamp in ms, dimension values present as strings, numbers only', () => {
    for (const line of lineOf.values()) {
      const record = JSON.parse(line) as Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } };
      expect(Number.isInteger(record._aws.Timestamp) && record._aws.Timestamp > 1e12).toBe(true);
      for (const directive of record._aws.CloudWatchMetrics) {
        expect(directive.Namespace).toMatch(/^[A-Za-z0-9._#:/-]{1,255}$/);
        for (const set of directive.Dimensions) for (const key of set) expect(typeof record[key]).toBe('string');
        for (const metric of directive.Metrics) expect(typeof record[metric.Name]).toBe('number');
      }
    }
    expect(() => emfLine([{ name: 'Runs', value: Number.NaN, unit: 'Count', dimensions: ['stage'] }], { stage: 's' }, 0)).toThrow('Runs: value NaN is not a finite number');
    expect(() => emfLine([{ name: 'Runs', value: 1, unit: 'Count', dimensions: ['stage'] }], {}, 0)).toThrow('dimension stage has no value');
  });

  it('declare no CloudWatch metric when none is alarmed: a plain JSON log line', () => {
    const line = JSON.parse(emfLine([{ name: 'NotificationsSent', value: 2, unit: 'Count' }], { stage: 's' }, 0)) as Record<string, unknown>;
    expect(line).toEqual({ stage: 's', NotificationsSent: 2 });
  });
});

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.UTC(2026, 11, 1, 12, 0, 0);
const MINUTE = 60_000;

/**
 * 60 minutes of scheduled runs: every schedule starts at its own offset (some within a second of a period
 * boundary) and each run up to a second late; `stops` silences a schedule from a minute on.
 */
function timeline(seed: number, stops: Record<string, number> = {}): string[] {
  const next = random(seed);
  const lines: string[] = [];
  for (const [schedule, line] of lineOf) {
    const group = file.groups.find((g) => g.name === schedule.split('/')[0]);
    const intervalMs = group?.interval ?? file.defaults.interval;
    // Half the schedules sit just before a minute mark, where a late run crosses into the next period.
    const offset = next() < 0.5 ? intervalMs - 400 - next() * 600 : next() * intervalMs;
    for (let t = START - 20 * MINUTE + offset; t < START + 60 * MINUTE; t += intervalMs) {
      if (stops[schedule] !== undefined && t >= START + stops[schedule] * MINUTE) break;
      const record = JSON.parse(line) as { _aws: { Timestamp: number } };
      record._aws.Timestamp = Math.round(t + next() * 1000);
      lines.push(JSON.stringify(record));
    }
  }
  return lines;
}

function states(lines: string[], fromMinute: number, toMinute: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, alarm] of Object.entries(alarms)) {
    const points = datapointsFor(alarm, lines);
    out[id] = [];
    for (let m = fromMinute; m <= toMinute; m += alarm.Period / 60) out[id].push(alarmState(alarm, points, START + m * MINUTE));
  }
  return out;
}

describe('probes-stopped alarms, replayed against real EMF lines', () => {
  it('are one per interval and expect every group and shard', () => {
    expect(Object.keys(alarms).sort()).toEqual(['ProbesStoppedAlarmEvery1m', 'ProbesStoppedAlarmEvery5m']);
    // api (1 shard) + web (3 targets at shard_size 2: 2 shards) = 3 runs a minute, 15 per 5 minutes.
    expect(alarms.ProbesStoppedAlarmEvery1m).toMatchObject({ Threshold: 12.5, Period: 300, TreatMissingData: 'breaching' });
    expect(alarms.ProbesStoppedAlarmEvery5m).toMatchObject({ Threshold: 0.5, Period: 300, TreatMissingData: 'breaching' });
  });

  it('stay OK while every schedule runs, late runs crossing period boundaries included', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const s = states(timeline(seed), 10, 60);
      expect(s.ProbesStoppedAlarmEvery1m!.every((x) => x === 'OK'), `seed ${seed}: ${s.ProbesStoppedAlarmEvery1m}`).toBe(true);
      expect(s.ProbesStoppedAlarmEvery5m!.every((x) => x === 'OK'), `seed ${seed}`).toBe(true);
    }
  });

  it('fire within two periods when one shard of a group stops reporting, and only for its interval', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const s = states(timeline(seed, { 'web/1': 20 }), 10, 60);
      // Period ends at 10, 15, …, 60: OK until the stop, ALARM from 30 (two full silent periods) on.
      expect(s.ProbesStoppedAlarmEvery1m!.slice(0, 3), `seed ${seed}`).toEqual(['OK', 'OK', 'OK']);
      expect(s.ProbesStoppedAlarmEvery1m!.slice(4).every((x) => x === 'ALARM'), `seed ${seed}: ${s.ProbesStoppedAlarmEvery1m}`).toBe(true);
      expect(s.ProbesStoppedAlarmEvery5m!.every((x) => x === 'OK')).toBe(true);
    }
  });

  it('fire when a 5-minute group stops', () => {
    const s = states(timeline(7, { 'batch/0': 20 }), 10, 60);
    expect(s.ProbesStoppedAlarmEvery5m!.slice(4).every((x) => x === 'ALARM')).toBe(true);
    expect(s.ProbesStoppedAlarmEvery1m!.every((x) => x === 'OK')).toBe(true);
  });

  it('fire when nothing reports at all (missing data is breaching)', () => {
    const s = states(timeline(3, { 'api/0': 20, 'web/0': 20, 'web/1': 20, 'batch/0': 20 }), 10, 60);
    expect(s.ProbesStoppedAlarmEvery1m!.slice(4).every((x) => x === 'ALARM')).toBe(true);
    expect(s.ProbesStoppedAlarmEvery5m!.slice(4).every((x) => x === 'ALARM')).toBe(true);
  });
});
