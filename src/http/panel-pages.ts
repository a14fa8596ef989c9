import type { NextFunction, Request, Response } from 'express';
import { withScriptNonce } from './content-security.js';
import { isAdminJsPage, withLocalFonts } from './offline-fonts.js';
import type { AssetStore } from './static-assets.js';

/**
 * Every AdminJS page the panel sends (its sign-in page and its layout): the local fonts instead
 * of Google's, the versioned addresses of its scripts and styles (kept by the browser for a
 * year), the response's CSP nonce on its inline bootstrap scripts, and never cached itself: it
 * carries that nonce and the signed-in user's state.
 */
export function panelPages(assets: AssetStore) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (typeof body === 'string' && isAdminJsPage(body)) {
        const nonce = res.locals.cspNonce as string | undefined;
        const page = assets.versionedInHtml(withLocalFonts(body));
        res.set('Cache-Control', 'no-store');
        return send(nonce ? withScriptNonce(page, nonce) : page);
      }
      return send(body);
    };
    next();
  };
}
