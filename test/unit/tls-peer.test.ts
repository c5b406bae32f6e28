// The cheap way of reading a peer's chain (tls-peer.ts) against Node's own getPeerCertificate(true), on real
// TLS servers: the same certificates in the same order, and the same verdict on the host name.
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTlsOptions, contextAnchors, readTlsInfo } from '../../shared/probing/tls.js';
import { connectTls } from '../../shared/probing/tls-peer.js';
import { createSecretResolver } from '../../shared/config/index.js';
import { type IssuedCert, selfSigned, TestCa } from '../support/certs.js';

const DAY = 86_400_000;
const servers: tls.Server[] = [];

async function serve(cert: string, key: string): Promise<number> {
  const server = tls.createServer({ cert, key }, (socket) => socket.end());
  server.on('tlsClientError', () => {});
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

interface Seen {
  authorized: boolean;
  authorizationError: unknown;
  info: ReturnType<typeof readTlsInfo>;
}

async function handshake(port: number, name: string, ca: string | undefined, cheap: boolean): Promise<Seen> {
  const options = await buildTlsOptions(ca === undefined ? undefined : { ca, insecure_skip_verify: false }, name, createSecretResolver());
  const { checkName, ...rest } = options;
  // As the probers connect: TCP to the address, the name to check as `host` (and SNI when it is not an IP).
  const raw = net.connect({ host: '127.0.0.1', port });
  await once(raw, 'connect');
  const connect = { ...rest, host: checkName, socket: raw };
  const anchors = contextAnchors(options.secureContext);
  if (cheap) expect(anchors).toBeDefined();
  const socket: TLSSocket = cheap ? connectTls(connect, anchors) : tls.connect(connect);
  try {
    await once(socket, 'secureConnect');
    return { authorized: socket.authorized, authorizationError: socket.authorizationError, info: readTlsInfo(socket, cheap ? anchors : undefined) };
  } finally {
    socket.destroy();
  }
}

/** Both ways, asserting they agree; returns the cheap one's view. */
async function bothWays(port: number, name: string, ca: string | undefined): Promise<Seen> {
  const legacy = await handshake(port, name, ca, false);
  const cheap = await handshake(port, name, ca, true);
  expect(cheap).toEqual(legacy);
  return cheap;
}

let root: TestCa;
let intermediate: TestCa;
let leaf: IssuedCert;
let chainedLeaf: IssuedCert;
let cnOnly: IssuedCert;
let self: IssuedCert;

beforeAll(async () => {
  root = await TestCa.create('Peer Test Root');
  // Expires before the leaf, so the earliest expiry comes from the middle of the chain.
  intermediate = await root.intermediate('Peer Test Intermediate', new Date(Date.now() + 30 * DAY));
  leaf = await root.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  chainedLeaf = await intermediate.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  cnOnly = await root.issue({ commonName: 'localhost', dnsNames: [], ipAddresses: ['127.0.0.1'] });
  self = await selfSigned();
});

afterAll(() => {
  for (const server of servers) server.close();
});

describe('reading the peer chain without getPeerCertificate(true)', () => {
  it('adds the root from the configured CA to a leaf sent alone', async () => {
    const port = await serve(leaf.certPem, leaf.keyPem);
    const seen = await bothWays(port, 'localhost', root.certPem);
    expect(seen.authorized).toBe(true);
    expect(seen.info.leaf.issuer).toBe('CN=Peer Test Root');
    expect(seen.info.earliest_cert_expiry).toBe(Math.floor(leaf.notAfter.getTime() / 1000));
  });

  it('takes the earliest expiry from a root the server does not send', async () => {
    // A root that expires before the leaf it signed: only the trust store has it.
    const shortRoot = await TestCa.create('Peer Test Short Root', new Date(Date.now() + 20 * DAY));
    const outliving = await shortRoot.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const seen = await bothWays(await serve(outliving.certPem, outliving.keyPem), 'localhost', shortRoot.certPem);
    expect(seen.info.earliest_cert_expiry).toBeLessThan(Math.floor(outliving.notAfter.getTime() / 1000));
    expect(seen.info.leaf.issuer).toBe('CN=Peer Test Short Root');
  });

  it('orders a chain sent out of order and stops at the trust store root', async () => {
    const port = await serve(`${chainedLeaf.certPem}\n${root.certPem}\n${intermediate.certPem}`, chainedLeaf.keyPem);
    const seen = await bothWays(port, 'localhost', root.certPem);
    expect(seen.authorized).toBe(true);
    // The intermediate expires first: it was found in the chain.
    expect(seen.info.earliest_cert_expiry).toBeLessThan(Math.floor(chainedLeaf.notAfter.getTime() / 1000));
  });

  it('finds the intermediate when only leaf and intermediate are sent', async () => {
    const port = await serve(`${chainedLeaf.certPem}\n${intermediate.certPem}`, chainedLeaf.keyPem);
    const seen = await bothWays(port, '127.0.0.1', root.certPem);
    expect(seen.authorized).toBe(true);
  });

  it('agrees on a certificate the default store does not know, and on a self-signed one', async () => {
    const untrusted = await bothWays(await serve(leaf.certPem, leaf.keyPem), 'localhost', undefined);
    expect(untrusted.authorized).toBe(false);
    const selfSeen = await bothWays(await serve(self.certPem, self.keyPem), 'localhost', undefined);
    expect(selfSeen.authorized).toBe(false);
    expect(selfSeen.info.leaf.subject).toBe('CN=localhost');
  });

  it('gives the same host name verdicts: alternative names, IP addresses, the common name fallback', async () => {
    const port = await serve(leaf.certPem, leaf.keyPem);
    const wrong = await bothWays(port, 'other.example', root.certPem);
    expect(wrong.authorized).toBe(false);
    expect(wrong.authorizationError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect((await bothWays(port, '127.0.0.2', root.certPem)).authorized).toBe(false);
    const cnPort = await serve(cnOnly.certPem, cnOnly.keyPem);
    expect((await bothWays(cnPort, 'localhost', root.certPem)).authorized).toBe(true);
    expect((await bothWays(cnPort, 'elsewhere.example', root.certPem)).authorized).toBe(false);
  });
});
