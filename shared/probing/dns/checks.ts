// What blackbox_exporter's dns prober checks once a response is in (dns.go validRcode and validRRs), in its
// order: rcode, then answer, authority and additional records against their regexes. Pure functions; the
// failure text says which rule and which record.
import { DNS_RCODES, type DnsModule, type DnsRrValidator } from '../../config/index.js';
import { cachedRe2 } from '../../regex/index.js';

/** Why the rcode is not acceptable, or undefined. `rcode` is the number from the header. */
export function rcodeFailure(rcode: number, valid: readonly string[]): string | undefined {
  if (valid.some((name) => DNS_RCODES[name] === rcode)) return undefined;
  return `rcode ${rcodeName(rcode)} is not one of the valid rcodes (${valid.join(', ')})`;
}

export function rcodeName(rcode: number): string {
  return Object.entries(DNS_RCODES).find(([, value]) => value === rcode)?.[0] ?? `RCODE${rcode}`;
}

const shortRecord = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text).replace(/\t/g, ' ');

/** blackbox's validRRs over the records' text forms; the first rule broken, or undefined. */
export function recordsFailure(records: readonly string[], validator: DnsRrValidator): string | undefined {
  if (records.length === 0 && validator.fail_if_not_matches_regexp.length > 0) return 'fail_if_not_matches_regexp is set but no records were returned';
  if (records.length === 0 && validator.fail_if_none_matches_regexp.length > 0) return 'fail_if_none_matches_regexp is set but no records were returned';
  let anyMatch = false;
  let allMatch = true;
  for (const record of records) {
    for (const pattern of validator.fail_if_matches_regexp) {
      if (cachedRe2(pattern).test(record)) return `record "${shortRecord(record)}" matches fail_if_matches_regexp ${JSON.stringify(pattern)}`;
    }
    for (const pattern of validator.fail_if_all_match_regexp) if (!cachedRe2(pattern).test(record)) allMatch = false;
    for (const pattern of validator.fail_if_not_matches_regexp) {
      if (!cachedRe2(pattern).test(record)) return `record "${shortRecord(record)}" does not match fail_if_not_matches_regexp ${JSON.stringify(pattern)}`;
    }
    for (const pattern of validator.fail_if_none_matches_regexp) if (cachedRe2(pattern).test(record)) anyMatch = true;
  }
  // Despite its name, blackbox (dns.go) fails when NOT every record matches; kept so pasted modules agree.
  if (validator.fail_if_all_match_regexp.length > 0 && !allMatch) return 'not every record matches fail_if_all_match_regexp';
  if (validator.fail_if_none_matches_regexp.length > 0 && !anyMatch) return `no record matches fail_if_none_matches_regexp`;
  return undefined;
}

export interface ResponseSections {
  rcode: number;
  answers: string[];
  authorities: string[];
  additionals: string[];
}

/** The first check that fails, as [reason, message], or undefined when the response is acceptable. */
export function responseFailure(module: DnsModule, response: ResponseSections): ['dns_rcode' | 'dns_records', string] | undefined {
  const rcode = rcodeFailure(response.rcode, module.valid_rcodes);
  if (rcode) return ['dns_rcode', rcode];
  const sections: Array<[string, readonly string[], DnsRrValidator]> = [
    ['answer', response.answers, module.validate_answer_rrs],
    ['authority', response.authorities, module.validate_authority_rrs],
    ['additional', response.additionals, module.validate_additional_rrs],
  ];
  for (const [name, records, validator] of sections) {
    const failure = recordsFailure(records, validator);
    if (failure) return ['dns_records', `${name} records: ${failure}`];
  }
  return undefined;
}
