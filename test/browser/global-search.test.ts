import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';
import type { TestApp } from '../support/test-app.js';

const SHOTS = path.resolve('test-results', 'screenshots');

let session: BrowserSession;
let t: TestApp;
let floor: Floor;
let page: Page;
let base: string;

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, floor, page, base } = session);
  fs.mkdirSync(SHOTS, { recursive: true });
  // A title that is markup: the results must show it as text.
  await t.db.query(`INSERT INTO customers (code, name) VALUES ('XSS2', '<img src=x onerror="window.__searchXss=1"> Tooling')`);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

const box = () => page.getByRole('combobox', { name: 'Search travelers, work orders, parts and customers by number or name' });
const results = () => page.getByRole('listbox', { name: 'Search results' });

/** Waits until the results answer the text in the box (the status line says what was found). */
async function resultsFor(text: string): Promise<void> {
  await page.waitForFunction(
    (typed) => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="global-search-input"]');
      const status = document.querySelector('[data-testid="global-search-status"]')?.textContent ?? '';
      return input?.value === typed && status !== '' && status !== 'Searching…';
    },
    text,
    { timeout: 20_000 },
  );
}

describe('the top bar’s search, in a real browser', () => {
  it('takes an engineer from the dashboard to a traveler typed by number in two keys: "/" and Enter', async () => {
    await session.signIn('engineer');
    await page.getByTestId('nexus-dashboard').waitFor({ timeout: 30_000 });
    const traveler = floor.released;

    let actions = 0;
    await page.keyboard.press('/'); // 1: the cursor goes to the search box
    actions += 1;
    await expect(box().evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.type(traveler.number);
    await resultsFor(traveler.number);
    // Grouped by kind, the traveler first, told apart by its part and status.
    await expect(results().isVisible()).resolves.toBe(true);
    const group = results().getByRole('group', { name: 'Travelers' });
    const first = group.getByRole('option').first();
    expect(await first.textContent()).toMatch(new RegExp(`^${traveler.number}${floor.parts.shaft.number} · `));
    expect(await box().getAttribute('aria-expanded')).toBe('true');
    await page.screenshot({ path: path.join(SHOTS, 'global-search-results.png') });

    await Promise.all([page.waitForURL(`${base}/admin/resources/travelers/records/${traveler.id}/show`, { timeout: 20_000 }), page.keyboard.press('Enter')]); // 2
    actions += 1;
    expect(actions).toBeLessThanOrEqual(3);
    await page.getByText(traveler.number).first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'global-search-landed-on-traveler.png') });
    // The box is empty again, ready for the next number.
    expect(await box().inputValue()).toBe('');
  });

  it('moves through the results with the arrow keys and opens the chosen one', async () => {
    await box().click();
    // The start every traveler number of the floor shares: several results to move through.
    await box().fill(floor.travelerPrefix);
    await resultsFor(floor.travelerPrefix);
    const options = results().getByRole('option');
    const second = await options.nth(1).getAttribute('data-href');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await options.nth(1).getAttribute('aria-selected')).toBe('true');
    expect(await box().getAttribute('aria-activedescendant')).toBe(await options.nth(1).getAttribute('id'));
    await Promise.all([page.waitForURL(`${base}${second}`, { timeout: 20_000 }), page.keyboard.press('Enter')]);
  });

  it('shows titles as text, never as markup, and closes with Escape', async () => {
    await box().click();
    await box().fill('Tooling');
    await resultsFor('Tooling');
    const option = results().getByRole('group', { name: 'Customers' }).getByRole('option').first();
    expect(await option.textContent()).toContain('<img src=x onerror="window.__searchXss=1"> Tooling');
    expect(await results().locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __searchXss?: number }).__searchXss)).toBeUndefined();
    await page.keyboard.press('Escape');
    expect(await box().getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Escape');
    expect(await box().inputValue()).toBe('');
  });

  it('offers a viewer no kind they may not read, and keeps the user menu with its Log out', async () => {
    await session.signOut();
    await session.signIn('viewer');
    await box().click();
    await box().fill('user');
    await resultsFor('user');
    expect(await results().getByRole('group', { name: 'Users' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');

    // The account menu opens from the keyboard too, and its Log out leads to the sign-out page.
    const account = page.getByRole('button', { name: /account menu$/ });
    expect(await account.getAttribute('aria-expanded')).toBe('false');
    await account.focus();
    await page.keyboard.press('Enter');
    expect(await account.getAttribute('aria-expanded')).toBe('true');
    const logOut = page.getByRole('menuitem', { name: 'Log out' });
    await logOut.waitFor();
    await page.keyboard.press('Escape');
    expect(await account.getAttribute('aria-expanded')).toBe('false');
    await account.click();
    await Promise.all([page.waitForURL(/\/admin\/logout/, { timeout: 20_000 }), logOut.click()]);
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 20_000 });
  });

  it('a dashboard tile opens the list of what it counted, and Export CSV takes exactly that list away', async () => {
    await session.signIn('engineer');
    const tile = page.getByTestId('tile-late-travelers').getByRole('link');
    await tile.waitFor({ timeout: 30_000 });
    const counted = Number((await tile.textContent())?.trim());
    await Promise.all([page.waitForURL(/\/admin\/resources\/travelers\?filters\.late=true/, { timeout: 20_000 }), tile.click()]);
    await page
      .locator('table')
      .first()
      .or(page.getByText(/no records/i).first())
      .waitFor({ timeout: 20_000 });
    if (counted > 0) await page.locator('table tbody tr').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('table tbody tr').count()).toBe(Math.min(counted, 10));

    await page
      .locator('a, button')
      .filter({ hasText: /^Export CSV$/ })
      .first()
      .click();
    const drawer = page.getByTestId('list-export');
    await drawer.getByTestId('list-export-count').waitFor({ timeout: 20_000 });
    expect(await drawer.getByTestId('list-export-filters').textContent()).toContain('Late: past the due date and not finished: yes');
    expect(await drawer.getByTestId('list-export-count').textContent()).toMatch(new RegExp(`^${counted} rows? match`));
    await page.screenshot({ path: path.join(SHOTS, 'list-export-late-travelers.png') });
    const href = (await drawer.getByTestId('list-export-download').getAttribute('href'))!;
    expect(href).toBe('/admin/exports/lists/travelers.csv?filters.late=true&sortBy=due_date&direction=asc');
    const file = await page.request.get(`${base}${href}`);
    expect(file.status()).toBe(200);
    const lines = (await file.text()).split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(counted + 1);
  });

  it('works on a phone: the box fits beside the menu and the user, and finds a work order', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await session.signIn('operator');
      const input = box();
      await input.waitFor({ timeout: 30_000 });
      const size = await input.boundingBox();
      expect(size!.width).toBeGreaterThanOrEqual(120);
      expect(size!.x + size!.width).toBeLessThanOrEqual(390);
      const order = floor.workOrders.released;
      // Typed in small letters, as a thumb does.
      const typed = order.number.toLowerCase();
      await input.click();
      await page.keyboard.type(typed);
      await resultsFor(typed);
      const list = await results().boundingBox();
      expect(list!.x).toBeGreaterThanOrEqual(0);
      expect(list!.x + list!.width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(SHOTS, 'global-search-phone.png') });
      await Promise.all([page.waitForURL(`${base}/admin/resources/work_orders/records/${order.id}/show`, { timeout: 20_000 }), page.keyboard.press('Enter')]);
    } finally {
      await page.setViewportSize({ width: 1366, height: 900 });
    }
    expect(session.outside).toEqual([]);
    expect(session.failed).toEqual([]);
  });
});
