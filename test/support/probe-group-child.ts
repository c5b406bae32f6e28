// Runs one group of a targets file in a process of its own, as the probe Lambda does, and prints one JSON
// line: each result (reason, duration) and the process's peak resident memory. Used by the hostile-target
// suite, so what a hostile target costs is measured on the probing process alone.
//   node --import tsx test/support/probe-group-child.ts <targets file> [<json: target name → extra headers>]
// Extra headers are added after validation: they stand for a module the schema never saw (a request
// node:http2 refuses must still end as a failed probe, not an exception).
import { readFile } from 'node:fs/promises';
import { createSecretResolver, parseTargetsFile } from '../../shared/config/index.js';
import { probeGroup } from '../../shared/pipeline/probe-group.js';
import { loadRegexEngine } from '../../shared/regex/index.js';
import { loadDnsPacket } from '../../shared/probing/dns/load-dns-packet.js';
import { loadPg } from '../../shared/probing/postgres/load-pg.js';

const [file, unvalidated] = process.argv.slice(2);
if (!file) throw new Error('usage: probe-group-child.ts <targets file> [extra headers json]');
await loadRegexEngine();
// The probers loaded on first use (as a warm Lambda has them): here tsx would compile them in the middle of
// the group, which is the harness's cost, not the probes'.
await Promise.all([
  import('../../shared/probing/dns/probe.js'),
  import('../../shared/probing/grpc/probe.js'),
  import('../../shared/probing/steps/probe.js'),
  loadPg(),
  loadDnsPacket(),
  import('node:http2'),
]);
const parsed = parseTargetsFile(await readFile(file, 'utf8'), file);
const extra = JSON.parse(unvalidated ?? '{}') as Record<string, Record<string, string>>;
const group = parsed.groups[0];
if (!group) throw new Error('no group');
for (const target of group.targets) {
  const headers = extra[target.name];
  if (headers && target.http) Object.assign(target.http.headers, headers);
}
const started = performance.now();
const outcome = await probeGroup(parsed, group, { concurrency: 64, secrets: createSecretResolver({ env: {} }) });
process.stdout.write(
  `${JSON.stringify({
    wallMs: performance.now() - started,
    maxRssKb: process.resourceUsage().maxRSS,
    lag: outcome.lag,
    results: outcome.results.map((r) => ({ target: r.target, success: r.success, reason: r.reason, message: r.message, duration_seconds: r.duration_seconds, timeout_seconds: r.timeout_seconds })),
  })}\n`,
);
