/**
 * IPv4/IPv6 addresses and CIDR ranges for the `inCidr` operator, without Node's `net` module (the core must
 * run in browsers and edge runtimes).
 *
 * Addresses are parsed into 16-bit groups (2 for IPv4, 8 for IPv6) so one prefix comparison serves both families.
 * Accepted forms follow the common textual conventions: dotted-quad IPv4 without leading zeros, IPv6 with `::`
 * compression, an embedded IPv4 tail (`::ffff:10.0.0.1`) and an optional zone (`fe80::1%eth0`, ignored). A family
 * only matches its own family: an IPv4 address never falls in an IPv6 range, even an IPv4-mapped one.
 */

export interface IpAddress {
  readonly v6: boolean;
  /** 16-bit groups, most significant first. */
  readonly groups: readonly number[];
}

export interface CidrRange {
  readonly v6: boolean;
  readonly groups: readonly number[];
  /** Prefix length in bits: 0–32 for IPv4, 0–128 for IPv6. */
  readonly bits: number;
}

const OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    bytes.push(Number(p));
  }
  return [((bytes[0] as number) << 8) | (bytes[1] as number), ((bytes[2] as number) << 8) | (bytes[3] as number)];
}

function parseV6(input: string): number[] | undefined {
  let s = input;
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  if (s.length === 0 || s.length > 45) return undefined;
  let tail: number[] = [];
  // An embedded IPv4 address takes the last 32 bits: "::ffff:10.0.0.1", "::10.0.0.1".
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) !== -1) {
    const v4 = parseV4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = v4;
    s = s.slice(0, lastColon + 1);
    // Keep a "::" that compresses the groups before the tail; drop a single separating ":".
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0] as string);
  if (head === undefined) return undefined;
  const need = 8 - tail.length;
  if (halves.length === 1) {
    if (head.length !== need) return undefined;
    return [...head, ...tail];
  }
  const rest = parseGroups(halves[1] as string);
  if (rest === undefined) return undefined;
  // "::" stands for at least one zero group.
  if (head.length + rest.length > need - 1) return undefined;
  return [...head, ...new Array<number>(need - head.length - rest.length).fill(0), ...rest, ...tail];
}

/** Parses an IPv4 or IPv6 address (no prefix); `undefined` when it is not one. */
export function parseIp(input: string): IpAddress | undefined {
  if (typeof input !== 'string' || input.length > 64) return undefined;
  if (input.includes(':')) {
    const groups = parseV6(input);
    return groups === undefined ? undefined : { v6: true, groups };
  }
  const groups = parseV4(input);
  return groups === undefined ? undefined : { v6: false, groups };
}

/** Parses `address` or `address/bits`; a bare address is a single-host range. `undefined` when invalid. */
export function parseCidr(input: string): CidrRange | undefined {
  if (typeof input !== 'string') return undefined;
  const slash = input.indexOf('/');
  const ip = parseIp(slash === -1 ? input : input.slice(0, slash));
  if (ip === undefined) return undefined;
  const max = ip.v6 ? 128 : 32;
  let bits = max;
  if (slash !== -1) {
    const b = input.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b)) return undefined;
    bits = Number(b);
    if (bits > max) return undefined;
  }
  return { v6: ip.v6, groups: ip.groups, bits };
}

/** Whether `ip` lies in `range` (same family, equal first `range.bits` bits). */
export function cidrContains(range: CidrRange, ip: IpAddress): boolean {
  if (range.v6 !== ip.v6) return false;
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((((range.groups[i] as number) ^ (ip.groups[i] as number)) & mask) !== 0) return false;
  }
  return true;
}
