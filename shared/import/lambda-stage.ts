// What a Lambda stage cannot take from a Prometheus setup as it is: schedules run at most once a minute, on
// whole minutes (EventBridge Scheduler rates), and the anomaly check runs once a minute. An import for a stage
// rounds a 30 s scrape interval (or a 90 s one) up to the next whole minute instead of writing a file that
// `sls package` refuses, and the report says so; the local run (no stage) keeps the interval as it was.

const MINUTE_MS = 60_000;

/** The interval a Lambda schedule can run at: the next whole minute, at least one. */
export function lambdaIntervalMs(intervalMs: number): number {
  return Math.max(MINUTE_MS, Math.ceil(intervalMs / MINUTE_MS) * MINUTE_MS);
}
