// dns-packet (the DNS wire format) is loaded on the first DNS probe, like pg: HTTP-only groups never
// initialise it.
type DnsPacket = typeof import('dns-packet');

let loaded: Promise<DnsPacket> | undefined;

export function loadDnsPacket(): Promise<DnsPacket> {
  loaded ??= import('dns-packet').then((module) => ((module as { default?: DnsPacket }).default ?? module) as DnsPacket);
  return loaded;
}
