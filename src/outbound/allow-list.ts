import { BlockList, isIP, isIPv4 } from 'node:net';

/**
 * The operator's exceptions to the outbound policy (GATEHOUSE_OUTBOUND_ALLOW): internal
 * hosts the platform really wants Gatehouse to call. Entries, comma-separated:
 * - a host name (`hooks.internal.example`): that exact host, whatever it resolves to;
 * - `*.internal.example`: every host below that domain (not the domain itself);
 * - an IP address or CIDR (`10.1.2.0/24`, `fd00:1::/64`): connections to those addresses,
 *   whichever name led there.
 * An exception lifts the address check only: the scheme must still be https.
 */
export interface AllowList {
  hosts: Set<string>;
  suffixes: string[];
  addresses: BlockList;
  /** The entries as given (for the start log). */
  entries: string[];
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const emptyAllowList = (): AllowList => ({ hosts: new Set(), suffixes: [], addresses: new BlockList(), entries: [] });

/** Parses the setting; throws an Error naming the bad entry. */
export function parseAllowList(text: string | undefined): AllowList {
  const list = emptyAllowList();
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    list.entries.push(entry);
    const slash = entry.indexOf('/');
    const ip = slash < 0 ? entry.replace(/^\[|\]$/g, '') : entry.slice(0, slash);
    if (isIP(ip)) {
      const v4 = isIPv4(ip);
      const prefixText = slash < 0 ? (v4 ? '32' : '128') : entry.slice(slash + 1);
      const prefix = Number(prefixText);
      if (!/^\d{1,3}$/.test(prefixText) || prefix > (v4 ? 32 : 128)) throw new Error(`"${entry}" has an invalid prefix length`);
      list.addresses.addSubnet(ip, prefix, v4 ? 'ipv4' : 'ipv6');
    } else if (entry.startsWith('*.') && HOST.test(entry.slice(2))) {
      list.suffixes.push(entry.slice(1));
    } else if (HOST.test(entry)) {
      list.hosts.add(entry);
    } else {
      throw new Error(`"${entry}" is not a host name, *.domain, IP address or CIDR`);
    }
  }
  return list;
}

/** The host (a name or an IP literal without brackets) is an exception by name. */
export function hostAllowed(list: AllowList, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return list.hosts.has(h) || list.suffixes.some((s) => h.endsWith(s));
}

/** The resolved address is inside an allowed CIDR. */
export function addressAllowed(list: AllowList, ip: string): boolean {
  const kind = isIP(ip);
  return kind !== 0 && list.addresses.check(ip, kind === 4 ? 'ipv4' : 'ipv6');
}
