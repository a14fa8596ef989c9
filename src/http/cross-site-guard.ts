import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origins this app answers as: where the browser was sent (Host, through the proxy) and APP_URL. */
function ownOrigins(req: Request, appUrl: string | undefined): Set<string> {
  const origins = new Set<string>([`${req.protocol}://${req.get('host') ?? ''}`]);
  if (appUrl) origins.add(new URL(appUrl).origin);
  return origins;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * CSRF protection by a strict origin check on every state-changing request, on top of the
 * SameSite session cookie. Browsers say where a request comes from (Sec-Fetch-Site, Origin,
 * Referer); a request another site makes with the user's cookie is refused before it reaches
 * the panel or the sign-in. A client that sends none of them is not a browser, so it carries no
 * victim's cookie by accident, and is let through.
 */
export function crossSiteGuard(options: { appUrl?: string; logger: Logger }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const fetchSite = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const referer = req.get('referer');
    const allowed = ownOrigins(req, options.appUrl);
    let reason: string | null = null;
    if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') reason = `Sec-Fetch-Site is ${fetchSite}`;
    else if (origin !== undefined && !allowed.has(origin)) reason = `Origin ${origin} is not this site`;
    else if (origin === undefined && referer !== undefined && !allowed.has(originOf(referer) ?? '')) reason = 'Referer is not this site';
    if (!reason) return next();
    options.logger.warn({ requestId: req.nexus?.requestId, path: req.path, ip: req.nexus?.ip, reason }, 'cross-site request refused');
    res.status(403).json({ error: 'Refused: this request came from another site. Use NEXUS from its own pages.', requestId: req.nexus?.requestId });
  };
}
