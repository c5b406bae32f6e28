// Durations and times as people read them in reports and pages.

/** 3 h 12 min, 45 s, 2 d 4 h: the two largest units. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const units: Array<[string, number]> = [['d', 86_400], ['h', 3_600], ['min', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n} ${name}`);
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !p.startsWith('0 ')).join(' ');
}

/** 2026-11-03 14:05:09 UTC */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** 99.95 %, with enough decimals to tell 99.99 from 100. */
export function percent(ratio: number): string {
  const p = ratio * 100;
  if (p === 100) return '100 %';
  if (p === 0) return '0 %';
  return `${p >= 99 ? (Math.floor(p * 1000) / 1000).toFixed(3) : p.toFixed(2)} %`;
}
