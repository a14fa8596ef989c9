import crypto from 'node:crypto';
import fs from 'node:fs';
import AdminJS, { AppController, Router as AdminRouter } from 'adminjs';
import { PANEL_STYLES_PATH, panelStylesheet } from '../admin/panel-styles.js';
import { AssetStore, fileSource, type AssetSource } from './static-assets.js';

/**
 * AdminJS's own bundles, always their production builds: it picks its development builds
 * (26 MB of JavaScript against 3.3 MB) whenever NODE_ENV is not "production", which is how
 * `npm start` and the tests run. Its development builds differ only in warnings and size.
 */
function productionBuildOf(file: string): string {
  const production = file.replace(/\.development\.js$/, '.production.js');
  return production !== file && fs.existsSync(production) ? production : file;
}

/** The components bundle of this process: its URL's version, as it is built only when first asked for. */
const DEVELOPMENT_BUILD = `dev-${crypto.randomBytes(6).toString('hex')}`;
let developmentComponents: Promise<Buffer> | undefined;

/**
 * Outside production AdminJS bundles our components on the first request, unminified and with
 * an inline source map (1.2 MB); minified once here (150 kB, a fifth of a second more). Once a
 * process: the components are the same for every panel it makes.
 */
function componentsBundle(admin: AdminJS): Promise<Buffer> {
  developmentComponents ??= (async () => {
    const code = await new AppController({ admin }, null).bundleComponents();
    if (!code) throw new Error('AdminJS produced no bundle of the panel components');
    // Loaded here only: a production server serves the bundle built at build time and never needs it.
    const { transform } = await import('esbuild');
    const minified = await transform(code, { loader: 'js', minify: true, legalComments: 'none' });
    return Buffer.from(minified.code);
  })();
  developmentComponents.catch(() => (developmentComponents = undefined));
  return developmentComponents;
}

/** Where a panel's components bundle is served; built at build time in production, on first use otherwise. */
function componentsUrlOf(admin: AdminJS): { url: string; builtAtBuildTime: boolean } {
  const url = `${admin.options.rootPath}/frontend/assets/components.bundle.js`;
  return { url, builtAtBuildTime: AdminRouter.assets.some((asset) => `${admin.options.rootPath}${asset.path}` === url) };
}

/**
 * Starts building the components bundle now, so that the first page after `npm start` does not
 * wait for it (about 3 s on two cores). Nothing to do where it was built at build time. Only the
 * server calls it: an app made in a test that never loads a page should not pay for it.
 */
export function prepareComponentsBundle(admin: AdminJS): Promise<void> {
  if (componentsUrlOf(admin).builtAtBuildTime) return Promise.resolve();
  return componentsBundle(admin).then(() => undefined);
}

/**
 * Everything a panel page loads from us but the fonts (offline-fonts.ts): AdminJS's bundles,
 * styles and icons, our components bundle (a file built at build time in production, built
 * here on first use otherwise) and the panel's stylesheet.
 */
export function panelAssets(admin: AdminJS): AssetStore {
  const root = admin.options.rootPath;
  const sources: AssetSource[] = AdminRouter.assets.map((asset) => fileSource(`${root}${asset.path}`, productionBuildOf(asset.src)));
  const components = componentsUrlOf(admin);
  if (!components.builtAtBuildTime) {
    sources.push({ url: components.url, contentType: 'text/javascript; charset=utf-8', read: () => componentsBundle(admin), version: DEVELOPMENT_BUILD });
  }
  let css: Buffer | undefined;
  sources.push({ url: PANEL_STYLES_PATH, contentType: 'text/css; charset=utf-8', read: () => (css ??= Buffer.from(panelStylesheet(admin))) });
  return new AssetStore(sources);
}
