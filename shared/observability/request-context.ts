// The Lambda invocation a piece of code runs for, without passing it down: the handlers run their work inside
// withRequestContext, and the JSON logger and the EMF sink stamp every line with its request id. Node's
// AsyncLocalStorage follows the invocation through awaits, timers and callbacks, so two invocations at once
// in one process (Lambda Managed Instances run several per environment) keep their own ids; work started
// outside any invocation (module initialisation) has none.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  /** Lambda's id of the invocation (context.awsRequestId): the key to its lines in CloudWatch Logs. */
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `work` as part of the request: everything it starts, sync or async, sees the context. */
export function runInRequest<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The request id of the invocation running this code, or undefined outside one. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** `{ requestId }` to spread into a log line, or nothing outside an invocation. */
export function requestFields(): { requestId?: string } {
  const requestId = currentRequestId();
  return requestId === undefined ? {} : { requestId };
}

/**
 * A Lambda handler that runs inside its invocation's request context. A call without a context (a test, a
 * local script) runs without one.
 */
export function withRequestContext<E, C extends { awsRequestId?: string } | undefined, R>(
  handler: (event: E, context: C) => Promise<R>,
): (event: E, context: C) => Promise<R> {
  return (event, context) => {
    const requestId = context?.awsRequestId;
    return requestId ? storage.run({ requestId }, () => handler(event, context)) : handler(event, context);
  };
}
