// Which addresses the crawler may connect to. Unless crawl.allowPrivateNetworks, everything
// that is not a public unicast address is refused: loopback, private (RFC 1918, ULA),
// link-local (169.254.169.254 is the cloud metadata service), CGNAT, multicast, reserved,
// documentation ranges and the unspecified address, in IPv4, IPv6 and IPv4-mapped IPv6.
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
  ['100::', 64], ['2001:db8::', 32], ['2001::', 23], ['2002::', 16],
  // Local-use NAT64 (RFC 8215): its IPv4 address is not at the end (RFC 6052's /48 layout), so the whole prefix is refused.
  ['64:ff9b:1::', 48],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (any textual form, dotted IPv4 tail included). */
function groups(ip: string): number[] | null {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const o = dotted[1]!.split('.').map(Number);
    if (o.some((x) => x > 255)) return null;
    text = `${text.slice(0, -dotted[1]!.length)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail, more] = text.split('::');
  if (more !== undefined) return null;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  if (fill < 0 || (tail === undefined && h.length !== 8)) return null;
  const all = [...h, ...Array<string>(fill).fill('0'), ...t].map((g) => parseInt(g, 16));
  return all.length === 8 && all.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? all : null;
}

/**
 * The IPv4 address embedded in an IPv6 one, in every form that reaches it: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, also written ::7f00:1), IPv4-translated
 * (::ffff:0:a.b.c.d) and well-known NAT64 (64:ff9b::/96; the local-use 64:ff9b:1::/48 is refused whole).
 */
export function embeddedV4(ip: string): string | null {
  const g = groups(ip);
  if (!g) return null;
  const v4 = () => `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && (g[5] === 0 || g[5] === 0xffff)) return g[5] === 0 && g[6] === 0 && g[7]! <= 1 ? null : v4(); // :: and ::1 are IPv6's own
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return v4();
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4();
  return null;
}

/** Why `ip` may not be crawled, or null when it is a public unicast address. */
export function privateAddressReason(ip: string): string | null {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return `${ip} is not an IP address`;
  if (family === 6) {
    const v4 = embeddedV4(bare.toLowerCase());
    if (v4) return privateAddressReason(v4) && `${ip} maps to ${v4}, a non-public address`;
    return blocked.check(bare, 'ipv6') ? `${ip} is a non-public (loopback, private, link-local, multicast or reserved) address` : null;
  }
  return blocked.check(bare, 'ipv4') ? `${ip} is a non-public (loopback, private, link-local, multicast or reserved) address` : null;
}
