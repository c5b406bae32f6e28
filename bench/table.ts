// The benchmark's table: printed by `npm run bench` and written into the README by bench/readme-tables.ts
// from bench/results.json, so the README shows a run's numbers and nothing typed by hand.

export interface BenchRow {
  name: string;
  periscope: string;
  blackbox?: string;
  ratio?: number;
  goal: string;
  met: boolean;
}

export function formatBenchTable(rows: BenchRow[]): string {
  const header = ['benchmark', 'Periscope', 'blackbox_exporter', 'ratio', 'goal', 'met'];
  const body = rows.map((r) => [r.name, r.periscope, r.blackbox ?? '—', r.ratio === undefined ? '—' : r.ratio.toFixed(2), r.goal, r.met ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
