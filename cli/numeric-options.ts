// Parsers for numeric command-line options. Commander hands options over as strings; `Number('abc')` is NaN
// and `Number(x) || 50` quietly turned a typo into the default. Each parser refuses what is not a whole
// number in range with commander's InvalidArgumentError, which main.ts reports as bad input (exit 2):
//   error: option '--concurrency <n>' argument 'abc' is invalid. Expected a whole number from 1 to 10000.
import { InvalidArgumentError } from 'commander';

/** A parser for a whole number from `min` to `max` (decimal digits only: no 1e3, 0x10, 12.0 or spaces). */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** A TCP port to listen on. */
export const portNumber = wholeNumber(1, 65_535);
