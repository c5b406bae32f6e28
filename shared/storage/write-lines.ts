// One batch of exposition lines to VictoriaMetrics, split when it is refused. VictoriaMetrics (or vmauth, or a
// proxy) answering 400/422 refuses the request as a whole, though the cause is often one line: the batch is
// split in halves, each written on its own, until the refused lines stand alone, so one bad line never takes
// its batch with it. When both halves are refused with the very words the whole was, no line alone is the
// cause (a proxy refusing every request, a wrong path): the batch is rejected as a whole after three requests.
// The splits are bounded too; what is refused when they are spent is rejected as a whole.
import { gzipSync } from 'node:zlib';
import { writeBatch, type VmConnection, type WriteBatchOptions, type WriteBatchResult } from '../victoria-metrics/index.js';

export interface LinesOutcome {
  written: number;
  /** Lines VictoriaMetrics refused (400/422). */
  rejected: string[];
  rejectedMessage?: string;
  /** Lines not written for now (VictoriaMetrics down, overloaded, refusing credentials): to keep for later. */
  unwritten: string[];
  /** The last failure's message. */
  message?: string;
}

/** Extra requests one refused batch may cost: ~2·log2(5 000) per bad line, for two bad lines. */
export const MAX_SPLITS = 28;

type Options = WriteBatchOptions & { vm: VmConnection };

function send(lines: readonly string[], options: Options): Promise<WriteBatchResult> {
  return writeBatch(gzipSync(`${lines.join('\n')}\n`), options.vm, options);
}

const rejectAll = (lines: readonly string[], message: string): LinesOutcome => ({ written: 0, rejected: [...lines], rejectedMessage: message, unwritten: [], message });

function merge(a: LinesOutcome, b: LinesOutcome): LinesOutcome {
  const rejectedMessage = a.rejectedMessage ?? b.rejectedMessage;
  const message = b.message ?? a.message;
  return {
    written: a.written + b.written,
    rejected: [...a.rejected, ...b.rejected],
    ...(rejectedMessage !== undefined ? { rejectedMessage } : {}),
    unwritten: [...a.unwritten, ...b.unwritten],
    ...(message !== undefined ? { message } : {}),
  };
}

export async function writeLines(lines: readonly string[], options: Options, budget = { splits: MAX_SPLITS }): Promise<LinesOutcome> {
  if (lines.length === 0) return { written: 0, rejected: [], unwritten: [] };
  const outcome = await send(lines, options);
  if (outcome.ok) return { written: lines.length, rejected: [], unwritten: [] };
  if (outcome.retriable) return { written: 0, rejected: [], unwritten: [...lines], message: outcome.message };
  return split(lines, outcome.message, options, budget);
}

/** `lines` were refused with `message`: find the refused ones. */
async function split(lines: readonly string[], message: string, options: Options, budget: { splits: number }): Promise<LinesOutcome> {
  if (lines.length === 1 || budget.splits <= 0) return rejectAll(lines, message);
  budget.splits--;
  const middle = Math.ceil(lines.length / 2);
  const halves = [lines.slice(0, middle), lines.slice(middle)] as const;
  const answers: WriteBatchResult[] = [];
  for (const half of halves) {
    // VictoriaMetrics failed meanwhile: the rest is kept whole, not written.
    if (answers.some((a) => !a.ok && a.retriable)) break;
    answers.push(await send(half, options));
  }
  const refused = (a: WriteBatchResult | undefined): a is Extract<WriteBatchResult, { ok: false }> => a !== undefined && !a.ok && !a.retriable;
  const [first, second] = answers;
  if (refused(first) && refused(second) && first.message === message && second.message === message) return rejectAll(lines, message);
  let result: LinesOutcome = { written: 0, rejected: [], unwritten: [] };
  for (const [index, half] of halves.entries()) {
    const answer = answers[index];
    if (answer === undefined) result = merge(result, { written: 0, rejected: [], unwritten: [...half], ...(result.message !== undefined ? { message: result.message } : {}) });
    else if (answer.ok) result = merge(result, { written: half.length, rejected: [], unwritten: [] });
    else if (answer.retriable) result = merge(result, { written: 0, rejected: [], unwritten: [...half], message: answer.message });
    else result = merge(result, await split(half, answer.message, options, budget));
  }
  return result;
}
