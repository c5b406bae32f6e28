// What `periscope probe` prints for people, from real probes on loopback: where the time of a timeout went, the
// DNS answers without --debug, a gRPC status by name. The metrics stay blackbox's (an unfinished phase is 0).
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, loadTarget } from '../../shared/config/index.js';
import { runProbe } from '../../shared/probing/index.js';
import { formatSummaryLine, formatWaterfall } from '../../shared/probing/format.js';
import type { ProbeResult } from '../../shared/probing/types.js';
import { plural } from '../../cli/plural.js';

let silentTcp: Server;
let silentUdp: UdpSocket;
const sockets: Socket[] = [];
let tcpPort: number;
let udpPort: number;

beforeAll(async () => {
  // Accepts and never answers: a probe can only time out against it.
  silentTcp = createTcpServer((socket) => sockets.push(socket));
  await new Promise<void>((done) => silentTcp.listen(0, '127.0.0.1', done));
  tcpPort = (silentTcp.address() as { port: number }).port;
  silentUdp = createSocket('udp4');
  await new Promise<void>((done) => silentUdp.bind(0, '127.0.0.1', done));
  udpPort = silentUdp.address().port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((done) => silentTcp.close(done));
  silentUdp.close();
});

async function probe(raw: Record<string, unknown>, timeoutMs = 600): Promise<ProbeResult> {
  const target = await loadTarget({ name: 't', ...raw }, 'test');
  return runProbe(target, { timeoutMs, secrets: createSecretResolver() });
}

function phaseLine(text: string, phase: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`  ${phase} `));
  if (!line) throw new Error(`no ${phase} line in:\n${text}`);
  return line;
}

const shownMs = (line: string) => Number(/ ([\d.]+) ms {2}\|/.exec(line)?.[1]);

describe('the waterfall of a probe that timed out', () => {
  it('HTTP: the time goes to processing (connected, no answer), while the metric stays 0 as blackbox reports it', async () => {
    const result = await probe({ http: { url: `http://127.0.0.1:${tcpPort}/` } });
    expect(result.reason).toBe('timeout');
    expect(result.unfinished_phase).toBe('processing');
    expect(result.phases.find((p) => p.phase === 'processing')?.seconds).toBe(0);
    const text = formatWaterfall(result);
    const processing = phaseLine(text, 'processing');
    expect(processing).toContain('← timed out in this phase');
    expect(shownMs(processing)).toBeGreaterThan(500);
    expect(shownMs(phaseLine(text, 'transfer'))).toBe(0);
    expect(phaseLine(text, 'connect')).not.toContain('←');
  });

  it('DNS over UDP: the time goes to request', async () => {
    const result = await probe({ dns: { server: `127.0.0.1:${udpPort}`, query_name: 'x.test', query_type: 'A' } });
    expect(result.reason).toBe('timeout');
    expect(result.unfinished_phase).toBe('request');
    const request = phaseLine(formatWaterfall(result), 'request');
    expect(request).toContain('← timed out in this phase');
    expect(shownMs(request)).toBeGreaterThan(500);
  });

  it('a refused connection ends in connect, not marked as a timeout', async () => {
    const closed = createTcpServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as { port: number }).port;
    await new Promise((done) => closed.close(done));
    const result = await probe({ http: { url: `http://127.0.0.1:${port}/` } });
    expect(result.reason).toBe('refused');
    expect(result.unfinished_phase).toBe('connect');
    expect(phaseLine(formatWaterfall(result), 'connect')).toContain('← ended in this phase');
  });
});

/** A result as the probers shape it, for what the formatter does with details. */
function result(extra: Partial<ProbeResult>): ProbeResult {
  return {
    target: 't', module: 'grpc', instance: '127.0.0.1:50051', success: false, reason: 'grpc_status', timestamp_ms: 0,
    duration_seconds: 0.01, timeout_seconds: 5, phases: [{ phase: 'resolve', seconds: 0 }, { phase: 'check', seconds: 0.01 }], samples: [],
    ...extra,
  };
}

describe('details in the waterfall', () => {
  it('names a gRPC status, with its number', () => {
    const text = formatWaterfall(result({ grpc: { status_code: 5, status_message: 'unknown service' } }));
    expect(text).toContain('gRPC status NOT_FOUND (5): unknown service');
    expect(formatSummaryLine(result({ grpc: { status_code: 12 } }))).toContain('UNIMPLEMENTED');
    expect(formatWaterfall(result({ grpc: { status_code: 99 } }))).toContain('gRPC status CODE_99 (99)');
  });

  it('lists the DNS answers it kept, and how many more there were', () => {
    const answers = ['a.test.\t30\tIN\tA\t10.0.0.1', 'a.test.\t30\tIN\tA\t10.0.0.2'];
    const text = formatWaterfall(result({ module: 'dns', success: true, reason: null, grpc: undefined, dns: { transport: 'udp', rcode: 'NOERROR', answers, answer_rrs: 25, authority_rrs: 0, additional_rrs: 0 } }));
    expect(text).toContain('  answer: a.test. 30 IN A 10.0.0.1\n  answer: a.test. 30 IN A 10.0.0.2\n  … 23 more answers');
  });

  it("never sends a server's control characters to the terminal", () => {
    const hostile = formatWaterfall(result({ module: 'dns', grpc: undefined, dns: { transport: 'udp', rcode: 'NOERROR', answers: ['\u001b[2Jx.test.\t30\tIN\tCNAME\ty\u0007.test.'], answer_rrs: 1, authority_rrs: 0, additional_rrs: 0 } }));
    expect(hostile).toContain('answer: \\027[2Jx.test. 30 IN CNAME y\\007.test.');
    expect(hostile).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });
});

describe('plural', () => {
  it('says 1 group, 2 groups, 0 groups', () => {
    expect([plural(1, 'group'), plural(2, 'group'), plural(0, 'group'), plural(1, 'rule group'), plural(3, 'query', 'queries')]).toEqual(['1 group', '2 groups', '0 groups', '1 rule group', '3 queries']);
  });
});
