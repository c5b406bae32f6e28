// DNS servers for the DNS prober's tests, on loopback: Debian's dnsmasq (a real server, started as a child
// process), and a scriptable one written with dns-packet for what dnsmasq will not do on demand: SERVFAIL,
// truncated UDP replies, silence (timeouts), SOA serials with authority and additional sections.
import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import packet from 'dns-packet';
import { findDnsmasq } from './binaries.js';
import { freePort } from './ports.js';
import { startProcess, waitUntilReady, type ManagedProcess } from './processes.js';

export interface DnsmasqHandle {
  readonly port: number;
  readonly address: string;
  stop(): Promise<void>;
}

/** dnsmasq answering only from its command line (`--address=/name/ip`, `--txt-record=…`, …) on UDP and TCP. */
export async function startDnsmasq(records: string[]): Promise<DnsmasqHandle> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc: ManagedProcess = startProcess(
      findDnsmasq(),
      ['--no-daemon', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--pid-file=', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', ...records],
      'dnsmasq',
    );
    try {
      await waitUntilReady(proc, `dnsmasq on port ${port}`, async () => /started, version/.test(proc.outputTail()));
      return { port, address: `127.0.0.1:${port}`, stop: () => proc.stop(3000) };
    } catch (error) {
      await proc.stop();
      if (!/address already in use/i.test(proc.outputTail()) || attempt >= 3) throw error;
    }
  }
}

export type Question = { name: string; type: string; class?: string };
export type Answer = packet.Answer;

/** What the scripted server replies: sections and rcode, or 'drop' to stay silent. */
export type Reply =
  | 'drop'
  | { rcode?: string; answers?: Answer[]; authorities?: Answer[]; additionals?: Answer[]; flags?: number };

export type DnsHandler = (question: Question, transport: 'udp' | 'tcp', recursionDesired: boolean) => Reply;

export interface ScriptedDnsHandle {
  readonly port: number;
  readonly address: string;
  /** Queries seen, in order: "udp A name" */
  readonly queries: string[];
  close(): Promise<void>;
}

const RCODES: Record<string, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const UDP_LIMIT = 512;

function reply(query: packet.DecodedPacket, handler: DnsHandler, transport: 'udp' | 'tcp', queries: string[]): Buffer | undefined {
  const question = query.questions?.[0] as Question | undefined;
  if (!question) return undefined;
  queries.push(`${transport} ${question.type} ${question.name}`);
  const rd = ((query.flags ?? 0) & packet.RECURSION_DESIRED) !== 0;
  const answer = handler(question, transport, rd);
  if (answer === 'drop') return undefined;
  const rcode = RCODES[answer.rcode ?? 'NOERROR'] ?? 0;
  const base = { type: 'response' as const, id: query.id ?? 0, questions: query.questions ?? [] };
  const flags = (answer.flags ?? packet.AUTHORITATIVE_ANSWER) | (rd ? packet.RECURSION_DESIRED : 0) | rcode;
  const full = packet.encode({ ...base, flags, answers: answer.answers ?? [], authorities: answer.authorities ?? [], additionals: answer.additionals ?? [] });
  if (transport === 'tcp' || full.length <= UDP_LIMIT) return full;
  // What a server does when the reply does not fit: the header with TC set and no records.
  return packet.encode({ ...base, flags: flags | packet.TRUNCATED_RESPONSE });
}

/**
 * A DNS server on 127.0.0.1 (UDP and TCP on one port; with `tls`, DNS over TLS on a second TCP port), whose
 * replies come from `handler`.
 */
export async function startScriptedDns(handler: DnsHandler, tls?: TlsOptions): Promise<ScriptedDnsHandle & { tlsAddress?: string }> {
  const queries: string[] = [];
  const port = await freePort();
  const udp = createSocket('udp4');
  udp.on('message', (message, remote) => {
    let query: packet.DecodedPacket;
    try {
      query = packet.decode(message);
    } catch {
      return;
    }
    const out = reply(query, handler, 'udp', queries);
    if (out) udp.send(out, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => udp.bind(port, '127.0.0.1', resolve));
  const onStream = (socket: Socket) => {
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        const out = reply(packet.decode(buffered.subarray(2, 2 + length)), handler, 'tcp', queries);
        buffered = buffered.subarray(2 + length);
        if (out) {
          const framed = Buffer.alloc(2 + out.length);
          framed.writeUInt16BE(out.length, 0);
          out.copy(framed, 2);
          socket.write(framed);
        }
      }
    });
  };
  const tcp: Server = createServer(onStream);
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));
  let tlsServer: Server | undefined;
  let tlsAddress: string | undefined;
  if (tls) {
    tlsServer = createTlsServer(tls, onStream);
    const tlsPort = await freePort();
    await new Promise<void>((resolve) => tlsServer?.listen(tlsPort, '127.0.0.1', resolve));
    tlsAddress = `127.0.0.1:${tlsPort}`;
  }
  return {
    port,
    address: `127.0.0.1:${port}`,
    ...(tlsAddress ? { tlsAddress } : {}),
    queries,
    close: async () => {
      udp.close();
      await Promise.all([tcp, tlsServer].map((server) => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))));
    },
  };
}
