import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { atMost, exactly, latency, type Latency, type Verdict } from './stats.js';

/**
 * Measurement (7): the panel in a real browser (Debian's Chromium through playwright-core,
 * headless, off the network), signed in with a session cookie of the bench's administrator.
 * Bytes are Chromium's own count of what crossed the wire (headers included); a response
 * Chromium took from its cache crossed nothing and never reached the server.
 */

export const BROWSER_TARGETS = { firstLoadBytes: 1_000_000, fullLoadMs: 500, navigationMs: 150 };

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
const RECORD_READY = '[data-css="travelers-show-action-header"]';
const ASSET_TYPES = new Set(['Script', 'Stylesheet', 'Font', 'Image', 'Other']);

export interface BrowserPage {
  label: string;
  path: string;
  /** What shows once the page has drawn its data. */
  ready: string;
}

export interface BrowserCase {
  pages: BrowserPage[];
  first: { bytes: number; requests: number; assetBytes: number };
  repeat: { bytes: number; requests: number; reachedServer: number; assetsReachedServer: string[] };
  fullLoad: Latency;
  /** The same loads, page by page. */
  fullLoadByPage: Array<{ label: string; latency: Latency }>;
  navigation: { toRecord: Latency; back: Latency };
  rounds: number;
}

interface Seen {
  url: string;
  type: string;
  fromCache: boolean;
  bytes: number;
}

/** Every response while `work` runs; `fromCache` when Chromium answered it itself. */
async function traffic(cdp: CDPSession, work: () => Promise<void>): Promise<Seen[]> {
  const seen = new Map<string, Seen>();
  const cached = new Set<string>();
  const onResponse = (e: { requestId: string; type: string; response: { url: string; fromDiskCache?: boolean; fromPrefetchCache?: boolean } }) =>
    seen.set(e.requestId, { url: e.response.url, type: e.type, fromCache: Boolean(e.response.fromDiskCache || e.response.fromPrefetchCache), bytes: 0 });
  const onFinished = (e: { requestId: string; encodedDataLength: number }) => {
    const s = seen.get(e.requestId);
    if (s) s.bytes = e.encodedDataLength;
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
  return [...seen.entries()].map(([id, s]) => ({ ...s, fromCache: s.fromCache || cached.has(id) }));
}

const sum = (seen: Seen[]) => seen.reduce((total, s) => total + s.bytes, 0);

/**
 * Records, in the page, when each selector first matches, in milliseconds since the navigation
 * began (the page's own clock): no time of the driver's round trips is counted. Source text, as
 * it runs in the page: no helper of the TypeScript loader may leak into it.
 */
function watchDrawn(selectors: string[]): string {
  return `(() => {
    const selectors = ${JSON.stringify(selectors)};
    const drawn = (window.nexusDrawn = {});
    new MutationObserver(() => {
      for (const s of selectors) if (drawn[s] === undefined && document.querySelector(s)) drawn[s] = performance.now();
    }).observe(document, { childList: true, subtree: true });
  })();`;
}

async function drawnAt(page: Page, selector: string): Promise<number> {
  await page.locator(selector).first().waitFor({ timeout: 30_000 });
  return page.evaluate<number>(`window.nexusDrawn[${JSON.stringify(selector)}]`);
}

/** A full page load: from the navigation's start to the page's data drawn. */
async function load(page: Page, base: string, p: BrowserPage): Promise<number> {
  await page.goto(`${base}${p.path}`, { waitUntil: 'load' });
  return drawnAt(page, p.ready);
}

/** From `act` (a click, Back) to `selector` newly drawn, timed in the page: in-panel navigation, no new document. */
async function navigate(page: Page, selector: string, act: () => Promise<void>): Promise<number> {
  await page.evaluate(`(() => {
    window.nexusActed = undefined;
    for (const key of Object.keys(window.nexusDrawn)) delete window.nexusDrawn[key];
    const acted = () => (window.nexusActed = performance.now());
    document.addEventListener('click', acted, { capture: true, once: true });
    window.addEventListener('popstate', acted, { once: true });
  })()`);
  await act();
  const drawn = await drawnAt(page, selector);
  return drawn - (await page.evaluate<number>('window.nexusActed'));
}

/** The pages timed: the start page, lists, a record. */
export function browserPages(travelerId: number): BrowserPage[] {
  const list = (resource: string) => `table[data-css="${resource}-table"] tbody tr`;
  return [
    { label: 'dashboard', path: '/admin', ready: '[data-testid="nexus-dashboard"]' },
    { label: 'travelers list', path: '/admin/resources/travelers', ready: list('travelers') },
    { label: 'a traveler', path: `/admin/resources/travelers/records/${travelerId}/show`, ready: RECORD_READY },
    { label: 'work orders list', path: '/admin/resources/work_orders', ready: list('work_orders') },
    { label: 'audit log', path: '/admin/resources/audit_logs', ready: list('audit_logs') },
  ];
}

export async function measureBrowser(base: string, cookie: string, pages: BrowserPage[], rounds: number): Promise<BrowserCase> {
  const executablePath = CHROMIUM.find((p) => fs.existsSync(p));
  if (!executablePath) throw new Error('measurement (7) needs Chromium: apt-get install -y chromium (or set CHROMIUM_PATH)');
  // A profile on disk, as a person's browser has: its HTTP cache and the compiled code Chromium
  // keeps beside it (a private context keeps neither), removed afterwards.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-bench-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath,
    viewport: { width: 1366, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-sync'],
  });
  try {
    const [name, value] = cookie.split('=', 2) as [string, string];
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    await page.addInitScript({ content: watchDrawn([...new Set([...pages.map((p) => p.ready), RECORD_READY])]) });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const start = pages[0]!;

    // An empty cache: everything the start page needs comes over the wire.
    const first = await traffic(cdp, async () => {
      await load(page, base, start);
      await page.waitForLoadState('networkidle');
    });
    // The same page again, as a person opens it tomorrow: only what is not kept is asked for.
    const repeat = await traffic(cdp, async () => {
      await load(page, base, start);
      await page.waitForLoadState('networkidle');
    });
    const reached = repeat.filter((s) => !s.fromCache);

    const full = new Map<BrowserPage, number[]>(pages.map((p) => [p, []]));
    for (const p of pages) await load(page, base, p); // warm-up: each page's queries once
    for (let round = 0; round < rounds; round += 1) for (const p of pages) full.get(p)!.push(await load(page, base, p));

    const list = pages.find((p) => p.label === 'travelers list')!;
    const toRecord: number[] = [];
    const back: number[] = [];
    await load(page, base, list);
    for (let round = 0; round <= rounds; round += 1) {
      const row = page.locator('table[data-css="travelers-table"] tbody tr[data-id]').nth(round % 5);
      const there = await navigate(page, RECORD_READY, () => row.locator('td[data-css="travelers-status-table-cell"]').click());
      const returned = await navigate(page, list.ready, async () => {
        await page.goBack({ waitUntil: 'commit' });
      });
      // The first round is a warm-up.
      if (round > 0) {
        toRecord.push(there);
        back.push(returned);
      }
    }
    return {
      pages,
      rounds,
      first: { bytes: sum(first), requests: first.length, assetBytes: sum(first.filter((s) => ASSET_TYPES.has(s.type))) },
      repeat: {
        bytes: sum(repeat),
        requests: repeat.length,
        reachedServer: reached.length,
        assetsReachedServer: reached.filter((s) => ASSET_TYPES.has(s.type)).map((s) => new URL(s.url).pathname),
      },
      fullLoad: latency([...full.values()].flat()),
      fullLoadByPage: pages.map((p) => ({ label: p.label, latency: latency(full.get(p)!) })),
      navigation: { toRecord: latency(toRecord), back: latency(back) },
    };
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

export function browserVerdicts(b: BrowserCase): Verdict[] {
  return [
    atMost('(7) first load of the start page, bytes transferred', b.first.bytes / 1000, BROWSER_TARGETS.firstLoadBytes / 1000, ' kB', 0),
    exactly(
      '(7) repeat load: assets asked of the server again',
      b.repeat.assetsReachedServer.length === 0,
      String(b.repeat.assetsReachedServer.length),
      '0',
      b.repeat.assetsReachedServer.join(', '),
    ),
    atMost('(7) full page load, p95 over the pages', b.fullLoad.p95, BROWSER_TARGETS.fullLoadMs, ' ms', 0),
    atMost('(7) in-panel navigation list → record, p95', b.navigation.toRecord.p95, BROWSER_TARGETS.navigationMs, ' ms', 0),
    atMost('(7) in-panel navigation record → list (back), p95', b.navigation.back.p95, BROWSER_TARGETS.navigationMs, ' ms', 0),
  ];
}

/** The report's section. */
export function browserSection(b: BrowserCase): string[] {
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;
  const ms = (value: number) => value.toFixed(0);
  return [
    '## (7) The panel in a browser',
    '',
    "Headless Chromium (playwright-core, the system's Chromium) against the same app, signed in as the",
    "administrator. Bytes are Chromium's count of what crossed the wire, headers included. First load:",
    'the start page with an empty cache. Repeat load: the same page opened again; what Chromium answered',
    `from its cache never reached the server. Full page loads: ${b.pages.map((p) => p.label).join(', ')}, each opened`,
    `${b.rounds} times after one warm-up (address to data drawn). In-panel navigation: a click on a row of the`,
    "travelers list to the record's page drawn, and the browser's Back to the list drawn.",
    '',
    '| | |',
    '| --- | --- |',
    `| first load | ${kb(b.first.bytes)} in ${b.first.requests} responses (${kb(b.first.assetBytes)} of them scripts, styles, fonts, images) |`,
    `| repeat load | ${kb(b.repeat.bytes)}; ${b.repeat.reachedServer} of ${b.repeat.requests} requests reached the server, ${b.repeat.assetsReachedServer.length} of them for an asset |`,
    `| full page load | p50 ${ms(b.fullLoad.p50)} ms, p95 ${ms(b.fullLoad.p95)} ms, max ${ms(b.fullLoad.max)} ms (${b.fullLoad.n} loads) |`,
    ...b.fullLoadByPage.map(({ label, latency: l }) => `| … ${label} | p50 ${ms(l.p50)} ms, p95 ${ms(l.p95)} ms |`),
    `| list → record | p50 ${ms(b.navigation.toRecord.p50)} ms, p95 ${ms(b.navigation.toRecord.p95)} ms (${b.navigation.toRecord.n} clicks) |`,
    `| record → list (Back) | p50 ${ms(b.navigation.back.p50)} ms, p95 ${ms(b.navigation.back.p95)} ms (${b.navigation.back.n} times) |`,
    '',
  ];
}
