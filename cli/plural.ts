// "1 group", "2 groups", "0 rules": counts in what the CLI prints.

/** `count` and the noun, with an s unless the count is exactly one (`plural(1, 'rule group')` → "1 rule group"). */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
