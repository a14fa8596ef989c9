import ipaddr from 'ipaddr.js';
import type { RequestContext } from '../http/request-context.js';

/**
 * A sign-in attempt as the throttle counts it: by the account name as typed (trimmed and
 * lower-cased, whether or not a user has it) and by the client address, an IPv6 client by its
 * /64 network.
 */

export type ThrottleKind = 'account' | 'ip';

/** Same bound as the sign-in itself (auth.service.ts): longer names are not names. */
const MAX_ACCOUNT_NAME = 254;
const MAX_TYPED_FOR_AUDIT = 120;

/** One sign-in attempt, as the throttle sees it. */
export interface LoginAttempt {
  /** The name as typed, trimmed and lower-cased as sign-in compares it; null when there is none. */
  account: string | null;
  /** The client address (an IPv6 client by its /64: one host usually holds the whole network). */
  ip: string | null;
  request: RequestContext;
  /** What the person typed, for the audit trail. */
  typed: string;
}

export function loginAttempt(identifier: unknown, request: RequestContext): LoginAttempt {
  const typed = typeof identifier === 'string' ? identifier.trim() : '';
  const account = typed.toLowerCase();
  return {
    account: account.length > 0 && account.length <= MAX_ACCOUNT_NAME ? account : null,
    ip: ipSubject(request.ip),
    request,
    typed: typed.slice(0, MAX_TYPED_FOR_AUDIT),
  };
}

/** The keys a failure counts against, account before address. */
export function keysOf(attempt: LoginAttempt): Array<{ kind: ThrottleKind; subject: string }> {
  // Account before address, always: two failures that upsert both keys lock rows in one order.
  const keys: Array<{ kind: ThrottleKind; subject: string }> = [];
  if (attempt.account) keys.push({ kind: 'account', subject: attempt.account });
  if (attempt.ip) keys.push({ kind: 'ip', subject: attempt.ip });
  return keys;
}

/** The address as a throttle key: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 network. */
export function ipSubject(ip: string | null | undefined): string | null {
  if (!ip) return null;
  // A zone (fe80::1%eth0) names this host's interface, not the client; ipaddr.js reads only some.
  const address = ip.replace(/%.*$/, '');
  const parsed = parseAddress(address);
  if (!parsed) return address.slice(0, MAX_ACCOUNT_NAME);
  if (parsed instanceof ipaddr.IPv4) return parsed.toString();
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  return `${parsed.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}

/**
 * An address in the forms Node and proxies write it: dotted decimal IPv4, or IPv6 (which may end
 * in a dotted quad). Other IPv4 spellings ipaddr.js would accept (2130706433, 0x7f.0.0.1, 010.0.0.1)
 * are left as typed: no client arrives that way, and 010 means 8 to some readers and 10 to others.
 */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  const quad = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let ipv6 = address;
  if (quad) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(quad[2]!)) return null;
    // ipaddr.js 1.9 cannot read a quad straight after "::" (2001:db8::1.2.3.4): it gets two hex groups.
    const [high, low] = ipaddr.IPv4.parse(quad[2]!).toIPv4MappedAddress().parts.slice(6) as [number, number];
    ipv6 = `${quad[1]}${high.toString(16)}:${low.toString(16)}`;
  }
  return ipaddr.IPv6.isValid(ipv6) ? ipaddr.IPv6.parse(ipv6) : null;
}
