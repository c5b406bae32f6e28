// Posting to a Slack incoming webhook: rate limits (429, honouring Retry-After), 5xx and network errors
// are retried with backoff and jitter while the deadline allows; any other 4xx is final (the message or
// the webhook is wrong, and sending it again cannot help). The webhook URL is a secret: it appears in
// no log line and no error, only its host does.
import { exponentialBackoff, retry, type AttemptOutcome } from '../async/retry.js';
import { fetchProblem } from '../observability/error-message.js';
import type { Logger } from '../observability/logger.js';
import type { SlackPayload } from './slack.js';

export interface PostToSlackOptions {
  /** Epoch ms after which no attempt starts or runs. The first attempt is always made. */
  deadlineMs: number;
  logger: Logger;
  /** For tests: deterministic jitter. */
  random?: () => number;
  /** Upper bound for one attempt. */
  attemptTimeoutMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export class SlackPostError extends Error {
  override name = 'SlackPostError';
  constructor(
    message: string,
    /** False when Slack refused the message itself: retrying later will not help either. */
    readonly retriable: boolean,
    readonly status?: number,
    /** Slack's error text, e.g. "invalid_blocks", "no_service". */
    readonly slackError?: string,
  ) {
    super(message);
  }
}

/** The first attempt gets at least this long, even past the deadline: a notification deserves one try. */
const MIN_ATTEMPT_MS = 1_000;
const MIN_RETRY_MS = 250;

export async function postToSlack(webhookUrl: string, payload: SlackPayload, options: PostToSlackOptions): Promise<void> {
  const { logger, deadlineMs } = options;
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    throw new SlackPostError('Slack webhook URL is not a valid URL', false);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SlackPostError('Slack webhook URL must be http(s)', false);
  const host = url.host;
  const body = JSON.stringify(payload);

  type Failure = { problem: string; status?: number; retryAfterMs?: number };
  const attempt = async (n: number): Promise<AttemptOutcome<Failure | undefined>> => {
    const timeout = Math.max(n === 1 ? MIN_ATTEMPT_MS : 1, Math.min(options.attemptTimeoutMs ?? 10_000, deadlineMs - Date.now()));
    let response: Response;
    let answer: string;
    try {
      // Node's built-in fetch (undici inside Node): no HTTP client in the Lambda bundle.
      response = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        signal: AbortSignal.timeout(timeout),
      });
      answer = oneLine(await response.text());
    } catch (err) {
      // The error's code only: the webhook's path is the secret.
      return { value: { problem: fetchProblem(err, { codeOnly: true }) }, retry: true };
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      if (n > 1) logger.info('Slack webhook accepted the message after retries', { host, attempts: n });
      return { value: undefined, retry: false };
    }
    if (status !== 429 && status < 500) {
      logger.error('Slack webhook rejected the message', { host, status, slack_error: answer, attempts: n });
      throw new SlackPostError(`Slack webhook rejected the message: ${status} ${answer}`.trim(), false, status, answer);
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after') ?? undefined);
    const failure: Failure = { problem: status === 429 ? 'rate limited (429)' : `${status} ${answer}`.trim(), status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    return { value: failure, retry: true, ...(retryAfterMs !== undefined ? { waitMs: retryAfterMs } : {}) };
  };

  const outcome = await retry(attempt, {
    backoffMs: exponentialBackoff({ baseMs: options.baseBackoffMs ?? 250, capMs: options.maxBackoffMs ?? 5_000, jitter: 'equal', ...(options.random ? { random: options.random } : {}) }),
    deadlineMs,
    // A retry needs some time of its own to have a chance.
    reserveMs: MIN_RETRY_MS,
    onRetry: (n, wait, failure) => logger.warn('Slack webhook attempt failed; retrying', { host, attempt: n, problem: failure?.problem, retry_in_ms: wait }),
  });
  if (!outcome.value) return;
  const { attempts } = outcome;
  let problem = outcome.value.problem;
  if (outcome.value.retryAfterMs !== undefined) problem += `, Retry-After ${Math.ceil(outcome.value.retryAfterMs / 1000)}s is past the deadline`;
  logger.error('Slack webhook: giving up', { host, attempts, problem });
  throw new SlackPostError(`Slack webhook: not delivered after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${problem}`, true, outcome.value.status);
}

/** Retry-After as seconds or an HTTP date; anything else is ignored (the usual backoff applies). */
function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}
