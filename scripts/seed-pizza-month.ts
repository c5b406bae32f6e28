// Writes the seeded pizza-service month of the README's worked example (test/support/pizza-month.ts:
// four quiet weeks, then four weeks with known spikes) into a VictoriaMetrics, and prints the replay
// command for it. Usage: node --import tsx scripts/seed-pizza-month.ts [http://127.0.0.1:8428]
import { monthStartBefore, pizzaMonthLines, SPIKES } from '../test/support/pizza-month.js';

const url = (process.argv[2] ?? process.env.VM_URL ?? 'http://127.0.0.1:8428').replace(/\/+$/, '');
const start = monthStartBefore(Date.now());
let samples = 0;
for (const lines of pizzaMonthLines(start)) {
  const response = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: `${lines.join('\n')}\n` });
  if (response.status !== 204) throw new Error(`VictoriaMetrics answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  samples += lines.length;
}
await fetch(`${url}/internal/force_flush`).catch(() => undefined);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
process.stdout.write(`wrote ${samples} samples of orders_created_total{service="pizza-service"} to ${url}\n`);
process.stdout.write(`spikes: ${SPIKES.map((s) => `${s.name} (${iso(start + s.atMs)}, ${s.minutes} min, +${s.extraPerMinute}/min)`).join('; ')}\n`);
process.stdout.write(`replay: periscope check --config targets/pizza-replay.yml --vm-url ${url} --replay ${iso(start)}..${iso(start + 28 * 86_400_000)}\n`);
