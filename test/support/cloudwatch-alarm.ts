// What CloudWatch does with embedded-metric-format log lines and a metric alarm, reduced to what the
// probes-stopped alarms use: extract the metric from EMF lines (namespace, metric name, the exact dimension
// set), aggregate per period with the alarm's statistic, and evaluate M of N periods with TreatMissingData.
// It lets a test replay runs (or their absence) against the alarm definitions the deployment generates.

export interface AlarmProperties {
  Namespace: string;
  MetricName: string;
  Dimensions: Array<{ Name: string; Value: string }>;
  Statistic: 'Sum' | 'Minimum' | 'Maximum';
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: 'LessThanThreshold' | 'GreaterThanThreshold' | 'LessThanOrEqualToThreshold' | 'GreaterThanOrEqualToThreshold';
  TreatMissingData: 'breaching' | 'notBreaching' | 'ignore' | 'missing';
}

interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string }>;
}

/** Datapoints (timestamp ms, value) of the alarm's metric in EMF lines: only lines whose directive declares it with exactly the alarm's dimensions. */
export function datapointsFor(alarm: AlarmProperties, lines: string[]): Array<{ at: number; value: number }> {
  const wanted = alarm.Dimensions.map((d) => d.Name).sort().join('\0');
  const out: Array<{ at: number; value: number }> = [];
  for (const line of lines) {
    const record = JSON.parse(line) as Record<string, unknown> & { _aws?: { Timestamp: number; CloudWatchMetrics: EmfDirective[] } };
    if (!record._aws) continue;
    for (const directive of record._aws.CloudWatchMetrics) {
      if (directive.Namespace !== alarm.Namespace || !directive.Metrics.some((m) => m.Name === alarm.MetricName)) continue;
      for (const set of directive.Dimensions) {
        if ([...set].sort().join('\0') !== wanted) continue;
        if (alarm.Dimensions.every((d) => record[d.Name] === d.Value)) out.push({ at: record._aws.Timestamp, value: Number(record[alarm.MetricName]) });
      }
    }
  }
  return out;
}

function breaches(alarm: AlarmProperties, value: number): boolean {
  switch (alarm.ComparisonOperator) {
    case 'LessThanThreshold':
      return value < alarm.Threshold;
    case 'GreaterThanThreshold':
      return value > alarm.Threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= alarm.Threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= alarm.Threshold;
  }
}

/** The alarm's state after the period ending at `endMs` (aligned to the period), from its datapoints. */
export function alarmState(alarm: AlarmProperties, points: Array<{ at: number; value: number }>, endMs: number): 'ALARM' | 'OK' | 'INSUFFICIENT_DATA' {
  const periodMs = alarm.Period * 1000;
  const needed = alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods;
  let breaching = 0;
  let present = 0;
  for (let i = 0; i < alarm.EvaluationPeriods; i++) {
    const to = endMs - i * periodMs;
    const inPeriod = points.filter((p) => p.at >= to - periodMs && p.at < to).map((p) => p.value);
    if (inPeriod.length === 0) {
      if (alarm.TreatMissingData === 'breaching') breaching++;
      continue;
    }
    present++;
    const value = alarm.Statistic === 'Sum' ? inPeriod.reduce((a, b) => a + b, 0) : alarm.Statistic === 'Minimum' ? Math.min(...inPeriod) : Math.max(...inPeriod);
    if (breaches(alarm, value)) breaching++;
  }
  if (breaching >= needed) return 'ALARM';
  if (present === 0 && alarm.TreatMissingData !== 'notBreaching') return 'INSUFFICIENT_DATA';
  return 'OK';
}
