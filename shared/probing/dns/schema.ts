// The `dns` module block: blackbox_exporter's dns prober keys, unchanged, so a blackbox.yml dns module can be
// pasted under `dns:`. The server to query is `server` (blackbox's target): host, host:port or [v6]:port.
// Unlike blackbox, a bad query type, class, rcode name or a DoT/UDP mix is an error when the file is
// validated, not a failed probe at run time.
import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { ipProtocol, regexp, tlsConfigSchema, yamlBoolean } from '../../config/fields.js';

/** miekg/dns StringToRcode: the names blackbox accepts in valid_rcodes, with their numbers. */
export const DNS_RCODES: Readonly<Record<string, number>> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADSIG: 16,
  BADVERS: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADMODE: 19,
  BADNAME: 20,
  BADALG: 21,
  BADTRUNC: 22,
  BADCOOKIE: 23,
};

/** Query types the wire library (dns-packet) encodes by name. */
const QUERY_TYPES = [
  'A', 'AAAA', 'AFSDB', 'ANY', 'APL', 'AXFR', 'CAA', 'CDNSKEY', 'CDS', 'CERT', 'CNAME', 'DHCID', 'DLV', 'DNAME', 'DNSKEY', 'DS',
  'HINFO', 'HIP', 'IPSECKEY', 'IXFR', 'KEY', 'KX', 'LOC', 'MX', 'NAPTR', 'NS', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'NULL', 'OPT', 'PTR',
  'RP', 'RRSIG', 'SIG', 'SOA', 'SPF', 'SRV', 'SSHFP', 'TA', 'TKEY', 'TLSA', 'TSIG', 'TXT',
] as const;
const QUERY_CLASSES = ['IN', 'CS', 'CH', 'HS', 'ANY'] as const;

/** "10.0.0.2", "ns1.internal:5353", "[::1]:53" or a bare IPv6 address (blackbox's net.SplitHostPort rules). */
const dnsServer = z.string().check(
  z.superRefine((text, ctx) => {
    if (isIP(text) === 6) return;
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+)(?::(\d{1,5}))?$/.exec(text);
    if (!match || (match[2] !== undefined && (Number(match[2]) < 1 || Number(match[2]) > 65535))) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a DNS server address (host, host:port or [v6]:port)` });
    }
  }),
);

function nameOf(list: readonly string[], what: string) {
  return z.pipe(
    z.string(),
    z.transform((text: string, ctx) => {
      const upper = text.toUpperCase();
      if (list.includes(upper)) return upper;
      ctx.issues.push({ code: 'custom', message: `"${text}" is not a ${what} (use one of ${list.join(', ')})`, input: text });
      return z.NEVER;
    }),
  );
}

const rrValidator = z._default(
  z.strictObject({
    fail_if_matches_regexp: z._default(z.array(regexp), []),
    fail_if_all_match_regexp: z._default(z.array(regexp), []),
    fail_if_not_matches_regexp: z._default(z.array(regexp), []),
    fail_if_none_matches_regexp: z._default(z.array(regexp), []),
  }),
  { fail_if_matches_regexp: [], fail_if_all_match_regexp: [], fail_if_not_matches_regexp: [], fail_if_none_matches_regexp: [] },
);

const dnsModuleFields = z.strictObject({
  server: dnsServer,
  query_name: z.string().check(z.minLength(1, 'query name must be set for a DNS module')),
  /** blackbox's default is ANY. */
  query_type: z._default(nameOf(QUERY_TYPES, 'DNS query type'), 'ANY'),
  query_class: z._default(nameOf(QUERY_CLASSES, 'DNS query class'), 'IN'),
  valid_rcodes: z._default(z.array(nameOf(Object.keys(DNS_RCODES), 'DNS rcode')), ['NOERROR']),
  validate_answer_rrs: rrValidator,
  validate_authority_rrs: rrValidator,
  validate_additional_rrs: rrValidator,
  recursion_desired: z._default(yamlBoolean, true),
  transport_protocol: z.optional(z.enum(['udp', 'tcp'])),
  dns_over_tls: z._default(yamlBoolean, false),
  tls_config: z.optional(tlsConfigSchema),
  preferred_ip_protocol: z._default(ipProtocol, 'ip4'),
  ip_protocol_fallback: z._default(yamlBoolean, true),
  source_ip_address: z.optional(z.string().check(z.refine((text) => isIP(text) !== 0, 'must be an IP address'))),
});

export const dnsModuleSchema = z.pipe(
  dnsModuleFields.check(
    z.superRefine((dns, ctx) => {
      if (dns.dns_over_tls && dns.transport_protocol === 'udp') {
        ctx.addIssue({ code: 'custom', path: ['transport_protocol'], message: 'DNS over TLS needs transport_protocol tcp' });
      }
    }),
  ),
  // DoT implies TCP (blackbox insists on writing it); otherwise UDP, as blackbox.
  z.transform((dns: z.output<typeof dnsModuleFields>) => ({ ...dns, transport_protocol: dns.transport_protocol ?? (dns.dns_over_tls ? 'tcp' : 'udp') })),
);

export type DnsModule = z.output<typeof dnsModuleSchema>;
export type DnsRrValidator = DnsModule['validate_answer_rrs'];
