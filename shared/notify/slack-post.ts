// Posting to a Slack incoming webhook: rate limits (429, honouring Retry-After), 5xx and network errors
// are retried with backoff and jitter while the deadline allows; any other 4xx is final (the message or
// the webhook is wrong, and sending it again cannot help). The webhook URL is a secret: it appears in
// no log line and no error, only its host does.
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  const random = options.random ?? Math.random;
  const base = options.baseBackoffMs ?? 250;
  const cap = options.maxBackoffMs ?? 5_000;

  let attempts = 0;
  let problem: string;
  let lastStatus: number | undefined;
  for (;;) {
    attempts++;
    const timeout = Math.max(attempts === 1 ? MIN_ATTEMPT_MS : 1, Math.min(options.attemptTimeoutMs ?? 10_000, deadlineMs - Date.now()));
    let retryAfterMs: number | undefined;
    try {
      // Node's built-in fetch (undici inside Node): no HTTP client in the Lambda bundle.
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        signal: AbortSignal.timeout(timeout),
      });
      const answer = oneLine(await response.text());
      const status = response.status;
      lastStatus = status;
      if (status >= 200 && status < 300) {
        if (attempts > 1) logger.info('Slack webhook accepted the message after retries', { host, attempts });
        return;
      }
      if (status !== 429 && status < 500) {
        logger.error('Slack webhook rejected the message', { host, status, slack_error: answer, attempts });
        throw new SlackPostError(`Slack webhook rejected the message: ${status} ${answer}`.trim(), false, status, answer);
      }
      problem = status === 429 ? 'rate limited (429)' : `${status} ${answer}`.trim();
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after') ?? undefined);
    } catch (err) {
      if (err instanceof SlackPostError) throw err;
      problem = networkProblem(err);
      lastStatus = undefined;
    }

    const doubling = Math.min(cap, base * 2 ** (attempts - 1));
    const wait = retryAfterMs ?? Math.floor(doubling / 2 + (random() * doubling) / 2);
    // A retry needs some time of its own to have a chance.
    if (Date.now() + wait + MIN_RETRY_MS >= deadlineMs) {
      if (retryAfterMs !== undefined) problem += `, Retry-After ${Math.ceil(retryAfterMs / 1000)}s is past the deadline`;
      break;
    }
    logger.warn('Slack webhook attempt failed; retrying', { host, attempt: attempts, problem, retry_in_ms: wait });
    await sleep(wait);
  }
  logger.error('Slack webhook: giving up', { host, attempts, problem });
  throw new SlackPostError(`Slack webhook: not delivered after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${problem}`, true, lastStatus);
}

/** Retry-After as seconds or an HTTP date; anything else is ignored (the usual backoff applies). */
function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The error's code only: undici's messages can carry the address, and the path is the secret. */
function networkProblem(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timed out';
  return code ? `network error ${code}` : `network error (${name})`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}
