import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/**
 * helmet's headers with a content security policy the panel works under. AdminJS's pages carry
 * two inline bootstrap scripts; each response gets a fresh nonce that those scripts (and only
 * they) are given as the page is sent, so no injected script can run. Styles stay
 * 'unsafe-inline': the panel's CSS-in-JS libraries insert style elements at run time, and CSS
 * cannot run code.
 */
export function securityHeaders() {
  const policy = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce as string}'`],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameSrc: ["'self'"],
        frameAncestors: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    // The printable traveler opens in a frame of the panel: same origin only.
    frameguard: { action: 'sameorigin' },
    // Not helmet's no-referrer: with it the browser sends "Origin: null" on the panel's own form
    // posts, which the cross-site guard must refuse. Same-origin keeps addresses from other sites.
    referrerPolicy: { policy: 'same-origin' },
  });
  return [
    (_req: Request, res: Response, next: NextFunction) => {
      res.locals.cspNonce = crypto.randomBytes(16).toString('base64');
      next();
    },
    policy,
  ];
}

const INLINE_SCRIPT = /<script>/g;

/** Gives the page's own inline scripts the response's nonce (AdminJS writes them as bare <script>). */
export function withScriptNonce(html: string, nonce: string): string {
  return html.replace(INLINE_SCRIPT, `<script nonce="${nonce}">`);
}
