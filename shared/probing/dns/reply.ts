// A DNS reply, from bytes to the record texts the checks read. Pure, and total: whatever bytes a server
// sends, the result is a Reply or a ProbeFailure('dns_query'), never another exception.
import type { DnsPacketModule } from './load-dns-packet.js';
import { ProbeFailure } from '../failure.js';
import { rcodeName } from './checks.js';
import { recordText, type DecodedRecord } from './rr-text.js';

export interface Reply {
  rcode: number;
  truncated: boolean;
  answers: string[];
  authorities: string[];
  additionals: string[];
  serial?: number;
}

export function headerOnly(buffer: Buffer): { rcode: number; truncated: boolean } {
  return { rcode: (buffer[3] ?? 0) & 0x0f, truncated: ((buffer[2] ?? 0) & 0x02) !== 0 };
}

export function decodeReply(packet: DnsPacketModule, raw: Buffer, queryType: string): Reply {
  const header = headerOnly(raw);
  try {
    const decoded = packet.decode(raw);
    const texts = (records: unknown[] | undefined) => (records ?? []).map((r) => recordText(r as DecodedRecord));
    const answers = (decoded.answers ?? []) as DecodedRecord[];
    const reply: Reply = { ...header, answers: texts(answers), authorities: texts(decoded.authorities), additionals: texts(decoded.additionals) };
    if (queryType === 'SOA') {
      // blackbox sets the gauge for every SOA in the answer: the last one wins.
      let serial = 0;
      for (const record of answers) if (record.type === 'SOA') serial = Number((record.data as { serial?: number } | undefined)?.serial ?? 0);
      reply.serial = serial;
    }
    return reply;
  } catch (err) {
    throw new ProbeFailure('dns_query', `reply could not be decoded (${err instanceof Error ? err.message : String(err)}), rcode ${rcodeName(header.rcode)}`);
  }
}
