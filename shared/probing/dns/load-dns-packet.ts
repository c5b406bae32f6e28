// dns-packet (the DNS wire format) is loaded on the first DNS probe, like pg: HTTP-only groups never
// initialise it.
export type DnsPacketModule = typeof import('dns-packet');
type DnsPacket = DnsPacketModule;

let loaded: Promise<DnsPacket> | undefined;

export function loadDnsPacket(): Promise<DnsPacket> {
  loaded ??= import('dns-packet').then((module) => ((module as { default?: DnsPacket }).default ?? module) as DnsPacket);
  return loaded;
}
