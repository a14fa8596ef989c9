import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { withScriptNonce } from './content-security.js';

const require = createRequire(import.meta.url);
const robotoDir = path.dirname(require.resolve('@fontsource/roboto/package.json'));
const WEIGHTS = [300, 400, 500, 700];
const GOOGLE_FONTS_LINK = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;
const LOCAL_LINKS = WEIGHTS.map((w) => `<link rel="stylesheet" type="text/css" href="/fonts/roboto/${w}.css">`).join('');

/** Serves Roboto from node_modules: the panel must work on a shop network with no internet. */
export function fontAssets(): express.Handler {
  return express.static(robotoDir, { immutable: true, maxAge: '30d', index: false });
}

/**
 * AdminJS's page templates hard-code a Google Fonts stylesheet; swap it for the local copy in
 * every HTML page the panel sends.
 */
export function localFontsInHtml() {
  return (_req: Request, res: Response, next: NextFunction) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (typeof body === 'string' && body.includes('fonts.googleapis.com')) {
        // The same pages carry AdminJS's inline bootstrap scripts: they get the CSP nonce here.
        const nonce = res.locals.cspNonce as string | undefined;
        const local = body.replace(GOOGLE_FONTS_LINK, LOCAL_LINKS);
        return send(nonce ? withScriptNonce(local, nonce) : local);
      }
      return send(body);
    };
    next();
  };
}
