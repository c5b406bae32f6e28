// Certificates generated in the test run: a private CA, leaves it signs (valid, expired, wrong host name)
// and self-signed ones. Nothing is read from disk or fetched.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// x509's typings name the DOM Crypto type, which this Node-only project does not load.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface IssuedCert {
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

export interface LeafOptions {
  commonName?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  const b64 = Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

function randomSerial(): string {
  // Positive, non-zero leading nibble: no sign byte, so Go and Node print it the same.
  return `7${Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex')}`;
}

function sanExtension(options: LeafOptions): x509.Extension[] {
  const names = [
    ...(options.dnsNames ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
  ];
  return names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [];
}

export class TestCa {
  private constructor(
    readonly certPem: string,
    private readonly cert: x509.X509Certificate,
    private readonly keys: CryptoKeyPair,
  ) {}

  static async create(name = 'Periscope Test CA', notAfter = new Date(Date.now() + 3650 * DAY)): Promise<TestCa> {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: `CN=${name}`,
      notBefore: new Date(Date.now() - DAY),
      notAfter,
      signingAlgorithm: ALG,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    return new TestCa(cert.toString('pem'), cert, keys);
  }

  /** A CA this one signs (an intermediate), for chains a server sends in full. */
  async intermediate(name = 'Periscope Test Intermediate', notAfter = new Date(Date.now() + 365 * DAY)): Promise<TestCa> {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${name}`,
      issuer: this.cert.subject,
      notBefore: new Date(Date.now() - DAY),
      notAfter,
      signingAlgorithm: ALG,
      publicKey: keys.publicKey,
      signingKey: this.keys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    return new TestCa(cert.toString('pem'), cert, keys);
  }

  async issue(options: LeafOptions = {}): Promise<IssuedCert> {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const notAfter = options.notAfter ?? new Date(Date.now() + 90 * DAY);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${options.commonName ?? 'localhost'}`,
      issuer: this.cert.subject,
      notBefore: options.notBefore ?? new Date(Date.now() - DAY),
      notAfter,
      signingAlgorithm: ALG,
      publicKey: keys.publicKey,
      signingKey: this.keys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        ...sanExtension(options),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey), notAfter };
  }
}

/** A self-signed leaf (its own issuer), as a developer's quick test server would have. */
export async function selfSigned(options: LeafOptions = {}): Promise<IssuedCert> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notAfter = options.notAfter ?? new Date(Date.now() + 30 * DAY);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${options.commonName ?? 'localhost'}`,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter,
    signingAlgorithm: ALG,
    keys,
    extensions: sanExtension(options),
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey), notAfter };
}
