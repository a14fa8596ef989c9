import path from 'node:path';
import type { Request, Response } from 'express';
import { publicDir } from '../paths.js';

/**
 * The panel's icon in browser tabs and bookmarks, served by NEXUS itself (a shop network may have
 * no internet, and the panel asks no other host for anything). AdminJS links it from every page
 * through branding.favicon (admin.ts); PNG, because AdminJS's link names any other file an
 * x-icon. public/favicon.svg is its source.
 */
export const FAVICON_PATH = '/favicon.png';
const FILE = path.join(publicDir, 'favicon.png');

/** Served before sign-in (the sign-in page shows it too), cached for a week, revalidated by ETag. */
export function favicon(_req: Request, res: Response): void {
  res.sendFile(FILE, { maxAge: '7d', headers: { 'Content-Type': 'image/png' } });
}
