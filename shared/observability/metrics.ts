// Self-metrics: what the dead-man's-switch alarms watch. They go to CloudWatch (namespace Periscope) so they
// do not depend on VictoriaMetrics being up; locally they are printed.
import { CloudWatchClient, PutMetricDataCommand, type StandardUnit } from '@aws-sdk/client-cloudwatch';

export const METRICS_NAMESPACE = 'Periscope';

export interface SelfMetric {
  name: string;
  value: number;
  unit: 'Count' | 'Milliseconds' | 'None';
}

export interface MetricsSink {
  put(metrics: SelfMetric[], dimensions: Record<string, string>): Promise<void>;
}

export function createCloudWatchSink(client: CloudWatchClient): MetricsSink {
  return {
    async put(metrics, dimensions) {
      const Dimensions = Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
      const Timestamp = new Date();
      // PutMetricData takes at most 1000 metrics per call; a run has about ten.
      await client.send(
        new PutMetricDataCommand({
          Namespace: METRICS_NAMESPACE,
          MetricData: metrics.map((m) => ({ MetricName: m.name, Value: m.value, Unit: m.unit as StandardUnit, Dimensions, Timestamp })),
        }),
      );
    },
  };
}

export function createPrintingSink(write: (line: string) => void): MetricsSink {
  return {
    async put(metrics, dimensions) {
      const where = Object.entries(dimensions).map(([k, v]) => `${k}=${v}`).join(' ');
      write(`metrics ${where}: ${metrics.map((m) => `${m.name}=${m.value}`).join(' ')}`);
    },
  };
}
