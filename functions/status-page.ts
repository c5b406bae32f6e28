// The status-page Lambda: on its schedule, renders the public targets' overview and incidents and writes
// index.html and status.json to the stage's status-page bucket.
import { createStatusPageRuntime, type StatusPageRuntime } from '../shared/aws/status-page-runtime.js';

let runtime: Promise<StatusPageRuntime> | undefined;

export async function handler() {
  runtime ??= createStatusPageRuntime(process.env).catch((err: unknown) => {
    runtime = undefined;
    throw err;
  });
  return (await runtime).publish(Date.now());
}
