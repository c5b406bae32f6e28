import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, createSecureContext, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, tcpModuleSchema } from '../../shared/config/index.js';
import { probeTcp } from '../../shared/probing/tcp/probe.js';
import type { ProbeResult } from '../../shared/probing/types.js';
import { selfSigned, TestCa, type IssuedCert } from '../support/certs.js';
import { freePort } from '../support/ports.js';
import { loadRegexEngine } from '../../shared/regex/index.js';

// Modules and templates are parsed synchronously here; the loaders load the RE2 engine themselves.
beforeAll(() => loadRegexEngine());

const secrets = createSecretResolver({ env: {} });
const servers: Server[] = [];
const sockets = new Set<Socket>();

function track(server: Server): Server {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return server;
}

function listen(server: Server): Promise<number> {
  track(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function probe(module: Record<string, unknown>, timeoutMs = 5000, debug = false): Promise<ProbeResult> {
  return probeTcp('test', tcpModuleSchema.parse(module), { timeoutMs, secrets, debug });
}

function sample(result: ProbeResult, name: string, labels?: Record<string, string>): number | undefined {
  return result.samples.find(
    (s) => s.name === name && (!labels || Object.entries(labels).every(([k, v]) => s.labels[k] === v)),
  )?.value;
}

/** Calls `onLine` for every line the peer sends (without the line ending). */
function onLines(stream: Socket | TLSSocket, onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending = '';
  const listener = (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      onLine(line);
    }
  };
  stream.on('data', listener);
  return listener;
}

let ca: TestCa;
let leaf: IssuedCert;
let selfCert: IssuedCert;

beforeAll(async () => {
  ca = await TestCa.create();
  leaf = await ca.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  selfCert = await selfSigned({ dnsNames: ['localhost'] });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('probeTcp: connecting', () => {
  it('succeeds when the port accepts a connection', async () => {
    const port = await listen(createServer((socket) => socket.end()));
    const result = await probe({ address: `127.0.0.1:${port}` });
    expect(result.reason).toBeNull();
    expect(result.success).toBe(true);
    expect(result.module).toBe('tcp');
    expect(result.instance).toBe(`127.0.0.1:${port}`);
    expect(sample(result, 'probe_success')).toBe(1);
    expect(sample(result, 'probe_ip_protocol')).toBe(4);
    expect(sample(result, 'probe_failed_due_to_regex')).toBe(0);
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBeUndefined();
    expect(result.phases.map((p) => p.phase)).toEqual(['resolve', 'connect']);
    // blackbox has no per-phase metric for tcp.
    expect(result.samples.some((s) => s.name.startsWith('probe_tcp_'))).toBe(false);
  });

  it('reports a refused connection', async () => {
    const port = await freePort();
    const result = await probe({ address: `127.0.0.1:${port}` });
    expect(result.success).toBe(false);
    expect(result.reason).toBe('refused');
    expect(sample(result, 'probe_failure_info', { reason: 'refused' })).toBe(1);
    expect(sample(result, 'probe_failed_due_to_regex')).toBe(0); // blackbox 0.23 reports it on every TCP probe
  });
});

describe('probeTcp: TLS', () => {
  it('verifies a certificate from a private CA and reports its expiry', async () => {
    const port = await listen(createTlsServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end('hello\n')));
    const result = await probe({ address: `localhost:${port}`, tls: true, tls_config: { ca: ca.certPem } });
    expect(result.reason).toBeNull();
    expect(result.success).toBe(true);
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(Math.floor(leaf.notAfter.getTime() / 1000));
    expect(sample(result, 'probe_tls_version_info', { version: 'TLS 1.3' })).toBe(1);
    expect(result.tls?.verified).toBe(true);
    expect(result.phases.map((p) => p.phase)).toEqual(['resolve', 'connect', 'tls']);
  });

  it('fails a self-signed certificate with tls_verify and still reports its expiry', async () => {
    const port = await listen(createTlsServer({ cert: selfCert.certPem, key: selfCert.keyPem }, (socket) => socket.end()));
    const result = await probe({ address: `localhost:${port}`, tls: true });
    expect(result.success).toBe(false);
    expect(result.reason).toBe('tls_verify');
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(Math.floor(selfCert.notAfter.getTime() / 1000));
    expect(result.tls?.verified).toBe(false);
  });

  it('accepts the self-signed certificate with insecure_skip_verify', async () => {
    const port = await listen(createTlsServer({ cert: selfCert.certPem, key: selfCert.keyPem }, (socket) => socket.end()));
    const result = await probe({ address: `localhost:${port}`, tls: true, tls_config: { insecure_skip_verify: true } });
    expect(result.reason).toBeNull();
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(Math.floor(selfCert.notAfter.getTime() / 1000));
  });

  it('fails with tls_handshake when the server does not speak TLS', async () => {
    const port = await listen(createServer((socket) => socket.end('220 plain text here\r\n')));
    const result = await probe({ address: `127.0.0.1:${port}`, tls: true });
    expect(result.success).toBe(false);
    expect(result.reason).toBe('tls_handshake');
  });
});

describe('probeTcp: query_response', () => {
  it('talks SMTP through STARTTLS and reports the certificate', async () => {
    const overTls: string[] = [];
    const context = createSecureContext({ cert: leaf.certPem, key: leaf.keyPem });
    const port = await listen(
      createServer((raw) => {
        raw.write('220 mail.test ESMTP ready\r\n');
        const plain = onLines(raw, (line) => {
          if (/^EHLO /.test(line)) raw.write('250-mail.test\r\n250-SIZE 1000000\r\n250 STARTTLS\r\n');
          else if (line === 'STARTTLS') {
            raw.off('data', plain);
            raw.write('220 ready to start TLS\r\n', () => {
              const secure = new TLSSocket(raw, { isServer: true, secureContext: context });
              secure.on('error', () => undefined);
              onLines(secure, (tlsLine) => {
                overTls.push(tlsLine);
                if (/^EHLO /.test(tlsLine)) secure.write('250-mail.test\r\n250 AUTH PLAIN\r\n');
                else if (tlsLine === 'QUIT') secure.end('221 bye\r\n');
              });
            });
          } else raw.write('502 unknown\r\n');
        });
      }),
    );
    const result = await probe({
      address: `127.0.0.1:${port}`,
      tls_config: { ca: ca.certPem, server_name: 'localhost' },
      query_response: [
        { expect: '^220 ' },
        { send: 'EHLO prober.test' },
        { expect: '^250 STARTTLS' },
        { send: 'STARTTLS' },
        { expect: '^220' },
        { starttls: true },
        { send: 'EHLO prober.test' },
        { expect: '^250 AUTH' },
        { send: 'QUIT' },
        { expect: '^221' },
      ],
    });
    expect(result.message).toBeUndefined();
    expect(result.success).toBe(true);
    expect(overTls).toEqual(['EHLO prober.test', 'QUIT']);
    expect(result.tls?.verified).toBe(true);
    expect(sample(result, 'probe_ssl_earliest_cert_expiry')).toBe(Math.floor(leaf.notAfter.getTime() / 1000));
    expect(sample(result, 'probe_failed_due_to_regex')).toBe(0);
    expect(result.phases.map((p) => p.phase)).toEqual(['resolve', 'connect', 'query_response', 'starttls', 'query_response']);
  });

  it('fails with expect and probe_failed_due_to_regex 1 when the peer closes before a line matches', async () => {
    const port = await listen(createServer((socket) => socket.end('220 wrong banner\r\nstill not it\r\n')));
    const result = await probe({ address: `127.0.0.1:${port}`, query_response: [{ expect: '^SSH-2\\.0-' }] }, 5000, true);
    expect(result.success).toBe(false);
    expect(result.reason).toBe('expect');
    expect(sample(result, 'probe_failed_due_to_regex')).toBe(1);
    expect(result.debug?.body_excerpt).toBe('220 wrong banner\r\nstill not it\r\n');
    expect(result.debug?.log.some((line) => line.includes('"still not it"'))).toBe(true);
  });

  it('fails with timeout (not regex) when a non-matching peer keeps the connection open, as blackbox does', async () => {
    const port = await listen(createServer((socket) => socket.write('220 wrong banner\r\n')));
    const result = await probe({ address: `127.0.0.1:${port}`, query_response: [{ expect: '^SSH-2\\.0-' }] }, 800);
    expect(result.success).toBe(false);
    expect(result.reason).toBe('timeout');
    expect(result.message).toMatch(/waiting for a line matching/);
    expect(sample(result, 'probe_failed_due_to_regex')).toBe(0);
  });

  it('substitutes ${1} and ${name} from the last expect into send and probe_expect_info labels', async () => {
    const received: string[] = [];
    const port = await listen(
      createServer((socket) => {
        socket.write('HELLO v2 token-abc123\r\n');
        onLines(socket, (line) => {
          received.push(line);
          socket.write(line === 'ECHO abc123 v2 $' ? 'OK abc123\r\n' : 'BAD\r\n');
        });
      }),
    );
    const result = await probe({
      address: `127.0.0.1:${port}`,
      query_response: [
        {
          expect: '^HELLO (?P<version>v\\d) token-(\\w+)$',
          send: 'ECHO ${2} ${version} $$',
          labels: [{ name: 'version', value: '${version}' }],
        },
        { expect: '^OK abc123$' },
      ],
    });
    expect(received).toEqual(['ECHO abc123 v2 $']);
    expect(result.reason).toBeNull();
    expect(sample(result, 'probe_expect_info', { version: 'v2' })).toBe(1);
  });

  it('logs a send that carries credentials without them', async () => {
    const received: string[] = [];
    const port = await listen(
      createServer((socket) => {
        socket.write('+OK ready\r\n');
        onLines(socket, (line) => {
          received.push(line);
          socket.end('+OK\r\n');
        });
      }),
    );
    const result = await probe(
      { address: `127.0.0.1:${port}`, query_response: [{ expect: '^\\+OK' }, { send: 'AUTH hunter2-secret' }, { expect: '^\\+OK' }] },
      5000,
      true,
    );
    expect(result.reason).toBeNull();
    expect(received).toEqual(['AUTH hunter2-secret']);
    expect(result.debug?.log.some((line) => line.endsWith('send AUTH <redacted>'))).toBe(true);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('matches expect_bytes and fails with probe_failed_due_to_bytes on different bytes', async () => {
    const port = await listen(createServer((socket) => socket.end(Buffer.from([0x00, 0x01, 0x02, 0x03]))));
    const ok = await probe({ address: `127.0.0.1:${port}`, query_response: [{ expect_bytes: '\u0000\u0001\u0002' }] });
    expect(ok.reason).toBeNull();
    expect(sample(ok, 'probe_failed_due_to_bytes')).toBe(0);
    const bad = await probe({ address: `127.0.0.1:${port}`, query_response: [{ expect_bytes: '\u0000\u0009' }] });
    expect(bad.reason).toBe('expect');
    expect(sample(bad, 'probe_failed_due_to_bytes')).toBe(1);
  });

  it('ends at the timeout and closes the socket when the server never sends its banner', async () => {
    const serverSideClosed: Promise<void>[] = [];
    const port = await listen(
      createServer((socket) => {
        serverSideClosed.push(new Promise((resolve) => socket.on('close', () => resolve())));
      }),
    );
    const result = await probe({ address: `127.0.0.1:${port}`, query_response: [{ expect: '^220 ' }] }, 800);
    expect(result.success).toBe(false);
    expect(result.reason).toBe('timeout');
    expect(sample(result, 'probe_failure_info', { reason: 'timeout' })).toBe(1);
    expect(serverSideClosed).toHaveLength(1);
    // Resolves only because the prober destroyed its end of the connection.
    await serverSideClosed[0];
  });

  it('reports a reset when the peer resets the connection mid-conversation', async () => {
    const port = await listen(createServer((socket) => socket.write('220 hi\r\n', () => socket.resetAndDestroy())));
    const result = await probe({ address: `127.0.0.1:${port}`, query_response: [{ expect: '^220' }, { expect: '^never' }] });
    expect(result.success).toBe(false);
    expect(result.reason).toBe('reset');
  });

  it('reports the run deadline as deadline', async () => {
    const port = await listen(createServer(() => undefined));
    const controller = new AbortController();
    const pending = probeTcp('test', tcpModuleSchema.parse({ address: `127.0.0.1:${port}`, query_response: [{ expect: 'x' }] }), {
      timeoutMs: 10_000,
      secrets,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const result = await pending;
    expect(result.reason).toBe('deadline');
  });
});
