// Connecting a pg.Client with libpq's sslmode semantics. Node never rejects the certificate itself
// (rejectUnauthorized: false): this module judges verification the moment the TLS handshake completes,
// before the server can ask for the password, so certificate metrics are known even when verification
// fails and a password is never offered to a server that failed verification.
//   disable      no TLS
//   prefer       TLS if the server accepts it, else plain (the default, as in libpq); no verification
//   require      TLS, no verification; a server without TLS fails with ssl_required
//   verify-ca    TLS, the chain must verify; the host name is not checked
//   verify-full  TLS, the chain and the host name (server_name, else host) must verify
import type { TLSSocket } from 'node:tls';
import type pg from 'pg';
import { loadPg } from './load-pg.js';
import type { PostgresModule } from '../../config/index.js';
import type { ProbeBudget } from '../deadline.js';
import { ProbeFailure } from '../failure.js';
import { assertVerified, buildTlsOptions, readTlsInfo } from '../tls.js';
import type { ProbeOptions, TlsInfo } from '../types.js';
import { isSslRefused } from './errors.js';

export interface PostgresConnection {
  client: pg.Client;
  ssl: boolean;
  tls?: TlsInfo;
  serverVersion?: string;
}

/** What an attempt learnt, kept by the caller so a failed attempt still reports it. */
export interface ConnectState {
  tcpConnected: boolean;
  ssl: boolean;
  tls?: TlsInfo;
  serverVersion?: string;
  client?: pg.Client;
  /** Set (to the failure's message) when the server sent more than MAX_RESPONSE_BYTES. */
  tooLarge?: string;
}

/**
 * The most bytes a probe reads from the server, connection and query together. pg holds each protocol
 * message whole before parsing it, so one huge row (or a server that never ends one) would grow without
 * bound; rows themselves are not kept (query.ts). A probe query answers a row or a few.
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

interface ConnectParams {
  module: PostgresModule;
  address: string;
  password: string | undefined;
  options: ProbeOptions;
  budget: ProbeBudget;
  state: ConnectState;
  log: (line: string) => void;
}

type SslSetting = false | (Record<string, unknown> & { verify: 'none' | 'chain' | 'full' });

export async function connectPostgres(params: ConnectParams): Promise<PostgresConnection> {
  const { module, state } = params;
  if (module.sslmode === 'disable') return attempt(params, false);
  const tls = await buildTlsOptions(module.tls_config, module.host, params.options.secrets);
  const { checkName, ...tlsOptions } = tls;
  const verify = module.sslmode === 'verify-full' ? 'full' : module.sslmode === 'verify-ca' ? 'chain' : 'none';
  const ssl: SslSetting = {
    ...tlsOptions,
    verify,
    // pg passes `host` (the IP we connect to) to tls.connect; ours replaces it so the certificate is
    // checked against the configured name.
    host: checkName,
    ...(verify === 'full' ? {} : { checkServerIdentity: () => undefined }),
  };
  try {
    return await attempt(params, ssl);
  } catch (err) {
    if (!isSslRefused(err)) throw err;
    if (module.sslmode !== 'prefer') {
      throw new ProbeFailure('ssl_required', `server does not accept SSL connections (sslmode=${module.sslmode})`);
    }
    params.log('server refused SSL; sslmode=prefer, reconnecting without TLS');
    state.client?.connection.stream.destroy();
    return attempt(params, false);
  }
}

async function attempt(params: ConnectParams, ssl: SslSetting): Promise<PostgresConnection> {
  const { module, state, budget, log } = params;
  const { password } = params;
  const sslOptions = ssl === false ? false : withoutVerify(ssl);
  state.tcpConnected = false;
  state.ssl = false;
  delete state.tls;
  delete state.tooLarge;
  const { Client } = await loadPg();
  const client = new Client({
    host: params.address,
    port: module.port,
    user: module.user,
    database: module.database,
    // A function, so pg neither falls back to PGPASSWORD/.pgpass nor keeps the value enumerable.
    password: () => {
      if (password === undefined) {
        throw new ProbeFailure('auth', 'server asked for a password but the target has no password_from');
      }
      return password;
    },
    ssl: sslOptions,
    application_name: 'periscope',
    // A safety net only: the probe budget ends the attempt first and destroys the socket. No
    // statement_timeout: as a startup parameter PgBouncer rejects it ("unsupported startup parameter").
    connectionTimeoutMillis: params.options.timeoutMs + 1000,
  });
  state.client = client;
  // Errors after connect arrive as events; the awaited calls report them.
  client.on('error', () => undefined);
  const connection = client.connection;
  const meter = responseMeter(connection, state);
  meter(connection.stream);
  connection.once('connect', () => {
    state.tcpConnected = true;
    log(`connected to ${params.address}:${module.port}${ssl ? ', requesting SSL' : ''}`);
  });
  connection.on('parameterStatus', (message: { parameterName: string; parameterValue: string }) => {
    if (message.parameterName === 'server_version') state.serverVersion = message.parameterValue;
  });
  if (ssl !== false) {
    connection.once('sslconnect', () => {
      const secure = connection.stream as TLSSocket;
      meter(secure);
      secure.once('secureConnect', () => {
        state.ssl = true;
        const info = readTlsInfo(secure);
        state.tls = info;
        log(`TLS ${info.version} ${info.cipher}, certificate ${info.verified ? 'verified' : `not verified (${info.verify_error ?? 'unknown'})`}`);
        if (ssl.verify === 'none') return;
        try {
          assertVerified(info, params.module.tls_config?.insecure_skip_verify ?? false);
        } catch (err) {
          secure.destroy(err as Error);
        }
      });
    });
  }
  try {
    await budget.race(client.connect(), false);
  } catch (err) {
    if (budget.aborted) throw budget.failure(state.tcpConnected);
    throw err;
  }
  return {
    client,
    ssl: state.ssl,
    ...(state.tls ? { tls: state.tls } : {}),
    ...(state.serverVersion ? { serverVersion: state.serverVersion } : {}),
  };
}

/**
 * Counts what the connection's stream delivers (the TCP socket, then the TLS socket once SSL is on); past
 * MAX_RESPONSE_BYTES the socket is closed and the attempt fails with response_too_large.
 */
function responseMeter(connection: { stream: unknown }, state: ConnectState): (stream: NodeJS.ReadableStream & { destroy(err?: Error): void }) => void {
  let received = 0;
  return (stream) => {
    stream.on('data', (chunk: Buffer) => {
      if (connection.stream !== stream || state.tooLarge) return;
      received += chunk.length;
      if (received <= MAX_RESPONSE_BYTES) return;
      state.tooLarge = `server sent more than ${MAX_RESPONSE_BYTES} bytes; the probe reads one row of a small result (see docs/probes.md, limits)`;
      stream.destroy(new ProbeFailure('response_too_large', state.tooLarge));
    });
  };
}

function withoutVerify(ssl: Exclude<SslSetting, false>): Record<string, unknown> {
  const { verify: _verify, ...rest } = ssl;
  return rest;
}

/** Ends the session politely if it can, and in any case closes the socket. */
export async function closeClient(client: pg.Client | undefined): Promise<void> {
  if (!client) return;
  const stream = client.connection.stream;
  const graceful = client.end().catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([graceful, new Promise<void>((resolve) => (timer = setTimeout(resolve, 250)))]);
  clearTimeout(timer);
  stream.destroy();
}
