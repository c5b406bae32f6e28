// The floor under any Node HTTPS prober: a bare tls.connect + GET + close loop with everything a prober can
// avoid taken out — one shared secure context, no host-name check (so Node's handshake callback builds no
// certificate objects), no response parsing. What it costs is OpenSSL's handshake and Node's TLS socket,
// which Periscope's HTTPS probe pays too; the benchmark prints it beside blackbox_exporter's probe.
import { readFile } from 'node:fs/promises';
import { connect, createSecureContext, type TLSSocket } from 'node:tls';
import { mapLimit } from '../shared/async/index.js';

function oneExchange(port: number, secureContext: ReturnType<typeof createSecureContext>): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, secureContext, rejectUnauthorized: false, checkServerIdentity: () => undefined }, () => {
      socket.write('GET /fast HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
    });
    // Node's secureConnect handler calls getPeerCertificate(true) for checkServerIdentity; nothing reads it here.
    socket.getPeerCertificate = (() => ({})) as TLSSocket['getPeerCertificate'];
    socket.on('data', () => {});
    socket.once('end', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** CPU (ms) per bare HTTPS exchange over `ports` in turn, `count` of them at `concurrency`, after a warm-up of as many. */
export async function bareTlsCpuMs(ports: number[], caFile: string, count: number, concurrency: number): Promise<number> {
  const secureContext = createSecureContext({ ca: await readFile(caFile, 'utf8') });
  const order = Array.from({ length: count }, (_, i) => ports[i % ports.length] as number);
  const loop = () => mapLimit(order, concurrency, (port) => oneExchange(port, secureContext));
  await loop();
  const before = process.cpuUsage();
  await loop();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}
