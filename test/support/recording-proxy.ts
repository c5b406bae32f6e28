// An HTTP proxy on 127.0.0.1 in front of a real server that records every request (method, path, headers)
// and can answer some itself (a 503 from an overloaded vminsert) before forwarding the rest. With
// `stripPrefix` it stands for a path-routing proxy: /tenant/7/api/v1/query reaches the server as /api/v1/query.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface RecordingProxy {
  url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  stripPrefix?: string;
  /** An answer of the proxy's own for this request, or undefined to forward it. */
  answer?: (request: RecordedRequest, index: number) => { status: number; body: string } | undefined;
}

export async function startRecordingProxy(upstream: string, options: ProxyOptions = {}): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
      requests.push(recorded);
      const own = options.answer?.(recorded, requests.length - 1);
      if (own) return void res.writeHead(own.status, { 'content-type': 'text/plain' }).end(own.body);
      let path = recorded.path;
      if (options.stripPrefix) {
        if (!path.startsWith(options.stripPrefix)) return void res.writeHead(404).end(`no route for ${path}`);
        path = path.slice(options.stripPrefix.length) || '/';
      }
      const out = request({ host: target.hostname, port: target.port, method: req.method, path, headers: { ...req.headers, host: target.host } }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => {
          const { 'transfer-encoding': _chunked, connection: _connection, ...rest } = answer.headers;
          const all = Buffer.concat(body);
          res.writeHead(answer.statusCode ?? 502, { ...rest, 'content-length': String(all.length) }).end(all);
        });
      });
      out.on('error', (err) => res.writeHead(502).end(String(err)));
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
