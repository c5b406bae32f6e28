// The PostgreSQL prober (blackbox_exporter has none): resolve the host, connect and authenticate (with
// libpq's sslmode semantics, see connect.ts), run one query and check the first column of its first row.
// Metrics follow blackbox conventions: probe_postgres_duration_seconds{phase="resolve|connect|query"},
// probe_postgres_ssl, probe_postgres_info{server_version}, and the probe_ssl_* / probe_tls_* set when TLS.
import { isIP } from 'node:net';
import type { PostgresModule } from '../../config/index.js';
import { SecretError } from '../../config/secrets.js';
import { monotonicSeconds } from '../clock.js';
import { ProbeBudget } from '../deadline.js';
import { ProbeFailure } from '../failure.js';
import { resolveHost, type Resolved } from '../resolve.js';
import { buildResult } from '../samples.js';
import { tlsSamples } from '../tls.js';
import type { FailureReason, PhaseTiming, ProbeOptions, ProbeResult, Sample } from '../types.js';
import { closeClient, connectPostgres, type ConnectState } from './connect.js';
import { classifyPgError } from './errors.js';
import { loadPg } from './load-pg.js';
import { runQuery, type QueryOutcome } from './query.js';
import { checkValue, renderValue } from './value.js';

const EXCERPT_CHARS = 1024;

export function postgresInstance(module: PostgresModule): string {
  const host = isIP(module.host) === 6 ? `[${module.host}]` : module.host;
  return `${host}:${module.port}/${module.database}`;
}

/** "15.18 (Debian 15.18-1.pgdg120+1)" → "15.18": the label stays short and stable across packagers. */
function shortVersion(version: string): string {
  return version.split(' ')[0] ?? version;
}

async function resolvePassword(module: PostgresModule, options: ProbeOptions, budget: ProbeBudget): Promise<string | undefined> {
  const ref = module.password_from;
  if (ref === undefined) return undefined;
  try {
    return await budget.race(options.secrets.resolve(ref), false);
  } catch (err) {
    if (err instanceof ProbeFailure) throw err;
    // SecretError messages name the reference, never the value; anything else is not repeated.
    throw new ProbeFailure('secret', err instanceof SecretError ? err.message : `secret ${ref} could not be resolved`);
  }
}

function firstValue(outcome: QueryOutcome): { raw: unknown; text: string } | undefined {
  const row = outcome.firstRow;
  if (!row || row.length === 0) return undefined;
  return { raw: row[0], text: renderValue(row[0]) };
}

export async function probePostgres(targetName: string, module: PostgresModule, options: ProbeOptions): Promise<ProbeResult> {
  const timestampMs = Date.now();
  const start = monotonicSeconds();
  const budget = new ProbeBudget(options.timeoutMs, options.signal);
  const log: string[] | undefined = options.debug ? [] : undefined;
  const debugLine = (line: string) => log?.push(line);
  const phases: PhaseTiming[] = [];
  const state: ConnectState = { tcpConnected: false, ssl: false };
  let resolved: Resolved | undefined;
  let failure: { reason: FailureReason; message: string } | undefined;
  let stage: 'connect' | 'query' = 'connect';
  // The running phase; one that fails still gets its time, so the waterfall shows where the probe was.
  let running: { phase: 'connect' | 'query'; start: number } | undefined;
  const endPhase = () => {
    if (running) phases.push({ phase: running.phase, seconds: monotonicSeconds() - running.start });
    running = undefined;
  };
  let first: { raw: unknown; text: string } | undefined;
  let excerpt: string | undefined;
  let connected = false;
  let durationSeconds: number;

  try {
    const password = await resolvePassword(module, options, budget);
    resolved = await resolveHost(module.host, module.preferred_ip_protocol, module.ip_protocol_fallback, budget);
    phases.push({ phase: 'resolve', seconds: resolved.seconds });
    debugLine(`resolved ${module.host} to ${resolved.address}`);

    running = { phase: 'connect', start: monotonicSeconds() };
    debugLine(`connecting as ${module.user} to database ${module.database}, sslmode=${module.sslmode}`);
    const connection = await connectPostgres({ module, address: resolved.address, password, options, budget, state, log: debugLine });
    connected = true;
    endPhase();
    debugLine(`authenticated; server version ${state.serverVersion ?? 'unknown'}, ssl ${connection.ssl ? 'on' : 'off'}`);

    stage = 'query';
    running = { phase: 'query', start: monotonicSeconds() };
    debugLine(`query: ${module.query}`);
    const outcome = await budget.race(runQuery(await loadPg(), connection.client, module.query, log !== undefined), true);
    endPhase();
    first = firstValue(outcome);
    if (log) {
      excerpt = JSON.stringify(outcome.shownRows, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)).slice(0, EXCERPT_CHARS);
      debugLine(`query returned ${outcome.rowCount} row(s)${first ? `; first value ${JSON.stringify(first.text.slice(0, 200))}` : ''}`);
    }
    checkValue(module, first);
  } catch (err) {
    endPhase();
    failure = state.tooLarge
      ? { reason: 'response_too_large', message: state.tooLarge }
      : budget.aborted && !(err instanceof ProbeFailure)
        ? budget.failure(stage === 'query' || state.tcpConnected)
        : classifyPgError(err, stage === 'query' ? 'query' : 'connect');
    debugLine(`failed: ${failure.reason}: ${failure.message}`);
  } finally {
    durationSeconds = monotonicSeconds() - start;
    budget.dispose();
    await closeClient(state.client);
  }

  const samples: Sample[] = [];
  if (state.tcpConnected || connected) samples.push({ name: 'probe_postgres_ssl', labels: {}, value: state.ssl ? 1 : 0 });
  if (state.serverVersion) {
    samples.push({ name: 'probe_postgres_info', labels: { server_version: shortVersion(state.serverVersion) }, value: 1 });
  }
  if (state.tls) samples.push(...tlsSamples(state.tls));

  const postgres = {
    ...(state.serverVersion ? { server_version: shortVersion(state.serverVersion) } : {}),
    ...(first ? { value: first.text } : {}),
  };
  return buildResult({
    target: targetName,
    module: 'postgres',
    instance: postgresInstance(module),
    timestampMs,
    durationSeconds,
    timeoutMs: options.timeoutMs,
    ...(resolved ? { resolved } : {}),
    ...(failure ? { failure: { reason: failure.reason, message: failure.message } } : {}),
    phases,
    phaseMetric: 'probe_postgres_duration_seconds',
    samples,
    extra: { postgres, ...(state.tls ? { tls: state.tls } : {}) },
    ...(log ? { debug: { log, ...(excerpt !== undefined ? { body_excerpt: excerpt } : {}) } } : {}),
  });
}
