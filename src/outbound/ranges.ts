import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Addresses the provider never connects to on a tenant's or client's behalf: the IANA
 * special-purpose registries (RFC 6890 and successors) minus the few globally reachable
 * entries, i.e. everything that is not the public internet. `name` says which range a
 * refused address is in (logs and error messages).
 */
const V4: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified (this network)'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  // Includes 255.255.255.255 (limited broadcast).
  ['240.0.0.0', 4, 'reserved / broadcast'],
];

const V6: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  // IPv4-compatible (deprecated) addresses; ::ffff:0:0/96, 64:ff9b::/96 and 2002::/16 embed
  // an IPv4 address and are judged by it (embeddedV4 below).
  ['::', 96, 'IPv4-compatible'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 32, 'Teredo'],
  ['2001:2::', 48, 'benchmarking'],
  ['2001:10::', 28, 'ORCHID'],
  ['2001:20::', 28, 'ORCHIDv2'],
  ['2001:db8::', 32, 'documentation'],
  ['3fff::', 20, 'documentation'],
  ['5f00::', 16, 'segment routing SIDs'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

const lists = new Map<string, BlockList>();
for (const [net, prefix, name] of V4)
  lists
    .set(name, lists.get(name) ?? new BlockList())
    .get(name)!
    .addSubnet(net, prefix, 'ipv4');
for (const [net, prefix, name] of V6)
  lists
    .set(name, lists.get(name) ?? new BlockList())
    .get(name)!
    .addSubnet(net, prefix, 'ipv6');

/** Expands an IPv6 text into its eight 16-bit groups (input must be a valid IPv6 address). */
function groups(ip: string): number[] {
  let text = ip.toLowerCase().replace(/%.*$/, '');
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, tail.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const r = rest ? rest.split(':') : [];
  const fill = rest === undefined ? [] : new Array(8 - h.length - r.length).fill('0');
  return [...h, ...fill, ...r].map((g) => parseInt(g, 16));
}

const v4From = (hi: number, lo: number): string => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/** The IPv4 address an IPv6 address stands for, where it embeds one that decides where packets go. */
function embeddedV4(ip: string): string | null {
  const g = groups(ip);
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated)
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4From(g[6]!, g[7]!);
  if (g.slice(0, 4).every((x) => x === 0) && g[4] === 0xffff && g[5] === 0) return v4From(g[6]!, g[7]!);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4From(g[6]!, g[7]!);
  // 2002:AABB:CCDD::/48 (6to4)
  if (g[0] === 0x2002) return v4From(g[1]!, g[2]!);
  return null;
}

/**
 * Which special-purpose range `ip` (an IPv4 or IPv6 literal, without brackets) is in, or
 * null for a public address. Anything that is not an IP literal counts as forbidden.
 */
export function specialRange(ip: string): string | null {
  if (isIPv4(ip)) {
    for (const [name, list] of lists) if (list.check(ip, 'ipv4')) return name;
    return null;
  }
  if (isIPv6(ip)) {
    const v4 = embeddedV4(ip);
    if (v4) {
      const inner = specialRange(v4);
      return inner ? `${inner} (IPv4 embedded in IPv6)` : null;
    }
    for (const [name, list] of lists) if (list.check(ip.replace(/%.*$/, ''), 'ipv6')) return name;
    return null;
  }
  return 'not an IP address';
}

/** True for 127/8, ::1 and their IPv4-mapped forms: what the development switch opens. */
export function isLoopback(ip: string): boolean {
  const range = specialRange(ip);
  return range === 'loopback' || range === 'loopback (IPv4 embedded in IPv6)';
}
