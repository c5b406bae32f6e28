// The peer's certificate chain, read cheaply. getPeerCertificate(true) turns every certificate of the chain
// into a JS object (three fingerprints, the public key, modulus text, …) and looks each issuer up in the
// trust store: under OpenSSL 3 that costs ~0.7 ms per call, and Node's tls.connect makes that call itself
// on every handshake (for checkServerIdentity), before a prober reads the chain again. Here the chain comes
// from getPeerX509Certificate(), which wraps the certificates OpenSSL already parsed; the one issuer Node
// adds from the trust store (the root a server does not send) is found the same way Node finds it, among
// the trust store's certificates parsed once per secure context. Same chain, same order, same names.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import tls, { type PeerCertificate, type TLSSocket } from 'node:tls';

/**
 * Node's GetPeerCert takes the certificates out of the SSL object's peer chain, so getPeerX509Certificate()
 * answers once per socket (and getPeerCertificate() sees no chain afterwards): every reader goes through here.
 */
const leaves = new WeakMap<TLSSocket, X509Certificate | undefined>();

export function peerLeaf(socket: TLSSocket): X509Certificate | undefined {
  if (leaves.has(socket)) return leaves.get(socket);
  const leaf = socket.getPeerX509Certificate();
  leaves.set(socket, leaf);
  return leaf;
}

/** A trust store certificate, parsed (slow under OpenSSL 3) only once a peer certificate names it as issuer. */
interface Anchor {
  pem: string;
  cert?: X509Certificate;
  from?: number;
  to?: number;
}

/** The certificates a secure context trusts: the `ca` it was given, or Node's default root store. */
export class TrustAnchors {
  private bySubject: Map<string, Anchor[]> | undefined;

  constructor(private readonly source: () => readonly string[]) {}

  private candidates(issuer: string): Anchor[] {
    if (!this.bySubject) {
      this.bySubject = new Map();
      for (const pem of this.source().flatMap(pemBlocks)) {
        const subject = tbsNames(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))?.subject;
        if (subject === undefined) continue;
        const list = this.bySubject.get(subject);
        if (list) list.push({ pem });
        else this.bySubject.set(subject, [{ pem }]);
      }
    }
    return this.bySubject.get(issuer) ?? [];
  }

  /**
   * The issuer of `cert` in the store, as X509_STORE_CTX_get1_issuer picks it (Node's SSL_CTX_get_issuer):
   * among those with the certificate's issuer name (compared as DER bytes, as Go's CertPool does), the first
   * that issued it and is valid now, else the one that expires last.
   */
  issuerOf(cert: X509Certificate): X509Certificate | undefined {
    const issuer = tbsNames(cert.raw)?.issuer;
    if (issuer === undefined) return undefined;
    const now = Date.now();
    let best: Anchor | undefined;
    for (const anchor of this.candidates(issuer)) {
      if (!anchor.cert) {
        try {
          anchor.cert = new X509Certificate(anchor.pem);
        } catch {
          continue; // Node's store would not hold it either
        }
        anchor.from = Date.parse(anchor.cert.validFrom);
        anchor.to = Date.parse(anchor.cert.validTo);
      }
      if (!cert.checkIssued(anchor.cert)) continue;
      if ((anchor.from as number) <= now && now <= (anchor.to as number)) return anchor.cert;
      if (!best || (anchor.to as number) > (best.to as number)) best = anchor;
    }
    return best?.cert;
  }
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN (TRUSTED )?CERTIFICATE-----[\s\S]*?-----END \1?CERTIFICATE-----/g) ?? [];
}

/** One DER element at `at`: where its contents start and where it ends; undefined if it runs past the end. */
function element(der: Uint8Array, at: number): { tag: number; body: number; end: number } | undefined {
  const tag = der[at];
  let length = der[at + 1];
  if (tag === undefined || length === undefined) return undefined;
  let body = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[body + i] ?? 0);
    body += bytes;
  }
  const end = body + length;
  return end <= der.length ? { tag, body, end } : undefined;
}

/** The issuer and subject Names of a certificate as DER bytes (RFC 5280 TBSCertificate), as map keys. */
export function tbsNames(der: Uint8Array): { issuer: string; subject: string } | undefined {
  const cert = element(der, 0);
  const tbs = cert && element(der, cert.body);
  if (!tbs) return undefined;
  let field = element(der, tbs.body);
  if (field?.tag === 0xa0) field = element(der, field.end); // [0] version
  const signature = field && element(der, field.end); // serialNumber, then signature
  const issuer = signature && element(der, signature.end);
  const validity = issuer && element(der, issuer.end);
  const subject = validity && element(der, validity.end);
  if (!issuer || !subject) return undefined;
  const key = (from: number, to: number) => Buffer.from(der.buffer, der.byteOffset + from, to - from).toString('latin1');
  return { issuer: key(signature.end, issuer.end), subject: key(validity.end, subject.end) };
}

/**
 * The default store's certificates, or undefined when Node was told to use another store (OpenSSL's or the
 * system's), whose contents cannot be listed here: then the chain is read the slow way.
 */
function defaultStore(): (() => readonly string[]) | undefined {
  const getCACertificates = (tls as { getCACertificates?: (type: 'default') => string[] }).getCACertificates;
  if (getCACertificates) return () => getCACertificates('default');
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (flags.some((flag) => /^--use-(openssl|system|bundled)-ca/.test(flag))) return undefined;
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  return () => {
    let extraPem = '';
    try {
      extraPem = extra ? readFileSync(extra, 'utf8') : '';
    } catch {
      // Node warns at startup and carries on without them; so do we.
    }
    return [...tls.rootCertificates, extraPem];
  };
}

let defaultAnchors: TrustAnchors | null | undefined;

/** The anchors for a context built from `ca` (undefined: the default store); undefined when unknown. */
export function trustAnchors(ca: string | undefined): TrustAnchors | undefined {
  if (ca !== undefined) return new TrustAnchors(() => [ca]);
  if (defaultAnchors === undefined) {
    const store = defaultStore();
    defaultAnchors = store ? new TrustAnchors(store) : null;
  }
  return defaultAnchors ?? undefined;
}

/**
 * The chain as getPeerCertificate(true) orders it: the leaf, then each issuer found among the certificates
 * the server sent, then issuers from the trust store until a self-issued one.
 */
export function peerChain(socket: TLSSocket, anchors: TrustAnchors): X509Certificate[] {
  const leaf = peerLeaf(socket);
  if (!leaf) return [];
  const sent: X509Certificate[] = [];
  for (let c = leaf.issuerCertificate; c; c = c.issuerCertificate) sent.push(c);
  const chain = [leaf];
  let current = leaf;
  for (;;) {
    const index = sent.findIndex((candidate) => current.checkIssued(candidate));
    if (index < 0) break;
    current = sent.splice(index, 1)[0] as X509Certificate;
    chain.push(current);
  }
  while (!current.checkIssued(current)) {
    const issuer = anchors.issuerOf(current);
    if (!issuer) break;
    chain.push(issuer);
    if (issuer === current) break;
    current = issuer;
  }
  return chain;
}

/**
 * What tls.connect's host name check needs, without getPeerCertificate(true): checkServerIdentity reads the
 * subject only for a DNS name when the certificate has no DNS alternative name; then (rarely) the leaf's
 * full legacy object is built, so the check and its message are Node's own.
 */
export function checkPeerIdentity(socket: TLSSocket, hostname: string): Error | undefined {
  const leaf = peerLeaf(socket);
  if (!leaf) return tls.checkServerIdentity(hostname, {} as PeerCertificate);
  const altNames = leaf.subjectAltName;
  const hasDnsName = altNames !== undefined && !altNames.includes('"') && altNames.split(', ').some((name) => name.startsWith('DNS:'));
  if (isIP(hostname) !== 0 || hasDnsName) return tls.checkServerIdentity(hostname, { subjectaltname: altNames } as PeerCertificate);
  return tls.checkServerIdentity(hostname, leaf.toLegacyObject());
}

/**
 * tls.connect, without the chain objects Node builds for its host name check: the socket's
 * getPeerCertificate (which Node's handshake callback calls, and nothing else here) hands checkServerIdentity
 * a placeholder, and the check reads the leaf through checkPeerIdentity instead.
 */
export function connectTls(options: tls.ConnectionOptions, anchors: TrustAnchors | undefined): TLSSocket {
  // Without the trust store's certificates the chain must be read the slow way, before anything takes it.
  if (!anchors) return tls.connect(options);
  const socket: TLSSocket = tls.connect({
    ...options,
    checkServerIdentity: (hostname) => checkPeerIdentity(socket, hostname),
  });
  Object.defineProperty(socket, 'getPeerCertificate', { value: () => ({}), configurable: true, writable: true });
  return socket;
}
