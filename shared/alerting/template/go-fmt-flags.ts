// fmt's flags, width and precision for one verb, and padding to the width (counted in runes, as Go does).

export interface Flags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

export function newFlags(): Flags {
  return { minus: false, plus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false, wid: 0, widPresent: false, prec: 0, precPresent: false };
}

export const NO_FLAGS: Flags = Object.freeze(newFlags());

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

export function padding(f: Flags, count: number): string {
  return count > 0 ? (f.zero ? '0' : ' ').repeat(count) : '';
}

/** Pads to the width: left (or right with '-'), with zeros when the '0' flag is set. */
export function pad(f: Flags, s: string): string {
  if (!f.widPresent || f.wid === 0) return s;
  const n = f.wid - runeCount(s);
  if (n <= 0) return s;
  return f.minus ? s + ' '.repeat(n) : padding(f, n) + s;
}

export function padNoZero(f: Flags, s: string): string {
  if (!f.zero) return pad(f, s);
  return pad({ ...f, zero: false }, s);
}

// --- strconv.Quote ---------------------------------------------------------------------------------
