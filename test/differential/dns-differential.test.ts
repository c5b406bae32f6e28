// DNS: the same modules through prometheus-blackbox-exporter and through Periscope, against the same real
// servers on loopback (dnsmasq, and a scripted server for SERVFAIL, truncation, silence and SOA serials).
// The module blocks are blackbox's, pasted unchanged (plus `server`, which blackbox takes as the target).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, parseTarget } from '../../shared/config/index.js';
import { runProbe, type ProbeResult } from '../../shared/probing/index.js';
import { loadRegexEngine } from '../../shared/regex/index.js';
import { metricsFromDebug, rcodeFromDebug, startBlackbox, type BlackboxHandle, type Exposition } from '../support/blackbox.js';
import { TestCa } from '../support/certs.js';
import { startDnsmasq, startScriptedDns, type Answer, type DnsmasqHandle, type ScriptedDnsHandle } from '../support/dns-servers.js';
import { freePort } from '../support/ports.js';

const TIMEOUT = '2s';
const COMPARED = ['probe_success', 'probe_dns_query_succeeded', 'probe_dns_answer_rrs', 'probe_dns_authority_rrs', 'probe_dns_additional_rrs', 'probe_dns_serial'] as const;

let dir: string;
let dnsmasq: DnsmasqHandle;
let scripted: ScriptedDnsHandle & { tlsAddress?: string };
let blackbox: BlackboxHandle;
let closedPort: number;
const modules: Record<string, { prober: 'dns'; timeout: string; dns: Record<string, unknown> }> = {};

const soa = (serial: number): Answer => ({
  name: 'zone.periscope.test',
  type: 'SOA',
  ttl: 3600,
  data: { mname: 'ns1.zone.periscope.test', rname: 'hostmaster.zone.periscope.test', serial, refresh: 7200, retry: 900, expire: 1209600, minimum: 300 },
});
const ns = (n: number): Answer => ({ name: 'zone.periscope.test', type: 'NS', ttl: 3600, data: `ns${n}.zone.periscope.test` });
const glue = (n: number): Answer => ({ name: `ns${n}.zone.periscope.test`, type: 'A', ttl: 3600, data: `127.0.0.${n}` });

function scriptedReplies(question: { name: string; type: string }, _transport: 'udp' | 'tcp', rd: boolean) {
  const name = question.name.toLowerCase();
  if (name === 'servfail.periscope.test') return { rcode: 'SERVFAIL' };
  if (name === 'refused.periscope.test') return { rcode: 'REFUSED' };
  if (name === 'silent.periscope.test') return 'drop' as const;
  if (name === 'norecurse.periscope.test') return rd ? { rcode: 'REFUSED' } : { answers: [{ name, type: 'A', ttl: 60, data: '10.9.9.9' } as Answer] };
  if (name === 'big.periscope.test') {
    // 40 TXT records: far over 512 bytes, so the UDP reply is truncated and only TCP carries it all.
    return { answers: Array.from({ length: 40 }, (_, i): Answer => ({ name, type: 'TXT', ttl: 60, data: `record ${i} ${'x'.repeat(20)}` })) };
  }
  if (name === 'zone.periscope.test' && question.type === 'SOA') return { answers: [soa(2026120201)], authorities: [ns(1), ns(2)], additionals: [glue(1), glue(2)] };
  if (name === 'zone.periscope.test' && question.type === 'NS') return { answers: [ns(1), ns(2)], additionals: [glue(1), glue(2)] };
  if (name.endsWith('zone.periscope.test')) return { rcode: 'NXDOMAIN', authorities: [soa(2026120201)] };
  return { rcode: 'REFUSED' };
}

// parseTarget compiles the modules' RE2 patterns synchronously: the engine must be loaded first.
beforeAll(() => loadRegexEngine());

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'periscope-dns-diff-'));
  const ca = await TestCa.create();
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  const leaf = await ca.issue({ dnsNames: ['localhost', 'dns.periscope.test'], ipAddresses: ['127.0.0.1'] });
  dnsmasq = await startDnsmasq([
    '--address=/ok.periscope.test/10.1.2.3',
    '--host-record=multi.periscope.test,10.1.2.4',
    '--host-record=v6.periscope.test,10.1.2.5,fd00::5',
    '--local=/periscope.test/',
    '--txt-record=txt.periscope.test,"v=spf1 -all"',
    '--mx-host=mail.periscope.test,mx1.periscope.test,10',
    '--cname=alias.periscope.test,multi.periscope.test',
  ]);
  scripted = await startScriptedDns(scriptedReplies, { cert: leaf.certPem, key: leaf.keyPem });
  closedPort = await freePort();

  const d = (keys: Record<string, unknown>) => ({ prober: 'dns' as const, timeout: TIMEOUT, dns: { preferred_ip_protocol: 'ip4', ...keys } });
  Object.assign(modules, {
    a: d({ query_name: 'ok.periscope.test', query_type: 'A' }),
    a_tcp: d({ query_name: 'ok.periscope.test', query_type: 'A', transport_protocol: 'tcp' }),
    any_default_type: d({ query_name: 'ok.periscope.test' }),
    nx: d({ query_name: 'missing.periscope.test', query_type: 'A' }),
    nx_ok: d({ query_name: 'missing.periscope.test', query_type: 'A', valid_rcodes: ['NXDOMAIN'] }),
    a_expect_ip: d({ query_name: 'ok.periscope.test', query_type: 'A', validate_answer_rrs: { fail_if_not_matches_regexp: ['ok\\.periscope\\.test\\.\\t\\d+\\tIN\\tA\\t10\\.1\\.2\\.3'] } }),
    a_forbid_ip: d({ query_name: 'ok.periscope.test', query_type: 'A', validate_answer_rrs: { fail_if_matches_regexp: ['10\\.1\\.2\\.3$'] } }),
    a_none_match: d({ query_name: 'ok.periscope.test', query_type: 'A', validate_answer_rrs: { fail_if_none_matches_regexp: ['10\\.9\\.'] } }),
    a_all_match: d({ query_name: 'ok.periscope.test', query_type: 'A', validate_answer_rrs: { fail_if_all_match_regexp: ['^ok\\.'] } }),
    a_all_match_other: d({ query_name: 'ok.periscope.test', query_type: 'A', validate_answer_rrs: { fail_if_all_match_regexp: ['^other\\.'] } }),
    txt: d({ query_name: 'txt.periscope.test', query_type: 'TXT', validate_answer_rrs: { fail_if_not_matches_regexp: ['"v=spf1 -all"$'] } }),
    mx: d({ query_name: 'mail.periscope.test', query_type: 'MX', validate_answer_rrs: { fail_if_not_matches_regexp: ['MX\\t10 mx1\\.periscope\\.test\\.$'] } }),
    aaaa: d({ query_name: 'v6.periscope.test', query_type: 'AAAA', validate_answer_rrs: { fail_if_not_matches_regexp: ['AAAA\\tfd00::5$'] } }),
    cname: d({ query_name: 'alias.periscope.test', query_type: 'A' }),
    servfail: d({ query_name: 'servfail.periscope.test', query_type: 'A' }),
    servfail_ok: d({ query_name: 'servfail.periscope.test', query_type: 'A', valid_rcodes: ['NOERROR', 'SERVFAIL'] }),
    refused: d({ query_name: 'refused.periscope.test', query_type: 'A' }),
    silent: d({ query_name: 'silent.periscope.test', query_type: 'A' }),
    soa: d({ query_name: 'zone.periscope.test', query_type: 'SOA' }),
    soa_authority: d({ query_name: 'zone.periscope.test', query_type: 'SOA', validate_authority_rrs: { fail_if_not_matches_regexp: ['IN\\tNS\\tns[12]\\.zone\\.periscope\\.test\\.$'] }, validate_additional_rrs: { fail_if_matches_regexp: ['127\\.0\\.0\\.2$'] } }),
    ns: d({ query_name: 'zone.periscope.test', query_type: 'NS' }),
    nx_zone_authority: d({ query_name: 'gone.zone.periscope.test', query_type: 'A', valid_rcodes: ['NXDOMAIN'], validate_authority_rrs: { fail_if_none_matches_regexp: ['SOA\\t.* 2026120201 '] } }),
    norecurse: d({ query_name: 'norecurse.periscope.test', query_type: 'A', recursion_desired: false }),
    recurse: d({ query_name: 'norecurse.periscope.test', query_type: 'A' }),
    big_tcp: d({ query_name: 'big.periscope.test', query_type: 'TXT', transport_protocol: 'tcp' }),
    big_udp: d({ query_name: 'big.periscope.test', query_type: 'TXT', transport_protocol: 'udp' }),
    dot: d({ query_name: 'zone.periscope.test', query_type: 'SOA', transport_protocol: 'tcp', dns_over_tls: true, tls_config: { ca_file: caFile, server_name: 'dns.periscope.test' } }),
    dot_untrusted: d({ query_name: 'zone.periscope.test', query_type: 'SOA', transport_protocol: 'tcp', dns_over_tls: true, tls_config: { server_name: 'dns.periscope.test' } }),
  });
  blackbox = await startBlackbox(stringify({ modules }));
}, 60_000);

afterAll(async () => {
  await blackbox?.stop();
  await dnsmasq?.stop();
  await scripted?.close();
  await rm(dir, { recursive: true, force: true });
});

async function periscope(moduleName: string, server: string): Promise<ProbeResult> {
  const module = modules[moduleName];
  if (!module) throw new Error(`no module ${moduleName}`);
  const spec = parseTarget({ name: moduleName, timeout: module.timeout, dns: { server, ...module.dns } }, `module ${moduleName}`);
  return runProbe(spec, { timeoutMs: 2000, secrets: createSecretResolver() });
}

const single = (exposition: Exposition, name: string) => exposition.get(name)?.[0]?.value;
const ours = (result: ProbeResult, name: string) => result.samples.find((s) => s.name === name)?.value;

type Scenario = [title: string, module: string, server: () => string, blackboxModule?: string];
const scenarios: Scenario[] = [
  ['A record (dnsmasq)', 'a', () => dnsmasq.address],
  ['A record over TCP (dnsmasq)', 'a_tcp', () => dnsmasq.address],
  ['default query type ANY (dnsmasq)', 'any_default_type', () => dnsmasq.address],
  ['NXDOMAIN (dnsmasq)', 'nx', () => dnsmasq.address],
  ['NXDOMAIN accepted by valid_rcodes (dnsmasq)', 'nx_ok', () => dnsmasq.address],
  ['answer matches fail_if_not_matches_regexp', 'a_expect_ip', () => dnsmasq.address],
  ['answer matches fail_if_matches_regexp', 'a_forbid_ip', () => dnsmasq.address],
  ['no answer matches fail_if_none_matches_regexp', 'a_none_match', () => dnsmasq.address],
  ['fail_if_all_match_regexp, every record matches', 'a_all_match', () => dnsmasq.address],
  ['fail_if_all_match_regexp, none matches', 'a_all_match_other', () => dnsmasq.address],
  ['TXT record text (dnsmasq)', 'txt', () => dnsmasq.address],
  ['MX record text (dnsmasq)', 'mx', () => dnsmasq.address],
  ['AAAA record text (dnsmasq)', 'aaaa', () => dnsmasq.address],
  ['CNAME chain (dnsmasq)', 'cname', () => dnsmasq.address],
  ['SERVFAIL', 'servfail', () => scripted.address],
  ['SERVFAIL accepted by valid_rcodes', 'servfail_ok', () => scripted.address],
  ['REFUSED', 'refused', () => scripted.address],
  ['no reply: timeout', 'silent', () => scripted.address],
  ['SOA serial with authority and additional records', 'soa', () => scripted.address],
  ['authority and additional validation', 'soa_authority', () => scripted.address],
  ['NS with glue', 'ns', () => scripted.address],
  ['NXDOMAIN with the zone SOA in authority', 'nx_zone_authority', () => scripted.address],
  ['recursion_desired false', 'norecurse', () => scripted.address],
  ['recursion desired (server refuses)', 'recurse', () => scripted.address],
  ['large reply over TCP', 'big_tcp', () => scripted.address],
  // Periscope asks again over TCP when the UDP reply is truncated; blackbox 0.23 reports the truncated
  // reply, so the reference for this one is blackbox over TCP.
  ['truncated UDP reply: TCP fallback', 'big_udp', () => scripted.address, 'big_tcp'],
  ['DNS over TLS with the CA', 'dot', () => scripted.tlsAddress ?? ''],
  ['DNS over TLS, untrusted certificate', 'dot_untrusted', () => scripted.tlsAddress ?? ''],
  ['closed port', 'a', () => `127.0.0.1:${closedPort}`],
];

describe('DNS: Periscope and blackbox_exporter agree', () => {
  it.each(scenarios)('%s (%s)', async (_title, moduleName, server, blackboxModule) => {
    const [theirsText, mine] = await Promise.all([blackbox.probeDebug(blackboxModule ?? moduleName, server(), { scrapeTimeoutSeconds: 5 }), periscope(moduleName, server())]);
    const theirs = metricsFromDebug(theirsText);
    for (const name of COMPARED) expect({ name, value: ours(mine, name) }).toEqual({ name, value: single(theirs, name) });
    expect(mine.dns?.rcode).toBe(rcodeFromDebug(theirsText));
    expect(mine.success).toBe(single(theirs, 'probe_success') === 1);
    if (!mine.success) expect(mine.reason).not.toBeNull();
  });

  it('covers at least 15 scenarios, failures among them', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(15);
  });
});

describe('DNS prober details', () => {
  it('retries a truncated UDP reply over TCP and says so', async () => {
    const before = scripted.queries.length;
    const result = await periscope('big_udp', scripted.address);
    expect(result.success).toBe(true);
    expect(result.dns).toMatchObject({ transport: 'udp→tcp', answer_rrs: 40 });
    expect(scripted.queries.slice(before)).toEqual(['udp TXT big.periscope.test', 'tcp TXT big.periscope.test']);
  });

  it('names the rule and the record that failed validation', async () => {
    const result = await periscope('a_forbid_ip', dnsmasq.address);
    expect(result.reason).toBe('dns_records');
    expect(result.message).toContain('answer records');
    expect(result.message).toContain('ok.periscope.test. 0 IN A 10.1.2.3');
  });

  it('times out at the probe timeout with reason timeout', async () => {
    const result = await periscope('silent', scripted.address);
    expect(result.reason).toBe('timeout');
    expect(ours(result, 'probe_dns_query_succeeded')).toBe(0);
  });

  it('writes the certificate samples for DNS over TLS', async () => {
    const result = await periscope('dot', scripted.tlsAddress ?? '');
    expect(result.success).toBe(true);
    expect(result.tls?.verified).toBe(true);
    expect(ours(result, 'probe_ssl_earliest_cert_expiry')).toBeGreaterThan(Date.now() / 1000);
    expect(ours(result, 'probe_dns_serial')).toBe(2026120201);
  });
});
