import path from 'node:path';
import { projectRoot } from '../src/paths.js';

/**
 * Bundles the panel's custom components once, at build time, into dist/adminjs. In production
 * AdminJS would otherwise run rollup inside the server at every start: seconds of CPU and a
 * few hundred megabytes of memory the server never gives back to the system. src/main.ts uses
 * this bundle when it finds it. Then compresses every static asset of the panel (brotli at its
 * slowest and smallest, and gzip) into dist/assets, where the server finds them by content hash.
 */
process.env.NODE_ENV = 'production';
process.env.ADMIN_JS_TMP_DIR = path.join(projectRoot, 'dist', 'adminjs');
// AdminJS reads both when it is first imported.
const { createAdmin } = await import('../src/admin/admin.js');
const { createSequelize } = await import('../src/db/database.js');
const { createAppContext } = await import('../src/app-context.js');
const { loadConfig } = await import('../src/config/config.js');
const { panelAssets } = await import('../src/http/panel-assets.js');
const { BUILT_COMPRESSED_DIR } = await import('../src/http/static-assets.js');
// The resources need initialised models and a context; nothing connects to a database here.
const url = 'postgres://bundle@127.0.0.1:1/bundle';
const models = createSequelize({ url, poolMax: 1, acquireTimeoutMs: 1000 });
const admin = createAdmin(createAppContext(loadConfig({}), { db: models, url }));
await admin.initialize();
await models.close();
console.log(`panel components bundled into ${path.relative(projectRoot, process.env.ADMIN_JS_TMP_DIR)}`);
const count = await panelAssets(admin).precompress(BUILT_COMPRESSED_DIR);
console.log(`${count} panel assets compressed into ${path.relative(projectRoot, BUILT_COMPRESSED_DIR)}`);
