import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';

const SHOTS = path.resolve('test-results', 'screenshots');
const OLD_NOTES = 'Material on order: 7075 plate, PO 88412.';
const NEW_NOTES = 'Material received <PO 88412> & certs checked';

let floor: Floor;
let base: string;
let page: Page;
let travelerId: number;
let session: BrowserSession;
let outside: string[];
let failed: string[];

beforeAll(async () => {
  session = await startBrowserSession();
  ({ floor, base, page, outside, failed } = session);
  // The floor's draft traveler, made with OLD_NOTES.
  travelerId = floor.draft.id;
  fs.mkdirSync(SHOTS, { recursive: true });
  // The panel's components are bundled on their first request: done here, outside any page's timeout.
  expect((await fetch(`${base}/admin/frontend/assets/components.bundle.js`)).status).toBe(200);
}, 240_000);

afterAll(async () => {
  await session?.close();
});

describe('a traveler’s history in a real browser', () => {
  it('shows an edit made through the panel as old → new, and the audit log lists and exports it', async () => {
    await session.signIn('admin');

    // Edit the traveler's notes through the form.
    await page.goto(`${base}/admin/resources/travelers/records/${travelerId}/edit`);
    const notes = page.locator('[name=notes], #notes').first();
    await notes.waitFor({ timeout: 20_000 });
    expect(await notes.inputValue()).toBe(OLD_NOTES);
    await notes.fill(NEW_NOTES);
    await page.getByRole('button', { name: /save/i }).click();
    await page.waitForURL(/\/admin\/resources\/travelers(\/records\/\d+\/show)?$/, { timeout: 20_000 });

    // Open the History from the record's page.
    await page.goto(`${base}/admin/resources/travelers/records/${travelerId}/show`);
    const historyButton = page
      .locator('a, button')
      .filter({ hasText: /^History$/ })
      .first();
    await historyButton.waitFor({ timeout: 20_000 });
    await Promise.all([page.waitForURL(`${base}/admin/resources/travelers/records/${travelerId}/history`), historyButton.click()]);
    const timeline = page.getByTestId('nexus-history');
    await timeline.waitFor({ timeout: 20_000 });
    await expect(page.getByRole('heading', { name: `History of ${floor.draft.number}` }).count()).resolves.toBe(1);

    const newest = page.getByTestId('history-entry').first();
    await expect(newest.textContent()).resolves.toMatch(/Changed/);
    await expect(newest.textContent()).resolves.toMatch(/Test admin/);
    const row = newest.getByTestId('history-field-notes');
    // The old value struck through, the new one shown as typed (escaped, not interpreted as HTML).
    await expect(row.locator('del').textContent()).resolves.toBe(OLD_NOTES);
    await expect(row.locator('ins').textContent()).resolves.toBe(NEW_NOTES);
    await expect(row.locator('del').evaluate((el) => getComputedStyle(el).textDecorationLine)).resolves.toContain('line-through');
    await expect(newest.textContent()).resolves.toMatch(/From (::ffff:)?127\.0\.0\.1/);
    // When, in one format with its zone; the browser by make and system, its full user agent on demand.
    await expect(newest.getByTestId('history-when').textContent()).resolves.toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [A-Z]{2,5}([+-]\d{1,2}(:\d{2})?)?$/);
    const browserName = newest.getByTestId('history-browser').locator('summary');
    await expect(browserName.textContent()).resolves.toMatch(/^Chrome \d+( \(headless\))? on Linux$/);
    await expect(browserName.getAttribute('title')).resolves.toMatch(/^Mozilla\/5\.0 .*Chrome\/\d+/);
    // Collapsed until asked for: the full text shows on a click (or tap).
    await expect(newest.innerText()).resolves.not.toContain('Mozilla/5.0');
    await browserName.click();
    await expect(newest.getByTestId('history-browser').innerText()).resolves.toMatch(/Mozilla\/5\.0 .*Chrome\/\d+/);
    await expect(page.locator('body').textContent()).resolves.toMatch(/Created/);
    await page.screenshot({ path: path.join(SHOTS, 'traveler-history.png') });

    // The audit log, filtered to this traveler, shows the same change by name.
    await page.goto(`${base}/admin/resources/audit_logs?filters.table_name=travelers&filters.record_id=${travelerId}&filters.field_name=notes`);
    await page.getByText(NEW_NOTES).first().waitFor({ timeout: 20_000 });
    const listText = (await page.locator('body').textContent()) ?? '';
    expect(listText).toContain(floor.draft.number);
    expect(listText).toContain('Test admin');
    await page.screenshot({ path: path.join(SHOTS, 'audit-log-list.png') });

    // "Export CSV" opens over the list with its filters and links the download with them.
    await page
      .locator('a, button')
      .filter({ hasText: /^Export CSV$/ })
      .first()
      .click();
    const drawer = page.getByTestId('audit-export');
    await drawer.waitFor({ timeout: 20_000 });
    await drawer.getByText(/row(s)? match now/).waitFor({ timeout: 20_000 });
    const href = await page.getByTestId('audit-export-download').getAttribute('href');
    expect(href).toBe(`/admin/exports/audit-logs.csv?filters.table_name=travelers&filters.record_id=${travelerId}&filters.field_name=notes`);
    await page.screenshot({ path: path.join(SHOTS, 'audit-export.png') });
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(csv).toContain(NEW_NOTES);
    expect(csv.trim().split('\r\n')).toHaveLength(3); // header, the notes it was made with, this edit
    // The record's title and the user's name beside the ids.
    expect(csv).toContain(`,Travelers,${floor.draft.number},Notes,`);
    expect(csv).toContain('Test admin (admin.user)');

    expect(outside).toEqual([]);
    expect(failed).toEqual([]);
  }, 180_000);
});
