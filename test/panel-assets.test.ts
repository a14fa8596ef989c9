import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot } from '../src/paths.js';
import { buildFloor } from './support/floor-fixtures.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';

/**
 * What a panel page costs the browser, over real HTTP in development mode (as the tests and
 * `npm start` run): AdminJS's production bundles, compressed as the browser accepts, under
 * versioned addresses kept for a year; the pages themselves never cached.
 */
let t: TestApp;
let server: http.Server;
let cookie: string;

const SCRIPTS = path.join(projectRoot, 'node_modules', 'adminjs', 'lib', 'frontend', 'assets', 'scripts');
const PRODUCTION_BUILDS: Record<string, string> = {
  'global.bundle.js': path.join(SCRIPTS, 'global-bundle.production.js'),
  'design-system.bundle.js': path.join(projectRoot, 'node_modules', '@adminjs', 'design-system', 'bundle.production.js'),
  'app.bundle.js': path.join(SCRIPTS, 'app-bundle.production.js'),
};
const BROWSER = 'gzip, deflate, br, zstd';
const YEAR = 'public, max-age=31536000, immutable';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** As sent, still compressed. */
  raw: Buffer;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: url, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decoded(reply: Reply): Buffer {
  const encoding = reply.headers['content-encoding'];
  if (encoding === 'br') return zlib.brotliDecompressSync(reply.raw);
  if (encoding === 'gzip') return zlib.gunzipSync(reply.raw);
  if (encoding === undefined) return reply.raw;
  throw new Error(`unexpected Content-Encoding ${encoding}`);
}

/** The addresses a page loads its scripts and stylesheets from. */
function pageAssets(html: string): { scripts: string[]; styles: string[] } {
  return {
    scripts: [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!),
    styles: [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]!),
  };
}

function named(urls: string[], file: string): string {
  const url = urls.find((u) => u.endsWith(`/${file}`));
  if (!url) throw new Error(`the page names no ${file}: ${urls.join(', ')}`);
  return url;
}

beforeAll(async () => {
  t = await createTestApp();
  await buildFloor(t.db);
  server = await new Promise<http.Server>((resolve) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  cookie = await new Promise<string>((resolve, reject) => {
    const body = new URLSearchParams({ email: t.users.viewer.username, password: TEST_PASSWORD }).toString();
    const req = http.request(
      { host: '127.0.0.1', port, path: '/admin/login', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        res.resume();
        const sid = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!).find((c) => c.startsWith('nexus.sid='));
        if (res.statusCode === 302 && sid) resolve(sid);
        else reject(new Error(`sign-in failed: HTTP ${res.statusCode}`));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.close();
});

describe('a panel page', () => {
  it('names its scripts, styles and fonts by versioned addresses, is compressed, and is never cached itself', async () => {
    for (const [url, headers] of [
      ['/admin', { cookie, 'accept-encoding': BROWSER }],
      ['/admin/login', { 'accept-encoding': BROWSER }],
    ] as const) {
      const page = await get(url, headers);
      expect({ url, status: page.status }).toEqual({ url, status: 200 });
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-encoding']).toBe('br');
      expect(page.headers.vary).toMatch(/Accept-Encoding/i);
      expect(page.headers['cache-control']).toBe('no-store');
      const { scripts, styles } = pageAssets(decoded(page).toString('utf8'));
      for (const file of [...Object.keys(PRODUCTION_BUILDS), 'components.bundle.js']) {
        expect(named(scripts, file)).toMatch(new RegExp(`^/v/[A-Za-z0-9_.-]+/admin/frontend/assets/${file.replace(/\./g, '\\.')}$`));
      }
      expect(named(styles, 'panel.css')).toMatch(/^\/v\/[A-Za-z0-9_.-]+\/panel-assets\/panel\.css$/);
      expect(named(styles, '400.css')).toMatch(/^\/v\/[A-Za-z0-9_.-]+\/fonts\/roboto\/400\.css$/);
      expect([...scripts, ...styles].filter((u) => !u.startsWith('/v/'))).toEqual([]);
    }
  });
});

describe("AdminJS's bundles", () => {
  it('are its production builds, in brotli or gzip as the browser accepts, kept a year at their versioned address', async () => {
    const html = decoded(await get('/admin', { cookie, 'accept-encoding': BROWSER })).toString('utf8');
    const { scripts } = pageAssets(html);
    for (const [file, build] of Object.entries(PRODUCTION_BUILDS)) {
      const url = named(scripts, file);
      const expected = fs.readFileSync(build);
      for (const [accept, encoding] of [
        [BROWSER, 'br'],
        ['gzip, deflate', 'gzip'],
        ['identity', undefined],
      ] as const) {
        const reply = await get(url, { 'accept-encoding': accept });
        expect({ url, accept, status: reply.status }).toEqual({ url, accept, status: 200 });
        expect(reply.headers['content-encoding']).toBe(encoding);
        expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
        expect(reply.headers.vary).toMatch(/Accept-Encoding/i);
        expect(reply.headers['cache-control']).toBe(YEAR);
        expect(Number(reply.headers['content-length'])).toBe(reply.raw.length);
        expect(decoded(reply).equals(expected)).toBe(true);
      }
      // Compressed once at their smallest: brotli well under a third of the file.
      const br = await get(url, { 'accept-encoding': BROWSER });
      expect(br.raw.length).toBeLessThan(expected.length / 3);
    }
  });

  it('answer a request without Accept-Encoding uncompressed, and a HEAD without a body', async () => {
    const html = decoded(await get('/admin', { cookie, 'accept-encoding': BROWSER })).toString('utf8');
    const url = named(pageAssets(html).scripts, 'app.bundle.js');
    const plain = await get(url);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.raw.equals(fs.readFileSync(PRODUCTION_BUILDS['app.bundle.js']!))).toBe(true);
    const head = await get(url, { 'accept-encoding': BROWSER }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.raw.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe((await get(url, { 'accept-encoding': BROWSER })).raw.length);
  });

  it('keep working at their plain address, cached briefly and revalidated; another version is served but not kept', async () => {
    const plain = await get('/admin/frontend/assets/global.bundle.js', { 'accept-encoding': BROWSER });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBe('br');
    expect(plain.headers['cache-control']).toBe('public, max-age=300');
    expect(plain.headers.etag).toMatch(/^"[^"]+"$/);
    expect(decoded(plain).equals(fs.readFileSync(PRODUCTION_BUILDS['global.bundle.js']!))).toBe(true);
    const again = await get('/admin/frontend/assets/global.bundle.js', { 'accept-encoding': BROWSER, 'if-none-match': plain.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.raw.length).toBe(0);

    const other = await get('/v/0123456789abcdef/admin/frontend/assets/global.bundle.js', { 'accept-encoding': BROWSER });
    expect(other.status).toBe(200);
    expect(other.headers['cache-control']).toBe('no-cache');
    expect(decoded(other).equals(fs.readFileSync(PRODUCTION_BUILDS['global.bundle.js']!))).toBe(true);
    // The prefix names assets only: no other route answers under it.
    expect((await get('/v/0123456789abcdef/admin/api/dashboard', { cookie })).status).toBe(404);
  });
});

describe("the panel's own assets", () => {
  it('the components bundle is minified, compressed and kept a year, before anyone signs in', async () => {
    const html = decoded(await get('/admin/login', { 'accept-encoding': BROWSER })).toString('utf8');
    const reply = await get(named(pageAssets(html).scripts, 'components.bundle.js'), { 'accept-encoding': BROWSER });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('br');
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.headers['cache-control']).toBe(YEAR);
    const code = decoded(reply).toString('utf8');
    expect(code).toContain('AdminJS.UserComponents');
    expect(code).not.toContain('sourceMappingURL');
    expect(code.length).toBeLessThan(400_000);
    expect(reply.raw.length).toBeLessThan(100_000);
  });

  it('the stylesheet and the fonts are kept a year at their versioned address, briefly at the plain one', async () => {
    const html = decoded(await get('/admin/login', { 'accept-encoding': BROWSER })).toString('utf8');
    const { styles } = pageAssets(html);
    const css = await get(named(styles, 'panel.css'), { 'accept-encoding': 'gzip' });
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe(YEAR);
    expect(decoded(css).toString('utf8')).toContain('white-space: nowrap');

    const fontCssUrl = named(styles, '400.css');
    const fontCss = await get(fontCssUrl, { 'accept-encoding': BROWSER });
    expect(fontCss.status).toBe(200);
    expect(fontCss.headers['content-type']).toMatch(/^text\/css/);
    expect(fontCss.headers['content-encoding']).toBe('br');
    expect(fontCss.headers['cache-control']).toBe(YEAR);
    const fontFile = /url\(\.\/(files\/roboto-latin-400-normal\.woff2)\)/.exec(decoded(fontCss).toString('utf8'))?.[1];
    expect(fontFile).toBeDefined();
    const woff2 = await get(fontCssUrl.replace('400.css', fontFile!));
    expect(woff2.status).toBe(200);
    expect(woff2.headers['content-type']).toBe('font/woff2');
    expect(woff2.headers['cache-control']).toBe(YEAR);

    const plainFont = await get('/fonts/roboto/400.css');
    expect(plainFont.status).toBe(200);
    expect(plainFont.headers['cache-control']).toBe('public, max-age=300');
  });
});

describe('answers made per request', () => {
  it('API answers are compressed as the browser accepts', async () => {
    const reply = await get('/admin/api/resources/travelers/actions/list', { cookie, 'accept-encoding': BROWSER });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('br');
    expect(reply.headers.vary).toMatch(/Accept-Encoding/i);
    expect(JSON.parse(decoded(reply).toString('utf8')).records.length).toBeGreaterThan(0);
    const gzip = await get('/admin/api/resources/travelers/actions/list', { cookie, 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
  });

  it('a CSV export streams as it is, uncompressed', async () => {
    const reply = await get('/admin/exports/lists/travelers.csv', { cookie, 'accept-encoding': BROWSER });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.raw.toString('utf8')).toMatch(/^\uFEFF/);
  });
});
