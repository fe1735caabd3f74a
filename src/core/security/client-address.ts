import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client address is counted under by per-address limits. One IPv6 client is usually
 * given a whole /64, so IPv6 addresses count by their /64; an IPv4 address seen as IPv6
 * (`::ffff:192.0.2.1`) counts as the IPv4 address; every loopback address (127.0.0.0/8, `::1`)
 * is one client, `loopback`. Without this, one machine has 2^64 buckets, or two for loopback.
 */
export function addressBucket(address: string | undefined): string {
  if (!address) return 'unknown';
  let value = address.trim().toLowerCase();
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
  const zone = value.indexOf('%');
  if (zone >= 0) value = value.slice(0, zone);
  const mapped = ipv4Mapped(value);
  if (mapped) value = mapped;
  if (isIPv4(value)) return value.startsWith('127.') ? 'loopback' : value;
  if (!isIPv6(value)) return `other:${value.slice(0, 100)}`;
  const groups = expandIPv6(value);
  if (groups.every((g, i) => g === (i === 7 ? 1 : 0))) return 'loopback';
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** `::ffff:a.b.c.d` or `::ffff:hhhh:hhhh` as a.b.c.d; undefined for any other address. */
function ipv4Mapped(value: string): string | undefined {
  if (!isIPv6(value)) return undefined;
  const groups = expandIPv6(value);
  if (!groups.slice(0, 5).every((g) => g === 0) || groups[5] !== 0xffff) return undefined;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing IPv4 part converted). */
function expandIPv6(value: string): number[] {
  let text = value;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const [a, b, c, d] = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(rest);
  const fill = rest === undefined ? [] : Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...fill, ...right];
}
