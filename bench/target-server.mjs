// Loopback HTTP targets for the benchmark, in their own process so their CPU is not counted as the
// prober's. Paths: /fast (200 at once), /delay/<ms> (200 after ms), /status/<code>, /hang (never answers).
// Prints the port on stdout, then serves until killed.
import http from 'node:http';

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/delay/')) {
    const ms = Number(url.slice(7)) || 0;
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), ms);
    return;
  }
  if (url.startsWith('/status/')) {
    res.writeHead(Number(url.slice(8)) || 500, { 'content-type': 'text/plain' }).end('status');
    return;
  }
  if (url.startsWith('/hang')) return;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
});
server.keepAliveTimeout = 1000;
server.maxConnections = 20_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
