import { createRequire } from 'node:module';
import path from 'node:path';
import express from 'express';
import { IMMUTABLE, OTHER_VERSION, SHORT_CACHE, VERSION_PREFIX } from './static-assets.js';

const require = createRequire(import.meta.url);
const robotoDir = path.dirname(require.resolve('@fontsource/roboto/package.json'));
/** The fonts' version in their URLs: their package's. A stylesheet names its font files relative to itself, so they share it. */
const ROBOTO_VERSION = `roboto-${(require('@fontsource/roboto/package.json') as { version: string }).version}`;
const FONTS_PATH = '/fonts/roboto';
const WEIGHTS = [300, 400, 500, 700];
const GOOGLE_FONTS_LINK = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;
const LOCAL_LINKS = WEIGHTS.map((w) => `<link rel="stylesheet" type="text/css" href="${VERSION_PREFIX}/${ROBOTO_VERSION}${FONTS_PATH}/${w}.css">`).join('');

function fontFiles(cacheControl: string): express.Handler {
  return express.static(robotoDir, {
    index: false,
    cacheControl: false,
    setHeaders: (res) => res.setHeader('Cache-Control', cacheControl),
  });
}

/**
 * Serves Roboto from node_modules: the panel must work on a shop network with no internet.
 * Pages name the versioned address (kept a year); the plain one is cached briefly, and another
 * version's address (a page from before an upgrade) gets today's files, not kept.
 */
export function fontAssets(): express.Router {
  const router = express.Router();
  router.use(FONTS_PATH, fontFiles(SHORT_CACHE));
  router.use(`${VERSION_PREFIX}/${ROBOTO_VERSION}${FONTS_PATH}`, fontFiles(IMMUTABLE));
  router.use(`${VERSION_PREFIX}/:other${FONTS_PATH}`, fontFiles(OTHER_VERSION));
  return router;
}

/** AdminJS's page templates hard-code a Google Fonts stylesheet: the local copy instead. */
export function withLocalFonts(html: string): string {
  return html.replace(GOOGLE_FONTS_LINK, LOCAL_LINKS);
}

/** Whether a page is one of AdminJS's templates (its sign-in page and the panel's layout). */
export function isAdminJsPage(html: string): boolean {
  return html.includes('fonts.googleapis.com');
}
