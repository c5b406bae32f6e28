// Types of deploy/alarms.js for the TypeScript tests that call it directly (test/self-metrics.test.ts).
export interface VariableResolver {
  resolveVariable(variable: string): Promise<unknown>;
}
export function alarmPeriodSeconds(intervalMs: number): number;
export function runsThreshold(schedules: Array<{ shards: number }>, periodSeconds: number, intervalMs: number): { expected: number; threshold: number };
export function groupAlarms(resolver: VariableResolver): Promise<{ Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }>;
