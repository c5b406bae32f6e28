// Stage 4 of an evaluation: claim the slot, then send. Only the evaluation that claims the slot sends; a
// notification counts as sent only when its send resolved (a failure is logged and left for the next
// evaluation, see commit-state.ts).
import type { Logger } from '../../observability/logger.js';
import type { Notification } from '../../notify/types.js';
import type { ClaimStore } from '../state/claim-store.js';
import type { PlannedNotification } from './plan-notifications.js';
import { errorMessage } from '../../observability/error-message.js';

/** Where notifications go: SNS in Lambda, the terminal and Slack locally, a list in a replay. */
export type NotifierSink = (notification: Notification) => Promise<void>;

export interface SendOutcome {
  /** False when another evaluation of the slot holds the claim: it sends, this one sends nothing. */
  claimed: boolean;
  sent: Set<PlannedNotification>;
  /** Tried and not delivered: their state is not committed as sent (commit-state.ts), so the next evaluation sends them. */
  failed: Set<PlannedNotification>;
}

/** How long a slot's claim is kept: far longer than any evaluation of it can run. */
export const CLAIM_TTL_MS = 24 * 3_600_000;

/** The claim whose holder sends (and commits) a slot's notifications. */
export function slotClaimKey(group: string, slotMs: number): string {
  return `${group}/${slotMs}`;
}

export async function claimAndSend(
  planned: readonly PlannedNotification[],
  options: { group: string; slotMs: number; claims: ClaimStore; notify: NotifierSink; logger: Logger },
): Promise<SendOutcome> {
  const outcome: SendOutcome = { claimed: true, sent: new Set(), failed: new Set() };
  if (planned.length === 0) return outcome;
  const { group, slotMs, logger } = options;
  try {
    outcome.claimed = await options.claims.claim(slotClaimKey(group, slotMs), slotMs + CLAIM_TTL_MS);
  } catch (err) {
    // Cannot coordinate: better a duplicate page than a lost one.
    logger.error('slot claim store unavailable; sending without a claim', { group, error: errorMessage(err) });
  }
  if (!outcome.claimed) {
    logger.info('another evaluation of this slot sends its notifications', { group, slot: new Date(slotMs).toISOString() });
    return outcome;
  }
  for (const p of planned) {
    try {
      await options.notify(p.notification);
      outcome.sent.add(p);
    } catch (err) {
      outcome.failed.add(p);
      const { alertname, status } = p.notification;
      logger.error('notification not sent; will retry next evaluation', { group, alertname, status, error: errorMessage(err) });
    }
  }
  return outcome;
}
