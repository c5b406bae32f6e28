// Certificates for the benchmark's HTTPS targets, made with the openssl command line: a CA (ECDSA P-256),
// and two leaves for 127.0.0.1 it signs — RSA 2048 and ECDSA P-256 — so both probers verify a real chain.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function makeBenchCerts(dir: string): Promise<{ caFile: string }> {
  const at = (name: string) => join(dir, name);
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '30', '-subj', '/CN=periscope-bench-ca']);
  await writeFile(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  for (const [name, keyArgs] of [['rsa', ['-newkey', 'rsa:2048']], ['ecdsa', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']]] as const) {
    await run('openssl', ['req', ...keyArgs, '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', '/CN=127.0.0.1']);
    await run('openssl', ['x509', '-req', '-in', at(`${name}.csr`), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at(`${name}.pem`), '-days', '30', '-extfile', at('san.ext')]);
  }
  return { caFile: at('ca.pem') };
}
