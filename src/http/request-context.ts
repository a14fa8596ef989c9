import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import ipaddr from 'ipaddr.js';

/** What every write needs to know about the request besides the user. */
export interface RequestContext {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    nexus: RequestContext;
  }
}

const MAX_USER_AGENT = 512;

/**
 * The client address as the audit trail stores it (an inet): a link-local address loses its
 * interface zone ("fe80::1%eth0"), an IPv4-mapped one is written as IPv4, and anything that is no
 * address (a forged X-Forwarded-For behind a trusted proxy) is no address rather than a failed write.
 */
export function clientAddress(raw: string | undefined | null): string | null {
  if (!raw) return null;
  const withoutZone = raw.trim().replace(/%.*$/, '');
  if (!ipaddr.isValid(withoutZone)) return null;
  return ipaddr.process(withoutZone).toString();
}

/**
 * Gives each request an id (echoed in X-Request-Id so a user's report can be matched to the
 * audit trail and logs) and captures the client address as Express resolves it (trust proxy).
 */
export function requestContext() {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = crypto.randomUUID();
    const userAgent = req.get('user-agent');
    req.nexus = {
      requestId,
      ip: clientAddress(req.ip ?? req.socket.remoteAddress),
      userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
    };
    res.setHeader('X-Request-Id', requestId);
    next();
  };
}
