// An HTTP proxy on 127.0.0.1 that holds every request for a while before forwarding it and every answer for
// a while before returning it: a slow network, a busy vminsert or a stalled vmselect between an evaluator
// and VictoriaMetrics. The delay of each exchange is chosen by `delayMs`; it is split at random between
// the way there and the way back, so a write may land late and a read may return a stale answer.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DelayProxy {
  url: string;
  /** Exchanges forwarded so far. */
  readonly forwarded: number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startDelayProxy(upstream: string, delayMs: (method: string, path: string) => number, random: () => number = Math.random): Promise<DelayProxy> {
  const target = new URL(upstream);
  let forwarded = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const total = delayMs(req.method ?? 'GET', req.url ?? '/');
        const there = total * random();
        await sleep(there);
        const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
        const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (upstreamRes) => {
            const body: Buffer[] = [];
            upstreamRes.on('data', (chunk: Buffer) => body.push(chunk));
            upstreamRes.on('end', () => resolve({ status: upstreamRes.statusCode ?? 502, headers: upstreamRes.headers, body: Buffer.concat(body) }));
            upstreamRes.on('error', reject);
          });
          out.on('error', reject);
          out.end(Buffer.concat(chunks));
        }).catch((err: unknown) => ({ status: 502, headers: {} as IncomingHttpHeaders, body: Buffer.from(String(err)) }));
        forwarded++;
        await sleep(total - there);
        const { 'transfer-encoding': _chunked, connection: _connection, ...rest } = answer.headers;
        res.writeHead(answer.status, { ...rest, 'content-length': String(answer.body.length) }).end(answer.body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get forwarded() {
      return forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
