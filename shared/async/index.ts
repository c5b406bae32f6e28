export { sleep } from './sleep.js';
export { mapLimit } from './map-limit.js';
export { retry, exponentialBackoff, type AttemptOutcome, type RetryPolicy, type RetryResult, type BackoffOptions } from './retry.js';
