import { readAttr, type Attr, type Matcher } from '../evaluator/context';
import { cidrContains, parseCidr, parseIp, type CidrRange, type IpAddress } from '../internal/cidr';
import type { Condition } from '../types';
import { anyElement, eachOperand, operandCount, type OperatorDefinition } from './operator';

/** IP range membership; an address only matches ranges of its own family. */
function compileInCidr(cond: Condition, attr: Attr): Matcher {
  const negate = cond.negate === true;
  const ranges: CidrRange[] = [];
  for (const v of cond.values ?? []) {
    const r = parseCidr(String(v));
    if (r !== undefined) ranges.push(r);
  }
  const inRanges = (ip: IpAddress): boolean => {
    for (let i = 0; i < ranges.length; i++) if (cidrContains(ranges[i] as CidrRange, ip)) return true;
    return false;
  };
  const element = (e: unknown): boolean => {
    const ip = typeof e === 'string' ? parseIp(e) : undefined;
    return ip !== undefined && inRanges(ip);
  };
  return (ctx) => {
    const v = readAttr(ctx, attr);
    if (typeof v !== 'string') return anyElement(v, element, negate);
    const ip = parseIp(v);
    return ip !== undefined && inRanges(ip) !== negate;
  };
}

export const cidrOperators = {
  inCidr: {
    doc: {
      operands: 'IPv4/IPv6 addresses or CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`, `127.0.0.1`)',
      description: 'the attribute is an IP address inside one of the ranges, of the same family',
    },
    operand: { kind: 'cidr', count: 'many' },
    caseInsensitive: false,
    readsAttribute: true,
    check: (values, check) =>
      operandCount(values, check, 'many') &&
      eachOperand(values, check, (x) => typeof x === 'string' && parseCidr(x) !== undefined, 'IP addresses or CIDR ranges such as "10.0.0.0/8" or "2001:db8::/32"'),
    compile: compileInCidr,
  },
} as const satisfies Record<string, OperatorDefinition>;
