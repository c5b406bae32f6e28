// Two evaluations of the same slot (overlapping invocations, a retry, a redeploy, `periscope run` beside
// `periscope check --notify`) must not both page. Only an atomic create-if-absent gives that whatever the
// delays: the first claim of a key wins, every later one loses. VictoriaMetrics has no such operation (a
// write-then-read-back protocol loses or duplicates pages once writes take longer than its wait; see
// test/integration/alert-claim-delay.test.ts), so claims live in a store that has one: a DynamoDB conditional put in
// Lambda (shared/aws/dynamodb-claims.ts), an O_EXCL file locally (file-claim-store.ts), memory in one process.

export interface ClaimStore {
  /**
   * True for exactly one caller per key; every other caller, concurrent or later, gets false until the
   * claim expires (`expiresAtMs`, epoch ms; stores may forget it any time after). Throws when the store
   * cannot answer.
   */
  claim(key: string, expiresAtMs: number): Promise<boolean>;
}

/**
 * Claims of one process: replays, tests, a single local evaluator. Held for the life of the process (a
 * replay evaluates slots long past, so wall-clock expiry would not do); the oldest go beyond `limit`.
 */
export function createMemoryClaimStore(limit = 100_000): ClaimStore {
  const claims = new Set<string>();
  return {
    async claim(key) {
      if (claims.has(key)) return false;
      claims.add(key);
      if (claims.size > limit) claims.delete(claims.values().next().value as string);
      return true;
    },
  };
}
