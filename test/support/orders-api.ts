// A small orders API for multi-step checks: POST /login with the password gives a fresh token (and an
// X-Session header), /orders lists ids (503 with ?fail=1), /orders/<id> answers for one id, /slow waits
// 1.5 s. It records every request, and every token it issued, so tests can show neither leaks.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, startHttpServer } from './http-servers.js';

export const ORDERS_API_PASSWORD = 'correct-horse-battery-staple';

export interface SeenRequest {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

export interface OrdersApi {
  url: string;
  /** Tokens handed out by /login, oldest first. */
  issued: string[];
  /** Every request, in order of arrival. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startOrdersApi(): Promise<OrdersApi> {
  const issued: string[] = [];
  const seen: SeenRequest[] = [];
  async function handler(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ method: req.method ?? '', url: url.pathname + url.search, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body });
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    if (url.pathname === '/login' && req.method === 'POST') {
      const credentials = JSON.parse(body || '{}') as { user?: string; password?: string };
      if (credentials.password !== ORDERS_API_PASSWORD) return json(401, { error: 'bad credentials' });
      const fresh = `tok-${randomBytes(16).toString('hex')}`;
      issued.push(fresh);
      return json(200, { token: fresh, expires_in: 300 }, { 'x-session': `sid=${randomBytes(8).toString('hex')}; Path=/` });
    }
    if (url.pathname === '/slow') {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return json(200, { ok: true });
    }
    if (!token || !issued.includes(token)) return json(401, { error: 'no token' });
    if (url.pathname === '/orders') return url.searchParams.get('fail') ? json(503, { error: 'orders database down' }) : json(200, { items: [{ id: 'ord-20261202-7' }, { id: 'ord-20261202-8' }] });
    if (url.pathname.startsWith('/orders/')) return url.pathname === '/orders/ord-20261202-7' ? json(200, { id: 'ord-20261202-7', state: 'shipped' }) : json(404, { error: 'no such order' });
    return json(404, { error: 'not found' });
  }

  const server = await startHttpServer((req, res) => void handler(req, res));
  return { url: server.url, issued, seen, close: () => server.close() };
}

/** The login step: posts the password (from env:API_PASSWORD), extracts the token and the session id. */
export const loginStep = (apiUrl: string) => ({
  name: 'login',
  url: `${apiUrl}/login`,
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: '{"user":"probe","password":"${password}"}',
  variables_from: { password: 'env:API_PASSWORD' },
  extract: { token: { json: '$.token' }, session: { header: 'X-Session', regexp: 'sid=([0-9a-f]+)' } },
});

/** Lists the orders with the token, extracting the first id. */
export const ordersStep = (apiUrl: string, query = '') => ({
  name: 'orders',
  url: `${apiUrl}/orders${query}`,
  headers: { Authorization: 'Bearer ${token}' },
  extract: { order: { json: 'items[0].id' } },
});

/** Reads the extracted order, which must be shipped. */
export const orderStep = (apiUrl: string) => ({
  name: 'order',
  url: `${apiUrl}/orders/\${order}`,
  headers: { Authorization: 'Bearer ${token}' },
  fail_if_body_not_matches_regexp: ['"state":"shipped"'],
});
