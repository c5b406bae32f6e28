/** Resolves after `ms` milliseconds. The one sleep of the code base: tests inject their own where timing matters. */
export const sleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));
