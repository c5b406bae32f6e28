// The one retry loop and the one bounded-concurrency helper (shared/async), with injected clocks: no real
// waiting, no timing in the assertions.
import { describe, expect, it } from 'vitest';
import { exponentialBackoff, mapLimit, retry } from '../../shared/async/index.js';

describe('mapLimit', () => {
  it('keeps at most `limit` calls in flight and returns results in the items’ order', async () => {
    let inFlight = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const done = mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => release.push(resolve));
      inFlight--;
      return n * 10;
    });
    // Finish them out of order: the last started first.
    while (release.length > 0 || inFlight > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      release.pop()?.();
    }
    expect(await done).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(most).toBe(3);
  });

  it('handles no items and a limit above the count', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    expect(await mapLimit(['a'], 10, async (s, i) => `${s}${i}`)).toEqual(['a0']);
  });
});

describe('retry', () => {
  const clock = () => {
    let t = 1_000_000;
    const waits: number[] = [];
    return { now: () => t, sleep: async (ms: number) => void (waits.push(ms), (t += ms)), waits };
  };

  it('stops at the first answer that may not be retried', async () => {
    const c = clock();
    const answers = [true, true, false];
    const result = await retry(async (n) => ({ value: n, retry: answers[n - 1] as boolean }), { backoffMs: () => 10, ...c });
    expect(result).toEqual({ value: 3, attempts: 3 });
    expect(c.waits).toEqual([10, 10]);
  });

  it('gives up after maxAttempts, and before a wait that would pass the deadline (less the reserve)', async () => {
    const c = clock();
    expect(await retry(async (n) => ({ value: n, retry: true }), { backoffMs: () => 10, maxAttempts: 4, ...c })).toEqual({ value: 4, attempts: 4, exhausted: 'attempts' });
    const d = clock();
    const byDeadline = await retry(async (n) => ({ value: n, retry: true }), { backoffMs: () => 100, deadlineMs: d.now() + 350, reserveMs: 100, ...d });
    // Waits of 100 at 0 and 100 leave room for the reserve; a third would end at 300 + 100 ≥ 350.
    expect(byDeadline).toEqual({ value: 3, attempts: 3, exhausted: 'deadline' });
    expect(d.waits).toEqual([100, 100]);
  });

  it('waits as long as the other side asks (Retry-After) instead of its own backoff, and reports each retry', async () => {
    const c = clock();
    const seen: Array<[number, number, string]> = [];
    await retry(async (n) => (n === 1 ? { value: 'busy', retry: true, waitMs: 2_500 } : { value: 'ok', retry: false }), {
      backoffMs: () => 10,
      onRetry: (n, wait, value) => seen.push([n, wait, value]),
      ...c,
    });
    expect(c.waits).toEqual([2_500]);
    expect(seen).toEqual([[1, 2_500, 'busy']]);
  });

  it('always makes the first attempt, even past the deadline', async () => {
    const c = clock();
    expect(await retry(async () => ({ value: 'x', retry: true }), { backoffMs: () => 1, deadlineMs: 0, ...c })).toEqual({ value: 'x', attempts: 1, exhausted: 'deadline' });
  });
});

describe('exponentialBackoff', () => {
  it('doubles up to the cap, with full or equal jitter', () => {
    const full = exponentialBackoff({ baseMs: 100, capMs: 500, jitter: 'full', random: () => 0.5 });
    expect([1, 2, 3, 4, 5].map(full)).toEqual([50, 100, 200, 250, 250]);
    const equalLow = exponentialBackoff({ baseMs: 100, capMs: 500, jitter: 'equal', random: () => 0 });
    const equalHigh = exponentialBackoff({ baseMs: 100, capMs: 500, jitter: 'equal', random: () => 0.999 });
    expect([1, 2, 3].map(equalLow)).toEqual([50, 100, 200]);
    expect([1, 2, 3].map(equalHigh)).toEqual([99, 199, 399]);
  });
});
