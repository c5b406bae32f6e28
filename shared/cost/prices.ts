// List prices the cost model uses (USD, no free tiers), per region. From the AWS pricing pages as of 2025;
// check them before deciding — `periscope cost` prints which table it used.

export interface Prices {
  region: string;
  /** Lambda arm64, per GB-second and per request. */
  lambdaArmGbSecond: number;
  lambdaRequest: number;
  /** EventBridge Scheduler, per invocation. */
  schedulerInvocation: number;
  /** SQS standard queue, per request. */
  sqsRequest: number;
  /** CloudWatch: a custom metric (one name + dimension set) per month; a standard-resolution alarm per month. */
  cloudWatchMetricMonth: number;
  cloudWatchAlarmMonth: number;
  /** CloudWatch Logs ingestion per GB. */
  logsIngestGb: number;
  /** A customer-managed KMS key per month. */
  kmsKeyMonth: number;
  /** Fargate Linux/ARM, per vCPU-hour and per GB-hour. */
  fargateVcpuHour: number;
  fargateGbHour: number;
}

const US_EAST_1: Prices = {
  region: 'us-east-1',
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  schedulerInvocation: 1 / 1e6,
  sqsRequest: 0.4 / 1e6,
  cloudWatchMetricMonth: 0.3,
  cloudWatchAlarmMonth: 0.1,
  logsIngestGb: 0.5,
  kmsKeyMonth: 1,
  fargateVcpuHour: 0.03238,
  fargateGbHour: 0.00356,
};

export const PRICES: Record<string, Prices> = {
  'us-east-1': US_EAST_1,
  // The same but for Logs and Fargate.
  'eu-central-1': { ...US_EAST_1, region: 'eu-central-1', logsIngestGb: 0.63, fargateVcpuHour: 0.03725, fargateGbHour: 0.00409 },
};

/** 730 hours: the month AWS prices by. */
export const HOURS_PER_MONTH = 730;
export const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;
