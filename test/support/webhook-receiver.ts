// A loopback HTTP server that keeps the JSON bodies POSTed to it (Alertmanager's webhook receiver, vmalert's
// notifier) with the time each arrived, and answers 200. Bodies are bounded: a test's peer, not a stranger,
// but a runaway sender must not fill the test's memory.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const MAX_BODY_BYTES = 1 << 20;

export interface ReceivedPost {
  path: string;
  atMs: number;
  body: unknown;
}

export interface WebhookReceiver {
  url: string;
  readonly posts: ReceivedPost[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const posts: ReceivedPost[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return void res.writeHead(413).end();
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return void res.writeHead(400).end('not JSON');
      }
      posts.push({ path: req.url ?? '/', atMs: Date.now(), body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, posts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
