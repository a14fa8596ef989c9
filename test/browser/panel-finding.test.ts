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
}, 120_000);

afterAll(async () => {
  await session?.close();
});

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

/** The options a picker's menu shows now. */
async function optionsOf(picker: ReturnType<Page['getByTestId']>): Promise<string[]> {
  await picker.locator('[class*="-menu"]').waitFor({ timeout: 20_000 });
  await page.waitForFunction((el) => !el?.querySelector('[class*="-menu"]')?.textContent?.includes('Loading'), await picker.elementHandle(), {
    timeout: 20_000,
  });
  return picker.locator('[class*="-option"]').allTextContents();
}

describe('choosing records in a form, in a real browser', () => {
  it('an engineer writes a work order: the part by any word of it, then only that part’s revisions that may be chosen, and lands on the new order', async () => {
    await session.signIn('engineer');
    await page.goto(`${base}/admin/resources/work_orders/actions/new`);
    const revision = page.getByTestId('picker-revision_id');
    await revision.waitFor({ timeout: 30_000 });
    // Nothing to choose until the part is chosen, and the picker says so.
    await revision.getByText('Choose the part first').waitFor();
    // The label points at the input a screen reader lands in.
    expect(await page.locator('label[for="field-revision_id"]').textContent()).toContain('Revision');
    expect(await page.locator('input#field-revision_id').count()).toBe(1);

    const manifold = floor.parts.manifold.number;
    await page.locator('#field-customer_id').fill('Midwest');
    expect(await optionsOf(page.getByTestId('picker-customer_id'))).toEqual(['Midwest Hydraulics LLC']);
    await page.keyboard.press('Enter');

    await page.locator('#field-part_id').fill('manifold');
    // Found by a word of its description, shown by its number.
    expect(await optionsOf(page.getByTestId('picker-part_id'))).toEqual([manifold]);
    await page.keyboard.press('Enter');

    await page.locator('#field-revision_id').click();
    // Rev A is obsolete: not offered for new work.
    expect(await optionsOf(revision)).toEqual([`${manifold} rev B`, `${manifold} rev C`]);
    await page.screenshot({ path: path.join(SHOTS, 'work-order-revision-picker.png'), fullPage: true });
    await revision.getByText(`${manifold} rev B`, { exact: true }).click();

    await page.fill('#number', 'WO-PICK-1');
    await page.fill('#quantity', '12');
    await Promise.all([
      page.waitForURL(/\/admin\/resources\/work_orders\/records\/\d+\/show/, { timeout: 20_000 }),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    const made = await one<{ id: number; part: string; revision: string; customer: string }>(
      `SELECT w.id, p.part_number AS part, r.revision_code AS revision, c.code AS customer
         FROM work_orders w JOIN parts p ON p.id = w.part_id JOIN revisions r ON r.id = w.revision_id JOIN customers c ON c.id = w.customer_id
        WHERE w.number = 'WO-PICK-1'`,
    );
    expect(made).toMatchObject({ part: manifold, revision: 'B', customer: floor.customers.hydro.code });
    expect(page.url()).toContain(`/records/${made.id}/show`);
    // Its page names the revision as the picker did.
    await page.getByText(`${manifold} rev B`).first().waitFor({ timeout: 20_000 });
  });
});

describe('a new work order starts from sensible values, in a real browser', () => {
  it('proposes priority, status and due date, and numbers the order when the number is left empty', async () => {
    await session.signOut().catch(() => undefined);
    await session.signIn('engineer');
    await page.goto(`${base}/admin/resources/work_orders/actions/new`);
    await page.getByTestId('picker-customer_id').waitFor({ timeout: 30_000 });
    // The browser's own calendar day, 14 days on (WORK_ORDER_LEAD_DAYS' default).
    const due = await page.evaluate(() => {
      const d = new Date();
      d.setDate(d.getDate() + 14);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    // The date picker shows the day as yyyy/MM/dd.
    expect(await page.getByTestId('property-edit-due_date').locator('input').first().inputValue()).toBe(due.replace(/-/g, '/'));
    await page.getByText('A new work order starts open.').waitFor();
    await page.getByText('Leave empty to get the next free number when you save.').waitFor();

    await page.locator('#field-customer_id').fill('Midwest');
    await page.getByTestId('picker-customer_id').getByText('Midwest Hydraulics LLC', { exact: true }).click();
    await page.locator('#field-part_id').fill(floor.parts.manifold.number);
    await page.getByTestId('picker-part_id').getByText(floor.parts.manifold.number, { exact: true }).click();
    await page.fill('#quantity', '3');
    await Promise.all([
      page.waitForURL(/\/admin\/resources\/work_orders\/records\/\d+\/show/, { timeout: 20_000 }),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    const id = Number(page.url().match(/records\/(\d+)\/show/)![1]);
    const made = await one<{ number: string; status: string; priority: string; due: string }>(
      `SELECT number, status, priority, to_char(due_date, 'YYYY-MM-DD') AS due FROM work_orders WHERE id = $1`,
      [id],
    );
    const yy = String(new Date().getUTCFullYear()).slice(-2);
    expect(made).toMatchObject({ status: 'open', priority: 'normal', due });
    expect(made.number).toMatch(new RegExp(`^WO-${yy}\\d{3}$`));
  });
});

describe('menus fit the role, in a real browser', () => {
  it('lists My work for those who work steps and My approvals for those who read them, and no page a role cannot use', async () => {
    const expected: Record<string, string[]> = {
      engineer: ['My Approvals'],
      operator: ['My Approvals', 'My Work'],
      viewer: [],
    };
    for (const [role, pages] of Object.entries(expected)) {
      await session.signOut().catch(() => undefined);
      await session.signIn(role as 'engineer' | 'operator' | 'viewer');
      await page.goto(`${base}/admin`);
      const sidebar = page.locator('[data-css="sidebar"]');
      await sidebar.getByText('Travelers').first().waitFor({ timeout: 30_000 });
      const links = await sidebar.locator('a[href^="/admin/pages/"]').allTextContents();
      expect({
        role,
        pages: links
          .map((l) => l.trim())
          .filter(Boolean)
          .sort(),
      }).toEqual({ role, pages });
    }
  });
});

describe('values people can read, in a real browser', () => {
  it('shows statuses as badges with text contrast of at least 4.5:1, each status its own colour', async () => {
    await session.signOut().catch(() => undefined);
    await session.signIn('engineer');
    await page.goto(`${base}/admin/resources/travelers?perPage=50`);
    await page.locator('section[data-css="travelers-list"] tbody tr, table tbody tr').first().waitFor({ timeout: 30_000 });
    const badges = await page.evaluate(() => {
      const channel = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      const luminance = (rgb: string) => {
        const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number);
        return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
      };
      return Array.from(document.querySelectorAll('table tbody td'))
        .flatMap((cell) =>
          Array.from(cell.querySelectorAll('span, div')).filter(
            (el) => getComputedStyle(el).backgroundColor !== 'rgba(0, 0, 0, 0)' && el.children.length === 0,
          ),
        )
        .map((el) => {
          const style = getComputedStyle(el);
          const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
          return { text: el.textContent ?? '', value: el.getAttribute('data-value'), background: style.backgroundColor, contrast: (a! + 0.05) / (b! + 0.05) };
        });
    });
    expect(badges.length).toBeGreaterThan(3);
    for (const badge of badges) expect({ ...badge, readable: badge.contrast >= 4.5 }).toMatchObject({ readable: true });
    const colourOf = new Map(badges.map((b) => [b.value, b.background]));
    expect(colourOf.get('completed')).not.toEqual(colourOf.get('in_progress'));
    expect(colourOf.get('draft')).not.toEqual(colourOf.get('released'));
    // Identifiers (part, work order and traveler numbers) are never broken inside a token.
    const broken = await page.evaluate(() => {
      const wrapped: string[] = [];
      const walker = document.createTreeWalker(document.querySelector('table tbody')!, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = (node.textContent ?? '').trim();
        if (!text || /\s/.test(text)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        // A text node that wraps has one box per line.
        if (range.getClientRects().length > 1) wrapped.push(text);
      }
      return wrapped;
    });
    expect(
      await page.evaluate(
        () =>
          Array.from(document.styleSheets)
            .map((s) => s.href)
            .filter((h) => h?.includes('panel.css')).length,
      ),
    ).toBe(1);
    expect(broken).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'travelers-list-badges.png') });
  });
});
