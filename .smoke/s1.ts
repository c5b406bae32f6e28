import { probeHttp } from '../shared/probing/http/probe.js';
import { httpModuleSchema, createSecretResolver } from '../shared/config/index.js';
import { startHttpServer } from '../test/support/http-servers.js';
import zlib from 'node:zlib';

const s = await startHttpServer((req, res) => {
  if (req.url === '/r') { res.writeHead(302, { location: '/ok' }); res.end('moved'); return; }
  if (req.url === '/gz') { const b = zlib.gzipSync('hello world '.repeat(100)); res.writeHead(200, {'content-encoding':'gzip','content-length': b.length}); res.end(b); return; }
  res.writeHead(200, { 'last-modified': 'Sun, 06 Nov 1994 08:49:37 GMT', 'content-type': 'text/plain' }); res.end('ok body');
});
const secrets = createSecretResolver({ env: {} });
for (const path of ['/ok', '/r', '/gz']) {
  const m = httpModuleSchema.parse({ url: s.url + path, compression: path === '/gz' ? 'gzip' : undefined, fail_if_body_not_matches_regexp: ['(?i)HELLO|ok'] });
  const r = await probeHttp('t', m, { timeoutMs: 2000, secrets, debug: true });
  console.log(JSON.stringify(r, null, 1).slice(0, 3000));
}
await s.close();
