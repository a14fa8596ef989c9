import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Tabs named after what they show, a favicon from our own server, and History that reads as
 * people read: statuses by label, Yes/No, times with their zone, a browser by name, filters
 * applied by the server (a refused one explained at the filter).
 */
const SHOTS = path.resolve('test-results', 'screenshots');
const SHOP_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [A-Z]{2,5}([+-]\d{1,2}(:\d{2})?)?$/;

let session: BrowserSession;
let t: TestApp;
let floor: Floor;
let page: Page;
let base: string;
const ids = {} as Record<'released' | 'workOrder' | 'part' | 'customer', number>;

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

async function titleOf(url: string, expected: string): Promise<string> {
  await page.goto(`${base}${url}`);
  await page.waitForFunction((title) => document.title === title, expected, { timeout: 20_000 }).catch(() => undefined);
  return page.title();
}

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, floor, page, base } = session);
  fs.mkdirSync(SHOTS, { recursive: true });
  ids.released = floor.released.id;
  ids.workOrder = floor.workOrders.open.id;
  ids.part = floor.parts.bracket.id;
  ids.customer = floor.customers.aero.id;
  // The panel's components are bundled on their first request: done here, outside any page's timeout.
  expect((await fetch(`${base}/admin/frontend/assets/components.bundle.js`)).status).toBe(200);
  await session.signIn('admin');
}, 240_000);

afterAll(async () => {
  await session?.close();
});

describe('tabs and headings name what is open', () => {
  it('titles list, record and new pages by resource and record, not by action', async () => {
    const pages: Array<[string, string]> = [
      ['/admin/resources/travelers', 'Travelers · NEXUS'],
      [`/admin/resources/travelers/records/${ids.released}/show`, `Traveler ${floor.released.number} · NEXUS`],
      ['/admin/resources/customers', 'Customers · NEXUS'],
      [`/admin/resources/customers/records/${ids.customer}/show`, 'Customer Aerodyne Systems Inc. · NEXUS'],
      ['/admin/resources/customers/actions/new', 'New customer · NEXUS'],
      ['/admin/resources/work_orders', 'Work orders · NEXUS'],
      [`/admin/resources/work_orders/records/${ids.workOrder}/show`, `Work order ${floor.workOrders.open.number} · NEXUS`],
      ['/admin/resources/work_orders/actions/new', 'New work order · NEXUS'],
      ['/admin/resources/parts', 'Parts · NEXUS'],
      [`/admin/resources/parts/records/${ids.part}/show`, `Part ${floor.parts.bracket.number} · NEXUS`],
      ['/admin/resources/parts/actions/new', 'New part · NEXUS'],
      [`/admin/resources/parts/records/${ids.part}/edit`, `Edit part ${floor.parts.bracket.number} · NEXUS`],
      [`/admin/resources/travelers/records/${ids.released}/history`, `History of traveler ${floor.released.number} · NEXUS`],
      ['/admin', 'Dashboard · NEXUS'],
    ];
    const seen: Array<[string, string]> = [];
    for (const [url, expected] of pages) seen.push([url, await titleOf(url, expected)]);
    expect(seen).toEqual(pages);
    // Never the bare action name AdminJS gave every tab.
    for (const [, title] of seen) expect(title).not.toMatch(/^(Show|List|Create new|Edit|NEXUS)( · NEXUS)?$/);
    // Only pages the role may open: no refusal was recorded on the way.
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access_denied'`)).n).toBe(0);
  });

  it('breadcrumbs name the record and link each step, the current one marked', async () => {
    await titleOf(`/admin/resources/work_orders/records/${ids.workOrder}/edit`, `Edit work order ${floor.workOrders.open.number} · NEXUS`);
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
    await crumbs.waitFor({ timeout: 20_000 });
    expect((await crumbs.locator('li').allTextContents()).map((c) => c.replace('/', '').trim())).toEqual([
      'Dashboard',
      'Work orders',
      floor.workOrders.open.number,
      'Edit',
    ]);
    expect(await crumbs.locator('a', { hasText: floor.workOrders.open.number }).getAttribute('href')).toBe(
      `/admin/resources/work_orders/records/${ids.workOrder}/show`,
    );
    expect(await crumbs.locator('[aria-current="page"]').textContent()).toBe('Edit');
    expect(await crumbs.locator('a[href="#"]').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'readable-breadcrumbs.png') });
  });

  it('the favicon is ours, served with 200 from this host', async () => {
    await page.goto(`${base}/admin/resources/travelers`);
    const href = await page.evaluate(() => (document.querySelector('link[rel~="icon"]') as HTMLLinkElement | null)?.href ?? null);
    expect(href).toBe(`${base}/admin/favicon.png`);
    const answer = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        cache: res.headers.get('cache-control'),
        bytes: (await res.arrayBuffer()).byteLength,
      };
    }, href!);
    expect(answer).toMatchObject({ status: 200, type: 'image/png', cache: expect.stringMatching(/max-age=\d+/) });
    expect(answer.bytes).toBeGreaterThan(100);
    expect(session.outside).toEqual([]);
  });
});

describe('History reads as people read', () => {
  it('shows statuses by label, Yes/No, times with their zone and the browser by name', async () => {
    await page.goto(`${base}/admin/resources/travelers/records/${ids.released}/history`);
    await page.getByTestId('nexus-history').waitFor({ timeout: 20_000 });
    const statusRow = page
      .getByTestId('history-field-status')
      .filter({ has: page.locator('del') })
      .first();
    await expect(statusRow.locator('del').textContent()).resolves.toBe('Draft');
    await expect(statusRow.locator('ins').textContent()).resolves.toBe('Released');
    const body = (await page.locator('[data-testid="nexus-history"]').textContent()) ?? '';
    expect(body).not.toMatch(/\breleased\b/);
    // Every check of this routing is measured (Yes); no step runs in parallel (No).
    expect(new Set(await page.locator('[data-testid="history-field-requires_measurement"] ins').allTextContents())).toEqual(new Set(['Yes']));
    expect(new Set(await page.locator('[data-testid="history-field-is_parallel"] ins').allTextContents())).toEqual(new Set(['No']));
    expect(body).not.toMatch(/\b(true|false)\b/);
    const times = await page.getByTestId('history-when').allTextContents();
    expect(times.length).toBeGreaterThan(0);
    for (const when of times) expect(when).toMatch(SHOP_TIME);
    await page.screenshot({ path: path.join(SHOTS, 'readable-history.png'), fullPage: true });
  });

  it('filters by field on the server and says why a filter is refused, at the filter', async () => {
    await page.goto(`${base}/admin/resources/travelers/records/${ids.released}/history`);
    await page.getByTestId('nexus-history').waitFor({ timeout: 20_000 });
    const all = await page.getByTestId('history-entry').count();
    await page.getByLabel('Field').selectOption('travelers.status');
    await page.getByTestId('history-filter-apply').click();
    await page.waitForURL(/\?field=travelers\.status$/, { timeout: 20_000 });
    await page.getByTestId('history-summary').filter({ hasText: 'matching the filter' }).waitFor({ timeout: 20_000 });
    const entries = page.getByTestId('history-entry');
    const shown = await entries.count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(all);
    for (let i = 0; i < shown; i++) {
      const fields = await entries
        .nth(i)
        .locator('[data-testid^="history-field-"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
      expect(fields).toEqual(['history-field-status']);
    }

    // A span that ends before it starts: the server refuses it, and the reason shows at the filter.
    await page.getByLabel('From (day)').fill('2026-03-02');
    await page.getByLabel('To (day, included)').fill('2026-03-01');
    await page.getByTestId('history-filter-apply').click();
    const refusal = page.getByTestId('history-filter-error');
    await refusal.waitFor({ timeout: 20_000 });
    expect(await refusal.getAttribute('role')).toBe('alert');
    expect(await refusal.textContent()).toMatch(/from must be before to/);
    // What was shown stays.
    expect(await page.getByTestId('history-entry').count()).toBe(shown);
    await page.screenshot({ path: path.join(SHOTS, 'readable-history-filter.png'), fullPage: true });
    expect(session.outside).toEqual([]);
    expect(session.failed).toEqual([]);
  });
});

describe('the audit log list', () => {
  it('shows more than ten rows, one change grouped, times with their zone', async () => {
    await page.goto(`${base}/admin/resources/audit_logs`);
    const rows = page.locator('table tbody tr');
    await rows.nth(10).waitFor({ timeout: 20_000 });
    expect(await rows.count()).toBeGreaterThan(10);
    // The floor's set-up writes many fields per record: rows that continue a change say so instead of repeating it.
    expect(await page.getByTestId('audit-same-change').count()).toBeGreaterThan(0);
    const firstTime = await rows.first().locator('time').textContent();
    expect(firstTime).toMatch(SHOP_TIME);
    await page.screenshot({ path: path.join(SHOTS, 'readable-audit-log.png') });
    expect(session.outside).toEqual([]);
    expect(session.failed).toEqual([]);
  });
});
