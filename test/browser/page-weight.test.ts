import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';

/**
 * What the panel costs a browser, in development mode (as `npm start` and the tests run it):
 * a first visit with an empty cache, counted in bytes on the wire (Chromium's own count), and a
 * next page that takes every script, stylesheet and font it already has from its cache without
 * asking the server again.
 */
let session: BrowserSession;
let context: BrowserContext;

beforeAll(async () => {
  session = await startBrowserSession();
  await session.signIn('quality');
  // A context of its own has an empty cache, and the signed-in session's cookie.
  context = await session.page
    .context()
    .browser()!
    .newContext({ viewport: { width: 1366, height: 900 } });
  await context.addCookies(await session.page.context().cookies());
}, 120_000);

afterAll(async () => {
  await context?.close();
  await session?.close();
});

interface Loaded {
  url: string;
  type: string;
  status: number;
  encoding: string | undefined;
  fromCache: boolean;
  bytes: number;
}

/** Every response of the page while `work` runs, with the bytes it took on the wire (headers included). */
async function traffic(cdp: CDPSession, work: () => Promise<void>): Promise<Loaded[]> {
  const seen = new Map<string, Loaded>();
  const cached = new Set<string>();
  const onResponse = (e: {
    requestId: string;
    type: string;
    response: { url: string; status: number; headers: Record<string, string>; fromDiskCache?: boolean; fromPrefetchCache?: boolean };
  }) => {
    const encoding = Object.entries(e.response.headers).find(([name]) => name.toLowerCase() === 'content-encoding')?.[1];
    seen.set(e.requestId, {
      url: e.response.url,
      type: e.type,
      status: e.response.status,
      encoding,
      fromCache: Boolean(e.response.fromDiskCache || e.response.fromPrefetchCache),
      bytes: 0,
    });
  };
  const onFinished = (e: { requestId: string; encodedDataLength: number }) => {
    const loaded = seen.get(e.requestId);
    if (loaded) loaded.bytes = e.encodedDataLength;
  };
  const onCached = (e: { requestId: string }) => cached.add(e.requestId);
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  cdp.on('Network.requestServedFromCache', onCached);
  try {
    await work();
  } finally {
    cdp.off('Network.responseReceived', onResponse);
    cdp.off('Network.loadingFinished', onFinished);
    cdp.off('Network.requestServedFromCache', onCached);
  }
  return [...seen.entries()].map(([id, loaded]) => ({ ...loaded, fromCache: loaded.fromCache || cached.has(id) }));
}

const ASSET_TYPES = new Set(['Script', 'Stylesheet', 'Font']);

describe('a panel page in Chromium', () => {
  it('transfers at most 1 MB on a first visit, and the next page asks the server for none of the assets it has', async () => {
    const page: Page = await context.newPage();
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');

    const first = await traffic(cdp, async () => {
      await page.goto(`${session.base}/admin`, { waitUntil: 'networkidle' });
      await page.getByTestId('nexus-dashboard').waitFor({ timeout: 20_000 });
    });
    const firstAssets = first.filter((r) => ASSET_TYPES.has(r.type));
    expect(firstAssets.filter((r) => r.type === 'Script').length).toBeGreaterThanOrEqual(4);
    expect(firstAssets.filter((r) => r.fromCache)).toEqual([]);
    // Every script and stylesheet came compressed (fonts are WOFF2, compressed already).
    expect(firstAssets.filter((r) => r.type !== 'Font' && r.encoding !== 'br').map((r) => `${r.url} ${r.encoding}`)).toEqual([]);
    const total = first.reduce((sum, r) => sum + r.bytes, 0);
    expect(total).toBeGreaterThan(100_000);
    expect(total).toBeLessThanOrEqual(1_000_000);

    const next = await traffic(cdp, async () => {
      await page.goto(`${session.base}/admin/resources/travelers`, { waitUntil: 'networkidle' });
      await page.locator('table tbody tr').first().waitFor({ timeout: 20_000 });
    });
    const nextAssets = next.filter((r) => ASSET_TYPES.has(r.type));
    const loadedBefore = new Set(firstAssets.map((r) => r.url));
    expect(nextAssets.filter((r) => loadedBefore.has(r.url)).length).toBeGreaterThanOrEqual(4);
    // Nothing asked the server again: no download, no 304 revalidation.
    expect(nextAssets.filter((r) => !r.fromCache).map((r) => `${r.status} ${r.url}`)).toEqual([]);
    expect(nextAssets.every((r) => r.bytes === 0)).toBe(true);
    expect([...first, ...next].filter((r) => !r.url.startsWith(session.base)).map((r) => r.url)).toEqual([]);
    expect(blocked).toEqual([]);
  }, 120_000);
});
