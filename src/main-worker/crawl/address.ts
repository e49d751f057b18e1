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
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), -compatible or NAT64 IPv6 address. */
function embeddedV4(ip: string): string | null {
  const m = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return m[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (hex) {
    const a = parseInt(hex[1]!, 16);
    const b = parseInt(hex[2]!, 16);
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
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
