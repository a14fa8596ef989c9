import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

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
 * Gives each request an id (echoed in X-Request-Id so a user's report can be matched to the
 * audit trail and logs) and captures the client address as Express resolves it (trust proxy).
 */
export function requestContext() {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = crypto.randomUUID();
    const userAgent = req.get('user-agent');
    req.nexus = {
      requestId,
      ip: req.ip ?? req.socket.remoteAddress ?? null,
      userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
    };
    res.setHeader('X-Request-Id', requestId);
    next();
  };
}
