import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, postgresModuleSchema } from '../../shared/config/index.js';
import { probePostgres } from '../../shared/probing/postgres/probe.js';
import type { ProbeResult } from '../../shared/probing/types.js';
import { TestCa, type IssuedCert } from '../support/certs.js';
import { freePort } from '../support/ports.js';
import { startPostgres, type PostgresRig } from '../support/postgres.js';

let plain: PostgresRig;
let secure: PostgresRig;
let ca: TestCa;
let leaf: IssuedCert;
let secrets: ReturnType<typeof createSecretResolver>;
const WRONG_PASSWORD = 'wrong-password-7f3a91';

beforeAll(async () => {
  ca = await TestCa.create();
  leaf = await ca.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  [plain, secure] = await Promise.all([startPostgres(), startPostgres({ ssl: { certPem: leaf.certPem, keyPem: leaf.keyPem } })]);
  await plain.query('CREATE TABLE pending_orders (id serial PRIMARY KEY, item text); INSERT INTO pending_orders (item) VALUES (\'a\'), (\'b\'), (\'c\')');
  secrets = createSecretResolver({
    env: { PLAIN_PASSWORD: plain.password, SECURE_PASSWORD: secure.password, WRONG_PASSWORD },
  });
});

afterAll(async () => {
  await Promise.all([plain?.stop(), secure?.stop()]);
});

function plainModule(extra: Record<string, unknown> = {}) {
  return { host: '127.0.0.1', port: plain.port, user: plain.user, database: plain.database, password_from: 'env:PLAIN_PASSWORD', ...extra };
}

function secureModule(extra: Record<string, unknown> = {}) {
  return { host: 'localhost', port: secure.port, user: secure.user, database: secure.database, password_from: 'env:SECURE_PASSWORD', ...extra };
}

/** Probes and checks, for every probe of this file, that no password ends up in the result. */
async function probe(module: Record<string, unknown>, timeoutMs = 5000): Promise<ProbeResult> {
  const result = await probePostgres('db', postgresModuleSchema.parse(module), { timeoutMs, secrets, debug: true });
  const text = JSON.stringify(result);
  for (const password of [plain.password, secure.password, WRONG_PASSWORD]) expect(text).not.toContain(password);
  return result;
}

function sample(result: ProbeResult, name: string, labels?: Record<string, string>): number | undefined {
  return result.samples.find(
    (s) => s.name === name && (!labels || Object.entries(labels).every(([k, v]) => s.labels[k] === v)),
  )?.value;
}

describe('probePostgres: queries and assertions', () => {
  it('succeeds with SELECT 1 and reports phases, server version and the value', async () => {
    const result = await probe(plainModule());
    expect(result.message).toBeUndefined();
    expect(result.success).toBe(true);
    expect(result.module).toBe('postgres');
    expect(result.instance).toBe(`127.0.0.1:${plain.port}/${plain.database}`);
    expect(result.postgres?.value).toBe('1');
    expect(result.postgres?.server_version).toMatch(/^\d+\.\d+$/);
    expect(sample(result, 'probe_postgres_info', { server_version: result.postgres?.server_version ?? '' })).toBe(1);
    for (const phase of ['resolve', 'connect', 'query']) {
      expect(sample(result, 'probe_postgres_duration_seconds', { phase })).toBeGreaterThanOrEqual(0);
    }
    expect(result.phases.map((p) => p.phase)).toEqual(['resolve', 'connect', 'query']);
    expect(sample(result, 'probe_postgres_ssl')).toBe(0);
    expect(result.instance).not.toContain(plain.user);
  });

  it('checks min and max on a count', async () => {
    const query = 'SELECT count(*) FROM pending_orders';
    const within = await probe(plainModule({ query, min: 1, max: 5 }));
    expect(within.reason).toBeNull();
    expect(within.postgres?.value).toBe('3');

    const tooFew = await probe(plainModule({ query, min: 5 }));
    expect(tooFew.reason).toBe('assertion');
    expect(tooFew.message).toMatch(/below min 5/);

    const tooMany = await probe(plainModule({ query, max: 2 }));
    expect(tooMany.reason).toBe('assertion');
    expect(tooMany.message).toMatch(/above max 2/);
  });

  it('fails min/max on a non-numeric value with a clear message', async () => {
    const result = await probe(plainModule({ query: "SELECT 'abc'", min: 0 }));
    expect(result.reason).toBe('assertion');
    expect(result.message).toMatch(/not a number/);
  });

  it('compares expect_value as text', async () => {
    const ok = await probe(plainModule({ query: "SELECT item FROM pending_orders ORDER BY id LIMIT 1", expect_value: 'a' }));
    expect(ok.reason).toBeNull();
    const mismatch = await probe(plainModule({ query: 'SELECT true', expect_value: 'false' }));
    expect(mismatch.success).toBe(false);
    expect(mismatch.reason).toBe('assertion');
    expect(mismatch.message).toBe('query returned "true", expected "false"');
    expect(mismatch.postgres?.value).toBe('true');
  });

  it('fails assertions on an empty result', async () => {
    const result = await probe(plainModule({ query: 'SELECT id FROM pending_orders WHERE false', expect_value: '1' }));
    expect(result.reason).toBe('assertion');
    expect(result.message).toMatch(/no rows/);
  });

  it('reports a bad query as query', async () => {
    const syntax = await probe(plainModule({ query: 'SELEC 1' }));
    expect(syntax.reason).toBe('query');
    expect(syntax.message).toMatch(/42601/);
    const table = await probe(plainModule({ query: 'SELECT * FROM no_such_table' }));
    expect(table.reason).toBe('query');
    expect(table.message).toMatch(/42P01/);
    expect(sample(table, 'probe_failure_info', { reason: 'query' })).toBe(1);
  });

  it('ends a slow query at the timeout', async () => {
    const result = await probe(plainModule({ query: 'SELECT pg_sleep(30)' }), 1000);
    expect(result.success).toBe(false);
    expect(result.reason).toBe('timeout');
    expect(result.phases.map((p) => p.phase)).toEqual(['resolve', 'connect', 'query']);
  });
});

describe('probePostgres: connection and authentication failures', () => {
  it('reports a wrong password as auth without the password', async () => {
    const result = await probe(plainModule({ password_from: 'env:WRONG_PASSWORD' }));
    expect(result.success).toBe(false);
    expect(result.reason).toBe('auth');
    expect(result.message).toMatch(/password authentication failed/);
  });

  it('reports an unknown role as auth', async () => {
    const result = await probe(plainModule({ user: 'nobody_here' }));
    expect(result.reason).toBe('auth');
  });

  it('reports an unknown database as auth, naming the database', async () => {
    const result = await probe(plainModule({ database: 'no_such_db' }));
    expect(result.reason).toBe('auth');
    expect(result.message).toMatch(/database "no_such_db" does not exist/);
    expect(result.instance).toBe(`127.0.0.1:${plain.port}/no_such_db`);
  });

  it('reports a missing secret as secret, naming only the reference', async () => {
    const result = await probe(plainModule({ password_from: 'env:NOT_SET_ANYWHERE' }));
    expect(result.reason).toBe('secret');
    expect(result.message).toContain('env:NOT_SET_ANYWHERE');
    expect(sample(result, 'probe_postgres_ssl')).toBeUndefined();
  });

  it('reports a server that is down as refused', async () => {
    const port = await freePort();
    const result = await probe(plainModule({ port }));
    expect(result.success).toBe(false);
    expect(result.reason).toBe('refused');
    expect(sample(result, 'probe_postgres_ssl')).toBeUndefined();
  });
});

describe('probePostgres: sslmode', () => {
  it('require: uses TLS without verification and reports the certificate', async () => {
    const result = await probe(secureModule({ sslmode: 'require' }));
    expect(result.message).toBeUndefined();
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_postgres_ssl')).toBe(1);
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(Math.floor(leaf.notAfter.getTime() / 1000));
    expect(result.tls?.version).toMatch(/^TLS 1\.[23]$/);
  });

  it('prefer (the default): uses TLS when the server offers it', async () => {
    const result = await probe(secureModule());
    expect(result.reason).toBeNull();
    expect(sample(result, 'probe_postgres_ssl')).toBe(1);
  });

  it('disable: never uses TLS', async () => {
    const result = await probe(secureModule({ sslmode: 'disable' }));
    expect(result.reason).toBeNull();
    expect(sample(result, 'probe_postgres_ssl')).toBe(0);
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBeUndefined();
  });

  it('verify-full: succeeds with the CA', async () => {
    const result = await probe(secureModule({ sslmode: 'verify-full', tls_config: { ca: ca.certPem } }));
    expect(result.message).toBeUndefined();
    expect(result.success).toBe(true);
    expect(result.tls?.verified).toBe(true);
    expect(sample(result, 'probe_postgres_ssl')).toBe(1);
  });

  it('verify-full: fails with tls_verify without the CA and still reports the expiry', async () => {
    const result = await probe(secureModule({ sslmode: 'verify-full' }));
    expect(result.success).toBe(false);
    expect(result.reason).toBe('tls_verify');
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(Math.floor(leaf.notAfter.getTime() / 1000));
  });

  it('verify-full checks the host name; verify-ca does not', async () => {
    const wrongName = { ca: ca.certPem, server_name: 'db.wrong-name.test' };
    const full = await probe(secureModule({ sslmode: 'verify-full', tls_config: wrongName }));
    expect(full.reason).toBe('tls_verify');
    expect(full.message).toMatch(/not valid for this host name/);
    const chainOnly = await probe(secureModule({ sslmode: 'verify-ca', tls_config: wrongName }));
    expect(chainOnly.message).toBeUndefined();
    expect(chainOnly.success).toBe(true);
  });

  it('verify-ca: fails with tls_verify when the chain does not verify', async () => {
    const other = await TestCa.create('Some Other CA');
    const result = await probe(secureModule({ sslmode: 'verify-ca', tls_config: { ca: other.certPem } }));
    expect(result.reason).toBe('tls_verify');
  });

  it('require: fails with ssl_required against a server without TLS', async () => {
    const result = await probe(plainModule({ sslmode: 'require' }));
    expect(result.success).toBe(false);
    expect(result.reason).toBe('ssl_required');
  });

  it('prefer: falls back to a plain connection against a server without TLS', async () => {
    const result = await probe(plainModule({ sslmode: 'prefer' }));
    expect(result.reason).toBeNull();
    expect(sample(result, 'probe_postgres_ssl')).toBe(0);
    expect(result.tls).toBeUndefined();
  });
});
