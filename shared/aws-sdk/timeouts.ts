// Time limits of every AWS API call, in one place. Neither the SDK v3 clients nor node:https have a request
// timeout by default: an endpoint that accepts and never answers (a VPC without a route to the service, an
// interface endpoint whose security group drops the traffic) holds a call until the Lambda times out.
// @smithy/node-http-handler's `requestTimeout` only logs a warning unless `throwOnRequestTimeout` is set beside
// it; `abortSignal` on each send bounds the whole call, retries included, whatever the handler does.

export const AWS_TIMEOUTS = {
  /** TCP + TLS handshake to the endpoint (regional endpoints and VPC endpoints answer in milliseconds). */
  connectMs: 2_000,
  /** One attempt, from sending to the last byte of the answer. */
  requestMs: 5_000,
  /** Attempts per call (the first included): throttling, 5xx, network errors and timeouts are retried. */
  attempts: 3,
} as const;

/**
 * The longest one SDK call may take, retries and backoff included: less than attempts × requestMs, so that the
 * shortest Lambda (notify-slack, 15 s) still logs and fails in time when its one call (SSM) never answers.
 */
export const AWS_CALL_BUDGET_MS = 12_000;
