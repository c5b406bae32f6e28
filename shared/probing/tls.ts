// TLS shared by the HTTP, TCP and PostgreSQL probers. The handshake always completes without Node rejecting
// the certificate (rejectUnauthorized: false); verification is judged here afterwards, from
// socket.authorized, so an expired or self-signed certificate still yields its expiry and chain data.
import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { createSecureContext, type ConnectionOptions, type DetailedPeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import type { SecretResolver, TlsConfig } from '../config/index.js';
import { ProbeFailure } from './failure.js';
import { readTextFile } from './file-text.js';
import { NO_LABELS } from './samples.js';
import { peerChain, type TrustAnchors, trustAnchors } from './tls-peer.js';
import type { CertInfo, Sample, TlsInfo } from './types.js';

const VERSION_NAMES: Record<string, string> = {
  TLSv1: 'TLS 1.0',
  'TLSv1.1': 'TLS 1.1',
  'TLSv1.2': 'TLS 1.2',
  'TLSv1.3': 'TLS 1.3',
};
const MIN_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;

/**
 * Secure contexts by their material. Without one, Node builds a context (parsing the CA bundle or the root
 * store, the certificate and key) for every connection — a large share of an HTTPS probe's CPU. A context
 * holds no client sessions (Node resumes only when given a session), so every probe still does a full
 * handshake. Keyed by a hash of the material, so a changed CA or key file gets a new context.
 */
const contexts = new Map<string, SecureContext>();
const MAX_CONTEXTS = 256;
/** The certificates each shared context trusts, to find the root a server does not send (tls-peer.ts). */
const anchorsByContext = new WeakMap<SecureContext, TrustAnchors>();

function sharedContext(options: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'minVersion' | 'maxVersion'>): SecureContext {
  const key = createHash('sha256').update(JSON.stringify([options.ca, options.cert, options.key, options.minVersion, options.maxVersion])).digest('base64');
  let context = contexts.get(key);
  if (!context) {
    if (contexts.size >= MAX_CONTEXTS) contexts.clear();
    context = createSecureContext(options);
    contexts.set(key, context);
    const anchors = trustAnchors(typeof options.ca === 'string' ? options.ca : undefined);
    if (anchors) anchorsByContext.set(context, anchors);
  }
  return context;
}

/** The trust anchors of a context buildTlsOptions made; undefined for any other (read the chain the slow way). */
export function contextAnchors(context: SecureContext | undefined): TrustAnchors | undefined {
  return context ? anchorsByContext.get(context) : undefined;
}

/** Node TLS options for a tls_config block. `host` is the name to verify when server_name is not set. */
export async function buildTlsOptions(
  config: TlsConfig | undefined,
  host: string,
  secrets: SecretResolver,
): Promise<ConnectionOptions & { servername?: string; checkName: string }> {
  const checkName = config?.server_name ?? host;
  const options: ConnectionOptions & { servername?: string; checkName: string } = {
    rejectUnauthorized: false,
    checkName,
    // SNI must not be an IP address (RFC 6066); Node warns and drops it otherwise.
    ...(isIP(checkName) === 0 ? { servername: checkName } : {}),
  };
  if (!config) return { ...options, secureContext: sharedContext({}) };
  try {
    if (config.ca) options.ca = config.ca;
    else if (config.ca_file) options.ca = await readTextFile(config.ca_file);
    if (config.cert) options.cert = config.cert;
    else if (config.cert_file) options.cert = await readTextFile(config.cert_file);
    if (config.key_from) options.key = await secrets.resolve(config.key_from);
    else if (config.key_file) options.key = await readTextFile(config.key_file);
  } catch (err) {
    if (err instanceof ProbeFailure) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ProbeFailure(code ? 'tls_handshake' : 'secret', code ? `cannot read TLS file (${code})` : (err as Error).message);
  }
  if (config.min_version) options.minVersion = MIN_VERSIONS[config.min_version];
  if (config.max_version) options.maxVersion = MIN_VERSIONS[config.max_version];
  try {
    options.secureContext = sharedContext(options);
  } catch (err) {
    // A malformed CA, certificate or key: the same failure the handshake would have reported.
    throw new ProbeFailure('tls_handshake', `invalid TLS material: ${(err as Error).message}`);
  }
  return options;
}

function goStyleName(text: string | undefined): string {
  // Node prints "C=US\nO=Acme\nCN=host"; Go's pkix.Name.String() prints "CN=host,O=Acme,C=US".
  return (text ?? '').split('\n').filter(Boolean).reverse().join(',');
}

const infos = new WeakMap<X509Certificate, CertInfo>();

function certInfo(cert: X509Certificate): CertInfo {
  let info = infos.get(cert);
  if (!info) {
    info = readCertInfo(cert);
    infos.set(cert, info);
  }
  return info;
}

function readCertInfo(cert: X509Certificate): CertInfo {
  const dnsNames = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  return {
    subject: goStyleName(cert.subject),
    issuer: goStyleName(cert.issuer),
    subject_alternative: dnsNames.join(','),
    serial_number: cert.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, ''),
    fingerprint_sha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    not_before: Math.floor(Date.parse(cert.validFrom) / 1000),
    not_after: Math.floor(Date.parse(cert.validTo) / 1000),
  };
}

/** The chain from getPeerCertificate(true): what a socket Node verified the host name of still has. */
function legacyChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let peer = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (peer && peer.raw && !seen.has(peer.fingerprint256)) {
    seen.add(peer.fingerprint256);
    chain.push(new X509Certificate(peer.raw));
    peer = peer.issuerCertificate;
  }
  return chain;
}

/** Each certificate once (the chain ends where a certificate repeats, as legacyChain's does). */
function distinct(chain: X509Certificate[]): X509Certificate[] {
  const seen = new Set<string>();
  const out: X509Certificate[] = [];
  for (const cert of chain) {
    const fingerprint = certInfo(cert).fingerprint_sha256;
    if (seen.has(fingerprint)) break;
    seen.add(fingerprint);
    out.push(cert);
  }
  return out;
}

/**
 * Reads version, cipher and certificate chain from a connected TLS socket. With the anchors of its secure
 * context (contextAnchors) the chain is read cheaply (tls-peer.ts); without, through getPeerCertificate(true).
 */
export function readTlsInfo(socket: TLSSocket, anchors?: TrustAnchors): TlsInfo {
  const chain = anchors ? distinct(peerChain(socket, anchors)) : legacyChain(socket);
  const infos = chain.map(certInfo);
  const leaf = infos[0] ?? {
    subject: '',
    issuer: '',
    subject_alternative: '',
    serial_number: '',
    fingerprint_sha256: '',
    not_before: 0,
    not_after: 0,
  };
  const earliest = infos.length ? Math.min(...infos.map((c) => c.not_after)) : 0;
  const authError = socket.authorizationError;
  return {
    version: VERSION_NAMES[socket.getProtocol() ?? ''] ?? 'unknown',
    cipher: socket.getCipher()?.standardName ?? 'unknown',
    verified: socket.authorized,
    ...(authError ? { verify_error: typeof authError === 'string' ? authError : (authError as Error).message } : {}),
    earliest_cert_expiry: earliest,
    last_chain_expiry: earliest,
    leaf,
  };
}

/** Throws tls_verify unless the certificate verified or verification is switched off. */
export function assertVerified(info: TlsInfo, insecureSkipVerify: boolean): void {
  if (insecureSkipVerify || info.verified) return;
  const code = info.verify_error ?? 'unknown error';
  const what =
    code === 'CERT_HAS_EXPIRED'
      ? `certificate expired at ${new Date(info.leaf.not_after * 1000).toISOString()}`
      : code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match|altnames/i.test(code)
        ? `certificate is not valid for this host name (${info.leaf.subject_alternative || info.leaf.subject})`
        : `certificate verification failed: ${code}`;
  throw new ProbeFailure('tls_verify', what);
}

/** blackbox_exporter's probe_ssl_* and probe_tls_* samples. */
export function tlsSamples(info: TlsInfo): Sample[] {
  return [
    { name: 'probe_ssl_earliest_cert_expiry', labels: NO_LABELS, value: info.earliest_cert_expiry },
    { name: 'probe_ssl_last_chain_expiry_timestamp_seconds', labels: NO_LABELS, value: info.last_chain_expiry },
    {
      name: 'probe_ssl_last_chain_info',
      labels: {
        fingerprint_sha256: info.leaf.fingerprint_sha256,
        subject: info.leaf.subject,
        issuer: info.leaf.issuer,
        subjectalternative: info.leaf.subject_alternative,
        serialnumber: info.leaf.serial_number,
      },
      value: 1,
    },
    { name: 'probe_tls_version_info', labels: { version: info.version }, value: 1 },
    { name: 'probe_tls_cipher_info', labels: { cipher: info.cipher }, value: 1 },
  ];
}
