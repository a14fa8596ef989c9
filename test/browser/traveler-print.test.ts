import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';
import type { TestApp } from '../support/test-app.js';

/**
 * The printable traveler in Chromium: it renders with its QR code, prints to a PDF, loads
 * nothing from elsewhere, and markup typed into a traveler's notes stays text.
 */

const ARTIFACTS = path.resolve('test-artifacts');
const NOTES = `First 60 of 120. <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>`;

let session: BrowserSession;
let t: TestApp;
let floor: Floor;
let base: string;
let page: Page;
let travelerId: number;
const consoleErrors: string[] = [];

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, floor, base, page } = session);
  // The floor's running traveler: a manual step and labor to print.
  travelerId = floor.running.id;
  await t.db.query(`UPDATE travelers SET notes = $1 WHERE id = $2`, [NOTES, travelerId]);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await session?.close();
});

describe('the printable traveler in a real browser', () => {
  it('shows the running traveler with its QR code, saves a screenshot and a PDF, and runs no script from the data', async () => {
    const number = floor.running.number;
    await session.signIn('operator');
    // From here on only the print page is open: a CSP refusal would show up as a console error.
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const response = await page.goto(`${base}/admin/travelers/${travelerId}/print`);
    expect(response?.status()).toBe(200);
    const qr = page.getByTestId('qr').locator('svg');
    await qr.waitFor({ timeout: 20_000 });
    const box = await qr.boundingBox();
    expect(box!.width).toBeGreaterThan(80);
    expect(Math.abs(box!.width - box!.height)).toBeLessThan(1);

    await expect(page.title()).resolves.toBe(`Traveler ${number}`);
    await expect(page.getByTestId('header-traveler').textContent()).resolves.toBe(number);
    await expect(page.getByTestId('qr-number').textContent()).resolves.toBe(number);
    await expect(page.getByTestId('header-notes').textContent()).resolves.toBe(NOTES);
    await expect(page.locator('[data-testid^="manual-step-"]').textContent()).resolves.toContain('Extra deburr of cross-drilled port intersections');
    await expect(page.getByTestId('labor-total').textContent()).resolves.toMatch(/^Total/);
    // Markup in the notes is text: no element was made of it and nothing of it ran.
    await expect(page.locator('img').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).resolves.toBeUndefined();

    // The toolbar's button runs the page's one (hash-allowed) script.
    await page.evaluate(() => {
      const w = window as unknown as { __printed: number; print: () => void };
      w.__printed = 0;
      w.print = () => {
        w.__printed += 1;
      };
    });
    await page.getByRole('button', { name: 'Print / Save as PDF' }).click();
    await expect(page.evaluate(() => (window as unknown as { __printed: number }).__printed)).resolves.toBe(1);
    await expect(page.getByRole('link', { name: `Back to traveler ${number}` }).getAttribute('href')).resolves.toBe(
      `/admin/resources/travelers/records/${travelerId}/show`,
    );

    await page.screenshot({ path: path.join(ARTIFACTS, 'traveler-print.png'), fullPage: true });

    // On paper: the toolbar is gone, and Chromium prints it to a PDF.
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.toolbar').isVisible()).resolves.toBe(false);
    await expect(page.getByTestId('qr').isVisible()).resolves.toBe(true);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    fs.writeFileSync(path.join(ARTIFACTS, 'traveler-print.pdf'), pdf);
    await page.emulateMedia({ media: 'screen' });

    expect(consoleErrors).toEqual([]);
    expect(session.outside).toEqual([]);
    expect(session.failed).toEqual([]);
  }, 180_000);
});
