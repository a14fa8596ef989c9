import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';

/**
 * Stored text is shown as text wherever it appears: lists, record pages, History, the audit
 * log and the printable traveler. Payloads that would run script if rendered as HTML are put in
 * through the database (as anything could put them there), then every page that shows them is
 * opened: the text must be visible literally, and no script may have run.
 */
const NAME = '<img src=x onerror="window.__xss=1">Hydro <b>bold</b>';
const NOTES = '<script>window.__xss=2</script><svg onload="window.__xss=3">';

let session: BrowserSession;
let page: Page;

beforeAll(async () => {
  session = await startBrowserSession();
  page = session.page;
  const { t, floor } = session;
  await t.db.query(`UPDATE customers SET name = $1 WHERE id = $2`, [NAME, floor.customers.hydro.id]);
  await t.db.query(`UPDATE travelers SET notes = $1 WHERE id = $2`, [NOTES, floor.draft.id]);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

async function noScriptRan(): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
}

describe('stored markup renders as text', () => {
  it('in lists, record pages, History, the audit log and the print page', async () => {
    const { floor, base } = session;
    await session.signIn('quality');
    const customer = floor.customers.hydro.id;
    const traveler = floor.draft.id;
    const visits: Array<[string, string]> = [
      [`/admin/resources/customers`, 'Hydro <b>bold</b>'],
      [`/admin/resources/customers/records/${customer}/show`, 'Hydro <b>bold</b>'],
      [`/admin/resources/customers/records/${customer}/history`, 'Hydro <b>bold</b>'],
      [`/admin/resources/audit_logs?filters.table_name=customers&filters.record_id=${customer}`, 'Hydro <b>bold</b>'],
      [`/admin/resources/travelers/records/${traveler}/show`, '<script>window.__xss=2</script>'],
      [`/admin/travelers/${traveler}/print`, '<script>window.__xss=2</script>'],
    ];
    for (const [path, literal] of visits) {
      await page.goto(`${base}${path}`);
      await page.getByText(literal, { exact: false }).first().waitFor({ timeout: 30_000 });
      await noScriptRan();
    }
    // The markup was never turned into elements.
    expect(await page.locator('svg[onload]').count()).toBe(0);
    expect(session.outside).toEqual([]);
    expect(session.failed).toEqual([]);
  });
});
