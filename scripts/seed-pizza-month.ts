// Writes the seeded pizza-service month of the README's worked example (test/support/pizza-month.ts:
// four quiet weeks, then four weeks with known spikes) into a VictoriaMetrics, and prints the replay
// command for it. Usage: node --import tsx scripts/seed-pizza-month.ts [http://127.0.0.1:8428]
import { forceFlush, writeBatch } from '../shared/victoria-metrics/index.js';
import { monthStartBefore, pizzaMonthLines, SPIKES } from '../test/support/pizza-month.js';

const url = (process.argv[2] ?? process.env.VM_URL ?? 'http://127.0.0.1:8428').replace(/\/+$/, '');
const start = monthStartBefore(Date.now());
let samples = 0;
for (const lines of pizzaMonthLines(start)) {
  const written = await writeBatch(`${lines.join('\n')}\n`, { url }, { deadlineMs: Date.now() + 30_000 });
  if (!written.ok) throw new Error(written.message);
  samples += lines.length;
}
await forceFlush({ url });
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
process.stdout.write(`wrote ${samples} samples of orders_created_total{service="pizza-service"} to ${url}\n`);
process.stdout.write(`spikes: ${SPIKES.map((s) => `${s.name} (${iso(start + s.atMs)}, ${s.minutes} min, +${s.extraPerMinute}/min)`).join('; ')}\n`);
process.stdout.write(`replay: periscope check --config targets/pizza-replay.yml --vm-url ${url} --replay ${iso(start)}..${iso(start + 28 * 86_400_000)}\n`);
