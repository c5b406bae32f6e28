// periscope import: Prometheus' relabelling semantics, the mapping of the fixture setups, located messages
// for unsupported input, secrets never copied. The command as a user runs it is
// test/integration/import-command.test.ts.
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTargetsFile } from '../../shared/config/index.js';
import { importSetup, SourceFile, type ImportResult } from '../../shared/import/index.js';
import { readImportSources, rulePathFrom } from '../../shared/import/read-sources.js';
import { parseRelabelRule, relabel } from '../../shared/import/relabel.js';
import { compileRe2, expandTemplate, loadRegexEngine, type Re2Match } from '../../shared/regex/index.js';

const COMPOSE = 'test/fixtures/import/compose';
const ECS = 'test/fixtures/import/ecs';
const PLATFORM = 'test/fixtures/import/platform';

function labels(obj: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(obj));
}

function rules(...raw: unknown[]) {
  return raw.map(parseRelabelRule);
}

describe('relabelling as Prometheus does it', () => {
  beforeAll(async () => {
    await loadRegexEngine();
  });

  it('anchors the regex: a partial match does not replace', () => {
    const out = relabel(labels({ a: 'foobar' }), rules({ source_labels: ['a'], regex: 'foo', target_label: 'b', replacement: 'x' }));
    expect(out?.get('b')).toBeUndefined();
    const full = relabel(labels({ a: 'foobar' }), rules({ source_labels: ['a'], regex: 'foo.*', target_label: 'b', replacement: 'x' }));
    expect(full?.get('b')).toBe('x');
  });

  it('joins source labels with the separator (default ";") and expands $1, ${2} and named groups', () => {
    const out = relabel(
      labels({ a: 'one', b: 'two' }),
      rules(
        { source_labels: ['a', 'b'], regex: '(.*);(.*)', target_label: 'joined', replacement: '${2}-$1' },
        { source_labels: ['a', 'b'], separator: '|', regex: '(?P<first>[a-z]+)\\|.*', target_label: 'named', replacement: '${first}!' },
        { source_labels: ['a'], target_label: 'copy' },
      ),
    );
    expect(out?.get('joined')).toBe('two-one');
    expect(out?.get('named')).toBe('one!');
    expect(out?.get('copy')).toBe('one');
  });

  it("expands like Go's Regexp.Expand: $$ is a dollar, $1x names group 1x (empty), a missing group is empty", () => {
    const match = compileRe2('(a)(b)?').exec('a') as Re2Match;
    expect(expandTemplate('$$1', match)).toBe('$1');
    expect(expandTemplate('$1x', match)).toBe('');
    expect(expandTemplate('${1}x', match)).toBe('ax');
    expect(expandTemplate('$2|$9', match)).toBe('|');
    expect(expandTemplate('$ {1}', match)).toBe('$ {1}');
  });

  it('an empty result deletes the target label; a target label template is expanded', () => {
    const out = relabel(
      labels({ a: 'x', gone: 'y', name: 'env' }),
      rules(
        { source_labels: ['a'], regex: 'x', target_label: 'gone', replacement: '' },
        { source_labels: ['name'], regex: '(.*)', target_label: 'label_$1', replacement: 'prod' },
      ),
    );
    expect(out?.has('gone')).toBe(false);
    expect(out?.get('label_env')).toBe('prod');
  });

  it('keep, drop, labelmap, labeldrop, lowercase and hashmod', () => {
    expect(relabel(labels({ a: 'x' }), rules({ source_labels: ['a'], regex: 'y', action: 'keep' }))).toBeUndefined();
    expect(relabel(labels({ a: 'x' }), rules({ source_labels: ['a'], regex: 'x', action: 'drop' }))).toBeUndefined();
    const out = relabel(
      labels({ __tag_service: 'orders', __tag_team: 'a', keep_me: 'K', c: 'baz' }),
      rules(
        { regex: '__tag_(.+)', action: 'labelmap' },
        { regex: 'keep_.*', action: 'labeldrop' },
        { source_labels: ['c'], target_label: 'upper', action: 'uppercase' },
        // Prometheus' own relabel test: hashmod of "baz" modulo 1000 is 976.
        { source_labels: ['c'], target_label: 'd', action: 'hashmod', modulus: 1000 },
      ),
    );
    expect(Object.fromEntries(out ?? [])).toEqual({ __tag_service: 'orders', __tag_team: 'a', service: 'orders', team: 'a', c: 'baz', upper: 'BAZ', d: '976' });
  });

  it('rejects what Prometheus rejects, with the reason', () => {
    expect(() => parseRelabelRule({ action: 'replace', source_labels: ['a'] })).toThrow(/relabel configuration for replace action requires 'target_label' value/);
    expect(() => parseRelabelRule({ action: 'rewrite' })).toThrow(/unknown relabel action "rewrite"/);
    expect(() => parseRelabelRule({ regex: '(' })).toThrow(/^regex "\(": missing closing \)/);
  });
});

describe('importing the fixture setups', () => {
  let compose: ImportResult;
  let ecs: ImportResult;

  beforeAll(async () => {
    const sources = await readImportSources({ blackbox: `${COMPOSE}/blackbox.yml`, prometheus: `${COMPOSE}/prometheus.yml`, alertmanager: `${COMPOSE}/alertmanager.yml` });
    compose = await importSetup(sources, { stage: 'compose', rulePath: rulePathFrom(`${COMPOSE}/prometheus.yml`, 'targets/compose.yml'), outputName: 'targets/compose.yml' });
    const ecsSources = await readImportSources({ blackbox: `${ECS}/blackbox.yml`, prometheus: `${ECS}/prometheus.yml` });
    ecs = await importSetup(ecsSources, { rulePath: (p) => p, outputName: 'targets/ecs.yml' });
  });

  it('turns every /probe job into a group with the labels Prometheus gives each target', () => {
    const file = parseTargetsFile(compose.yaml, 'targets/compose.yml');
    expect(file.labels).toEqual({ monitor: 'compose-stack' });
    // scrape_interval 30s, for a stage: a Lambda schedule runs at most once a minute (the local run keeps 30s).
    expect(file.groups.map((g) => [g.name, g.interval, g.targets.length])).toEqual([
      ['blackbox-http', 60_000, 3],
      ['blackbox-mixed', 60_000, 4],
      ['blackbox-tcp', 60_000, 2],
    ]);
    const mixed = file.groups[1]?.targets ?? [];
    expect(mixed.map((t) => [t.http?.url, t.http?.method, t.labels])).toEqual([
      ['http://web.example/missing', 'GET', { env: 'prod', host: 'web.example' }],
      ['http://api.example/ping', 'POST', { env: 'prod', host: 'api.example' }],
      ['http://api.example/status', 'GET', { env: 'prod', host: 'api.example' }],
      ['http://admin.example/', 'GET', { env: 'prod', host: 'admin.example' }],
    ]);
    expect(mixed[0]?.http?.valid_status_codes).toEqual([404]);
    // A target written without a scheme: blackbox probes http://…, Prometheus' instance is the text as written.
    const bare = file.groups[0]?.targets[2];
    expect([bare?.http?.url, bare?.instance]).toEqual(['http://api.example/healthz', 'api.example/healthz']);
    // The module's 5s is shorter than the 10s scrape timeout less blackbox's 0.5s offset.
    expect(file.groups[2]?.targets.map((t) => [t.tcp?.address, t.timeout])).toEqual([
      ['db.example:5432', 5000],
      ['closed.example:9', 5000],
    ]);
    expect(file.rule_files).toEqual(['../test/fixtures/import/compose/rules/*.yml']);
    expect(file.alerting).toEqual({ evaluation_interval: '1m', repeat_interval: '3h' });  // 30s in prometheus.yml: a minute for a stage
  });

  it('reads file_sd files (JSON and YAML) and applies labelmap, drop and labeldrop', () => {
    const file = parseTargetsFile(ecs.yaml, 'targets/ecs.yml');
    const [http, databases] = file.groups;
    expect(http?.targets.map((t) => [t.http?.url, t.labels, t.timeout])).toEqual([
      ['http://orders.example/healthz', { env: 'production', owner: 'team-orders', service: 'orders' }, 4000],
      ['http://orders.example/ready', { env: 'production', owner: 'team-orders', service: 'orders' }, 4000],
      ['http://payments.example/health', { env: 'production', service: 'payments' }, 4000],
    ]);
    expect(databases?.targets.map((t) => [t.tcp?.address, t.labels])).toEqual([
      ['orders-db.example:5432', { db_engine: 'postgres', engine_version: '15.10', primary: 'yes', service: 'orders' }],
      ['payments-db.example:5432', { db_engine: 'postgres', service: 'payments' }],
    ]);
    expect(ecs.params).toEqual({ vmWriteUrl: 'http://victoria.example:8428', vmWriteUsername: 'prometheus-orders-prod', vmWritePasswordFrom: 'env:VM_PASSWORD' });
  });

  it('reports what it left out and approximated, each with file:line', () => {
    const leftOut = compose.report.items.filter((i) => i.kind === 'left_out').map((i) => `${i.where} ${i.message}`);
    expect(leftOut).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^test\/fixtures\/import\/compose\/blackbox.yml:49 module icmp: prober "icmp" has no Periscope equivalent/),
        expect.stringMatching(/^test\/fixtures\/import\/compose\/alertmanager.yml:15 the routing tree/),
        expect.stringMatching(/^test\/fixtures\/import\/compose\/alertmanager.yml:31 inhibit_rules/),
        expect.stringMatching(/^test\/fixtures\/import\/compose\/alertmanager.yml:28 receiver oncall: pagerduty_configs/),
      ]),
    );
    const ecsLeftOut = ecs.report.items.filter((i) => i.kind === 'left_out').map((i) => `${i.where} ${i.message}`);
    expect(ecsLeftOut).toContain('test/fixtures/import/ecs/blackbox.yml:15 module tcp_connect: tcp.source_ip_address is not supported by Periscope');
  });

  it('never copies a secret: references with a note on where the value goes', () => {
    for (const literal of ['compose-admin-password', 'smtp-password-literal', 'another-smtp-password', 'pagerduty-key-literal', 'XXXXXXXX']) {
      expect(compose.yaml).not.toContain(literal);
      expect(JSON.stringify(compose.params)).not.toContain(literal);
      expect(JSON.stringify(compose.report)).not.toContain(literal);
    }
    expect(JSON.stringify(ecs)).not.toContain('remote-write-password-literal');
    const target = parse(compose.yaml).groups[1].targets[3];
    expect(target.http.basic_auth).toEqual({ username: 'monitor', password_from: 'ssm:/periscope/compose/http-admin-auth-basic-auth-password' });
    expect(compose.params).toEqual({ slackWebhookFrom: 'ssm:/periscope/compose/slack-webhook', notifySlack: true, alertEmails: ['oncall@example.com'] });
    expect(compose.report.secrets.map((s) => s.ref)).toEqual(['ssm:/periscope/compose/http-admin-auth-basic-auth-password', 'ssm:/periscope/compose/slack-webhook']);
  });

  it('names the file and line of a relabel rule Prometheus would refuse, and imports the other jobs', async () => {
    const prometheus = SourceFile.parse(
      'prom.yml',
      [
        'scrape_configs:',
        '  - job_name: broken',
        '    metrics_path: /probe',
        '    params: { module: [http_2xx] }',
        '    static_configs: [{ targets: [a.example] }]',
        '    relabel_configs:',
        '      - source_labels: [__address__]',
        '        action: rewrite',
        '  - job_name: fine',
        '    metrics_path: /probe',
        '    params: { module: [http_2xx] }',
        '    static_configs: [{ targets: [b.example] }]',
        '    relabel_configs:',
        '      - { source_labels: [__address__], target_label: __param_target }',
      ].join('\n'),
    );
    const blackbox = SourceFile.parse('bb.yml', 'modules:\n  http_2xx:\n    prober: http\n    http:\n      proxy_url: http://proxy.invalid:3128\n');
    const result = await importSetup({ prometheus, blackbox, fileSd: new Map() }, { rulePath: (p) => p, outputName: 'out.yml' });
    const leftOut = result.report.items.filter((i) => i.kind === 'left_out').map((i) => `${i.where} ${i.message}`);
    expect(leftOut).toEqual(['bb.yml:5 module http_2xx: http.proxy_url is not supported by Periscope']);
    const refused = result.report.items.filter((i) => i.kind === 'refused').map((i) => `${i.where} ${i.message}`);
    expect(refused).toEqual(['prom.yml:7 scrape job broken not imported: Prometheus refuses relabel_configs[0]: unknown relabel action "rewrite"']);
    // No instance relabel: Prometheus' instance is the exporter's address with the default port.
    expect(parse(result.yaml).groups[0].targets[0]).toMatchObject({ name: 'b.example', instance: 'b.example:80', http: { url: 'http://b.example', preferred_ip_protocol: 'ip6' } });
  });
});

describe('imported timeouts', () => {
  it('keep their milliseconds: the scrape timeout less 0.5 s, or the module timeout, as blackbox computes it', async () => {
    const job = (name: string, module: string, timing: string) =>
      [`  - job_name: ${name}`, '    metrics_path: /probe', `    params: { module: [${module}] }`, timing, '    static_configs: [{ targets: ["http://a.example/"] }]', '    relabel_configs:', '      - { source_labels: [__address__], target_label: __param_target }'].filter(Boolean).join('\n');
    const prometheus = SourceFile.parse(
      'prom.yml',
      ['scrape_configs:', job('default', 'plain', ''), job('short-interval', 'plain', '    scrape_interval: 5s'), job('ms', 'plain', '    scrape_timeout: 1500ms'), job('module-timeout', 'fast', '')].join('\n'),
    );
    const blackbox = SourceFile.parse('bb.yml', 'modules:\n  plain:\n    prober: http\n  fast:\n    prober: http\n    timeout: 1.5s\n');
    const result = await importSetup({ prometheus, blackbox, fileSd: new Map() }, { rulePath: (p) => p, outputName: 'out.yml' });
    const file = parseTargetsFile(result.yaml, 'out.yml');
    // Prometheus: timeout 10s; min(10s, interval 5s); 1500ms as written. blackbox: less 0.5 s, or the module's 1.5 s.
    expect(file.groups.map((g) => [g.name, g.targets[0]?.timeout])).toEqual([
      ['default', 9_500],
      ['short-interval', 4_500],
      ['ms', 1_000],
      ['module-timeout', 1_500],
    ]);
    expect(result.yaml).toContain('timeout: 9.5s');
    expect(result.yaml).toContain('timeout: 1.5s');
  });
});

describe('importing DNS and gRPC modules', () => {
  let platform: ImportResult;

  /** Imports one job probing `targets` with `module` (a blackbox.yml module body, YAML). */
  async function importOne(prober: string, module: string, targets: string[]): Promise<ImportResult> {
    const prometheus = SourceFile.parse(
      'prom.yml',
      [
        'scrape_configs:',
        '  - job_name: checks',
        '    metrics_path: /probe',
        '    params: { module: [m] }',
        `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
        '    relabel_configs:',
        '      - { source_labels: [__address__], target_label: __param_target }',
        '      - { source_labels: [__param_target], target_label: instance }',
      ].join('\n'),
    );
    const blackbox = SourceFile.parse('bb.yml', `modules:\n  m:\n    prober: ${prober}\n    ${prober}:\n${module.replace(/^/gm, '      ')}\n`);
    return importSetup({ prometheus, blackbox, fileSd: new Map() }, { stage: 'prod', rulePath: (p) => p, outputName: 'out.yml' });
  }

  const leftOut = (result: ImportResult) => result.report.items.filter((i) => i.kind === 'left_out').map((i) => `${i.where} ${i.message}`);
  const refused = (result: ImportResult) => result.report.items.filter((i) => i.kind === 'refused').map((i) => `${i.where} ${i.message}`);
  const targetsOf = (result: ImportResult) => (parse(result.yaml) as { groups?: Array<{ targets: Array<Record<string, unknown>> }> }).groups?.[0]?.targets ?? [];

  beforeAll(async () => {
    const sources = await readImportSources({ blackbox: `${PLATFORM}/blackbox.yml`, prometheus: `${PLATFORM}/prometheus.yml` });
    platform = await importSetup(sources, { stage: 'platform', rulePath: (p) => p, outputName: 'targets/platform.yml' });
  });

  it('maps every key of the dns modules; the scrape target is the server, in each form it was written', () => {
    const file = parseTargetsFile(platform.yaml, 'targets/platform.yml');
    expect(file.groups.map((g) => [g.name, g.targets.length])).toEqual([['dns-resolver', 1], ['dns-zone', 5], ['grpc-health', 3], ['grpc-services', 3]]);
    const zone = file.groups[1]?.targets ?? [];
    expect(zone.map((t) => [t.dns?.server, t.dns?.query_name, t.dns?.query_type, t.labels.check])).toEqual([
      ['ns1.example:53', 'svc.internal', 'SOA', 'soa'],
      ['ns2.example:53', 'svc.internal', 'SOA', 'soa'],
      ['ns1.example:853', 'svc.internal', 'SOA', 'soa-over-tls'],
      ['resolver.example', 'gone.svc.internal', 'A', 'nxdomain'],
      ['resolver.example:53', 'orders.svc.internal', 'A', 'a-over-tcp'],
    ]);
    expect(zone[0]?.dns).toMatchObject({
      recursion_desired: false,
      validate_authority_rrs: { fail_if_not_matches_regexp: ['IN\\tNS\\tns[12]\\.svc\\.internal\\.$'] },
      validate_additional_rrs: { fail_if_matches_regexp: ['\\t0\\.0\\.0\\.0$'] },
    });
    expect(zone[2]?.dns).toMatchObject({ dns_over_tls: true, transport_protocol: 'tcp', tls_config: { ca_file: '/etc/blackbox/internal-ca.pem', server_name: 'ns1.svc.internal' } });
    expect(zone[3]?.dns?.valid_rcodes).toEqual(['NXDOMAIN']);
    expect(zone[4]?.dns).toMatchObject({ transport_protocol: 'tcp', ip_protocol_fallback: false, source_ip_address: '127.0.0.1' });
    // Prometheus' instance is the target as written, which is what Periscope writes for a DNS server.
    expect(zone.every((t) => t.instance === undefined)).toBe(true);
    expect(file.groups[0]?.targets[0]?.dns?.validate_answer_rrs.fail_if_not_matches_regexp).toEqual(['orders\\.svc\\.internal\\.\\t\\d+\\tIN\\tA\\t10\\.1\\.']);
  });

  it('maps the grpc modules: host:port as the address, an http:// prefix dropped as blackbox drops it, instance kept', () => {
    const file = parseTargetsFile(platform.yaml, 'targets/platform.yml');
    const [health, services] = [file.groups[2]?.targets ?? [], file.groups[3]?.targets ?? []];
    expect(health.map((t) => [t.grpc?.address, t.instance, t.labels.service, t.grpc?.preferred_ip_protocol])).toEqual([
      ['orders-grpc.example:50051', undefined, 'orders', 'ip6'],
      ['billing-grpc.example:50051', 'http://billing-grpc.example:50051', 'billing', 'ip6'],
      ['down-grpc.example:50051', undefined, 'down', 'ip6'],
    ]);
    expect(services.map((t) => [t.grpc?.address, t.grpc?.service, t.grpc?.tls, t.labels.check])).toEqual([
      ['orders-grpc.example:50051', 'orders.v1.Orders', false, 'grpc_orders'],
      ['billing-grpc.example:50051', 'billing.v1.Billing', false, 'grpc_billing'],
      ['secure-grpc.example:50443', '', true, 'grpc_tls'],
    ]);
    expect(services[2]?.grpc?.tls_config).toMatchObject({ ca_file: '/etc/blackbox/internal-ca.pem' });
    expect(leftOut(platform)).toEqual([]);
    // blackbox 0.23 judges a truncated UDP reply; Periscope asks again over TCP: said once per UDP module.
    expect(platform.report.items.filter((i) => /truncated UDP reply/.test(i.message)).map((i) => i.where)).toEqual([
      'test/fixtures/import/platform/blackbox.yml:8',
      'test/fixtures/import/platform/blackbox.yml:37',
      'test/fixtures/import/platform/blackbox.yml:28',
    ]);
  });

  it('takes a DNS server as host, host:port, [v6]:port or bare IPv6; a scheme is left out, located', async () => {
    const result = await importOne('dns', 'query_name: example.internal\nquery_type: A', ['10.0.0.2', '10.0.0.2:5353', '[fd00::53]:53', 'fd00::53', 'tcp://10.0.0.2']);
    expect(targetsOf(result).map((t) => [(t.dns as { server: string }).server, t.instance])).toEqual([
      ['10.0.0.2', undefined],
      ['10.0.0.2:5353', undefined],
      ['[fd00::53]:53', undefined],
      ['fd00::53', undefined],
    ]);
    expect(leftOut(result)).toEqual([
      'prom.yml:5 target tcp://10.0.0.2: "tcp://10.0.0.2" is not a DNS server address (host, host:port or [v6]:port): blackbox_exporter takes no scheme for a DNS server either (its probe of this fails); set transport_protocol in the module',
    ]);
  });

  it('takes a gRPC target as host:port or host, with or without http(s)://; a URL with a password is left out unseen', async () => {
    const result = await importOne('grpc', 'service: orders.v1.Orders', ['orders.internal:50051', 'https://orders.internal:8443/ignored', 'orders.internal', 'http://probe:hunter2-literal@orders.internal:50051']);
    expect(targetsOf(result).map((t) => [(t.grpc as { address: string }).address, t.instance])).toEqual([
      ['orders.internal:50051', undefined],
      ['orders.internal:8443', 'https://orders.internal:8443/ignored'],
      ['orders.internal', undefined], // port 80 (443 with tls), as blackbox
    ]);
    expect(leftOut(result)).toEqual([
      "prom.yml:5 target http://***@orders.internal:50051: the target carries a password, which blackbox ignores; use the module's metadata_from for credentials",
    ]);
    expect(JSON.stringify(result)).not.toContain('hunter2-literal');
  });

  it('gRPC metadata, which blackbox 0.23 does not have: the module is refused, no literal copied', async () => {
    const result = await importOne('grpc', "metadata:\n  authorization: ['Bearer grpc-token-literal']\n  x-team: [orders]\npreferred_ip_protocol: ipv4", ['orders.internal:50051']);
    expect(targetsOf(result)).toEqual([]);
    expect(refused(result)).toEqual(['bb.yml:5 module m: blackbox_exporter refuses it: field metadata not found in type config.plain']);
    expect(JSON.stringify(result)).not.toContain('grpc-token-literal');
  });

  it('a preferred_ip_protocol other than ip4/ip6 is read as blackbox reads it', async () => {
    const result = await importOne('grpc', 'preferred_ip_protocol: ipv4', ['orders.internal:50051']);
    expect(targetsOf(result)[0]?.grpc).toEqual({ address: 'orders.internal:50051', preferred_ip_protocol: 'ip4' });
    expect(result.report.items).toContainEqual({ kind: 'mapped', where: 'bb.yml:5', message: 'module m: preferred_ip_protocol "ipv4" → ip4, as blackbox reads it' });
  });

  it('HTTP headers: a Bearer Authorization becomes bearer_token_from, another credential header is left out, never copied', async () => {
    const result = await importOne('http', "headers:\n  Authorization: 'Bearer http-token-literal'\n  X-Api-Key: api-key-literal\n  Accept: application/json", ['http://api.internal/health']);
    expect(targetsOf(result)[0]?.http).toMatchObject({ headers: { Accept: 'application/json' }, bearer_token_from: 'ssm:/periscope/prod/m-bearer-token' });
    expect(leftOut(result)).toEqual(['bb.yml:7 module m: http.headers.X-Api-Key carries a credential and is not copied (use basic_auth.password_from or bearer_token_from)']);
    for (const literal of ['http-token-literal', 'api-key-literal']) expect(JSON.stringify(result)).not.toContain(literal);
  });

  it('reports an option blackbox refuses or Periscope lacks by name and line, and leaves the module out', async () => {
    const typo = await importOne('grpc', 'servise: orders.v1.Orders', ['orders.internal:50051']);
    expect(refused(typo)).toEqual(['bb.yml:5 module m: blackbox_exporter refuses it: field servise not found in type config.plain']);
    expect(targetsOf(typo)).toHaveLength(0);
    // HTTPS records exist in blackbox's DNS library, not in Periscope's: the module and its targets are left out.
    const https = await importOne('dns', 'query_name: example.internal\nquery_type: HTTPS\nvalidate_answer_rrs:\n  fail_if_none_matches_regexp: [x]', ['10.0.0.2']);
    expect(leftOut(https)).toEqual([
      expect.stringMatching(/^bb\.yml:6 module m: dns\.query_type: "HTTPS" is not a DNS query type \(use one of A, AAAA, .*\); the module's targets are not imported$/),
      'prom.yml:2 scrape job checks: no target could be imported',
    ]);
    const dot = await importOne('dns', 'query_name: example.internal\ndns_over_tls: true', ['10.0.0.2']);
    expect(dot.report.items).toContainEqual({
      kind: 'approximated',
      where: 'bb.yml:4',
      message: 'module m: dns_over_tls without transport_protocol: tcp fails every probe in blackbox 0.23; Periscope uses TCP',
    });
  });
});
