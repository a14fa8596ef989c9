import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { Role } from '../../src/auth/roles.js';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';
import { TEST_PASSWORD, type TestApp } from '../support/test-app.js';

/**
 * An operator on a 390x844 phone (touch) works a step of a test floor from My work while quality,
 * at a desk, decides the measurement from its queue:
 *   My work → Start step 10 → Sign off → a typo in step 20's measurement, refused at the field
 *   → "25,1" and Enter → out of limits, said at the check → Sign off disabled with the reason
 *   → quality (desktop) decides from the queue → the operator is told, and signs off.
 * Every answer must appear at the control that was tapped, inside the screen; the page never
 * scrolls sideways; the operator's taps are counted.
 */
const SHOTS = path.resolve('test-results', 'screenshots');
const PHONE = { width: 390, height: 844 };

let session: BrowserSession;
let t: TestApp;
let floor: Floor;
let base: string;
let phone: BrowserContext;
let desk: BrowserContext;
let op: Page;
let qa: Page;
const outside: string[] = [];
const failed: string[] = [];
let taps = 0;

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

function watch(page: Page): void {
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) failed.push(`${response.status()} ${response.url()}`);
  });
}

async function signIn(page: Page, role: Role, landing: string): Promise<void> {
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=email]', t.users[role].username);
  await page.fill('input[name=password]', TEST_PASSWORD);
  await Promise.all([page.waitForURL(landing), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** The operator's finger: every tap of the journey is counted. */
async function tap(target: Locator): Promise<void> {
  taps += 1;
  await target.tap();
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `operator-phone-${name}.png`), fullPage: false });

/** Nothing wider than the phone: no sideways scrolling. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  expect(widths.client).toBeLessThanOrEqual(PHONE.width);
}

/** The answer is just under the control that was used, and on the screen without scrolling. */
async function expectAtControl(control: Locator, answer: Locator): Promise<void> {
  const c = (await control.boundingBox())!;
  const a = (await answer.boundingBox())!;
  expect(c).not.toBeNull();
  expect(a).not.toBeNull();
  expect(a.y).toBeGreaterThanOrEqual(c.y + c.height - 1);
  expect(a.y - (c.y + c.height)).toBeLessThan(120);
  expect(a.y).toBeGreaterThanOrEqual(0);
  expect(a.y + a.height).toBeLessThanOrEqual(PHONE.height);
}

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, floor, base } = session);
  fs.mkdirSync(SHOTS, { recursive: true });
  // The first request for the components' bundle builds it (rollup): done here, not in a page's load.
  expect((await fetch(`${base}/admin/frontend/assets/components.bundle.js`)).status).toBe(200);
  const browser = session.page.context().browser()!;
  phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  desk = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  op = await phone.newPage();
  qa = await desk.newPage();
  watch(op);
  watch(qa);
}, 120_000);

afterAll(async () => {
  await phone?.close();
  await desk?.close();
  await session?.close();
});

describe('an operator on a phone, quality at a desk', () => {
  it('works a step from My work to its sign-off, with each answer where it was tapped', async () => {
    // The floor's released traveler: nothing started yet.
    const traveler = floor.released;
    const step10 = traveler.steps[10]!;
    const step20 = traveler.steps[20]!;
    const card = (id: number) => op.locator(`[data-testid="work-step"][data-step-kind="routing"][data-step-id="${id}"]`);

    // Operators land on My work.
    await signIn(op, 'operator', `${base}/admin/pages/myWork`);
    await card(step10).waitFor({ timeout: 30_000 });
    await expectNoSidewaysScroll(op);
    expect(await card(step20).count()).toBe(0);
    await shot(op, '1-my-work');

    // Start: the confirmation under the button.
    const start = card(step10).getByRole('button', { name: 'Start' });
    await tap(start);
    const started = card(step10).locator('[role="status"][data-testid="my-work-message"]');
    await started.filter({ hasText: 'Step 10 (Cut 17-4PH bar) started.' }).waitFor();
    await card(step10).getByTestId('step-status').filter({ hasText: 'In progress' }).waitFor();
    await expectAtControl(card(step10).getByTestId('sign-off'), started);
    expect(await one('SELECT status FROM traveler_steps WHERE id = $1', [step10])).toEqual({ status: 'in_progress' });

    // Sign off: the step leaves the list, so its answer comes to the top, in view.
    await tap(card(step10).getByTestId('sign-off'));
    await card(step10).waitFor({ state: 'detached' });
    const top = op.locator('[data-testid="my-work-message"][role="status"]').filter({ hasText: 'Step 10 (Cut 17-4PH bar) signed off.' });
    await top.waitFor();
    await op.waitForFunction(
      (el) => {
        const r = el!.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      },
      await top.elementHandle(),
      { timeout: 10_000 },
    );

    // Step 20 is ready; Sign off waits for its check, and says so.
    await card(step20).waitFor();
    const signOff = card(step20).getByTestId('sign-off');
    expect(await signOff.isDisabled()).toBe(true);
    expect(await card(step20).getByTestId('sign-off-reason').textContent()).toBe(
      'Sign off is not possible yet: Step 20 (Turn OD, face, chamfer) cannot be signed off: check 1 (Bearing journal diameter) is not done.',
    );
    expect(await signOff.getAttribute('aria-describedby')).toBe(await card(step20).getByTestId('sign-off-reason').getAttribute('id'));

    // A typo: refused at the field, nothing written.
    const check = card(step20).getByTestId('work-check').first();
    const value = check.getByTestId('check-value');
    await tap(value);
    await value.fill('25.0.1');
    await value.press('Enter');
    const refusal = check.locator('[role="alert"][data-testid="my-work-message"]');
    await refusal
      .filter({
        hasText:
          /^Measured value must be a number, with a point or a comma before the decimals \(12\.5 or 12,5\) and no thousands separators \(you typed "25\.0\.1"\)$/,
      })
      .waitFor();
    expect(await value.getAttribute('aria-invalid')).toBe('true');
    await expectAtControl(value, refusal);
    expect(await one('SELECT measured_value, completed_at FROM traveler_sub_steps WHERE traveler_step_id = $1 AND sequence = 1', [step20])).toEqual({
      measured_value: null,
      completed_at: null,
    });
    await shot(op, '2-refused-at-field');

    // "25,1" (a phone's decimal comma) and Enter: recorded, out of limits, said at the check.
    await value.fill('25,1');
    await value.press('Enter');
    const recorded = check.locator('[role="status"][data-testid="my-work-message"]');
    await recorded
      .filter({
        hasText:
          'Check 1 recorded: 25.1 (typed 25,1) is outside its limits (24.987 to 25 mm). The step cannot be signed off until quality records a disposition.',
      })
      .waitFor();
    await check.getByTestId('out-of-limits').waitFor();
    expect(await value.inputValue()).toBe('25.1');
    await expectAtControl(value, recorded);
    expect(
      await one('SELECT measured_value, out_of_limits, completed_by_id FROM traveler_sub_steps WHERE traveler_step_id = $1 AND sequence = 1', [step20]),
    ).toEqual({
      measured_value: 25.1,
      out_of_limits: true,
      completed_by_id: t.users.operator.id,
    });

    // Sign off stays disabled, now for quality's decision; the reason is the server's.
    await card(step20).getByTestId('sign-off-reason').filter({ hasText: 'measured 25.1, outside its limits: quality must record a disposition.' }).waitFor();
    expect(await signOff.isDisabled()).toBe(true);
    await expectNoSidewaysScroll(op);
    await check.scrollIntoViewIfNeeded();
    await shot(op, '3-awaiting-disposition');

    // Quality, at a desk: the traveler's page shows the check waiting; the queue decides it.
    await signIn(qa, 'quality', `${base}/admin`);
    await qa.goto(`${base}/admin/resources/travelers/records/${traveler.id}/show`);
    await qa.getByTestId('traveler-steps').getByTestId('disposition-item').first().waitFor({ timeout: 30_000 });
    await qa.getByRole('link', { name: 'Disposition queue' }).first().click();
    await qa.waitForURL(`${base}/admin/pages/dispositionQueue`);
    const item = qa.getByTestId('disposition-queue').locator(`[data-testid="disposition-item"]`).first();
    await item.waitFor({ timeout: 30_000 });
    expect(await qa.getByTestId('disposition-count').textContent()).toBe('1 check awaits a disposition, oldest measurement first.');
    const named = (await item.textContent())!;
    for (const part of [
      `${traveler.number} · step 20 (Turn OD, face, chamfer) · check 1: Bearing journal diameter`,
      `part ${floor.parts.shaft.number} rev 01`,
      'Measured 25.1 mm, limits 24.987 to 25 mm: outside its limits.',
      'measured by Test operator',
    ]) {
      expect(named).toContain(part);
    }
    await item.getByLabel('Disposition').selectOption('use_as_is');
    await item.getByLabel('Why (printed on the traveler)').fill('MRB 118: journal within the bearing maker’s fit range');
    await item.getByRole('button', { name: 'Record disposition' }).click();
    await item.locator('[role="status"][data-testid="disposition-done"]').filter({ hasText: 'Disposition "use as is" recorded for check 1.' }).waitFor();
    await qa.screenshot({ path: path.join(SHOTS, 'operator-phone-4-quality-queue.png'), fullPage: true });
    expect(await one('SELECT disposition, disposition_by_id FROM traveler_sub_steps WHERE traveler_step_id = $1 AND sequence = 1', [step20])).toEqual({
      disposition: 'use_as_is',
      disposition_by_id: t.users.quality.id,
    });

    // The operator comes back to the page (as on unlocking the phone): the decision is there.
    await op.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    const decided = op.getByTestId('disposition-decided');
    await decided.waitFor();
    expect(await decided.textContent()).toBe(
      `Quality accepted your measurement on ${traveler.number} step 20 check 1 (Bearing journal diameter), 25.1 mm: Use as is (deviation accepted). Test quality: "MRB 118: journal within the bearing maker’s fit range"`,
    );
    expect(await decided.getAttribute('role')).toBe('status');
    await card(step20).getByTestId('sign-off-reason').waitFor({ state: 'detached' });
    expect(await signOff.isEnabled()).toBe(true);
    await op.evaluate(() => window.scrollTo(0, 0));
    await shot(op, '5-decided');

    await tap(signOff);
    await card(step20).waitFor({ state: 'detached' });
    await op.locator('[data-testid="my-work-message"][role="status"]').filter({ hasText: 'Step 20 (Turn OD, face, chamfer) signed off.' }).waitFor();
    await decided.waitFor({ state: 'detached' });
    expect(await one('SELECT status, completed_by_id FROM traveler_steps WHERE id = $1', [step20])).toEqual({
      status: 'completed',
      completed_by_id: t.users.operator.id,
    });
    await expectNoSidewaysScroll(op);
    await shot(op, '6-signed-off');

    // Start, Sign off, the value field, Sign off: the rest was typing and Enter.
    expect(taps).toBe(4);
    expect(outside).toEqual([]);
    expect(failed).toEqual([]);
  }, 300_000);

  it('the travelers list on the phone shows number, part, status and due date, and fits the screen', async () => {
    // A phone of its own, signed in afresh: this does not depend on the journey above.
    const context = await session.page.context().browser()!.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const op = await context.newPage();
    watch(op);
    await signIn(op, 'viewer', `${base}/admin`);
    await op.goto(`${base}/admin/resources/travelers`);
    const table = op.locator('table[data-css="travelers-table"]');
    await table.locator('tbody tr').first().waitFor({ timeout: 30_000 });
    const headers = await table
      .locator('thead tr > *')
      .evaluateAll((cells) =>
        cells.filter((c) => getComputedStyle(c).display !== 'none' && (c.textContent ?? '').trim() !== '').map((c) => (c.textContent ?? '').trim()),
      );
    // The column headers among the cells shown (the selection and actions cells have their own names).
    const columns = ['Traveler', 'Work order', 'Customer', 'Part', 'Revision', 'Quantity', 'Status', 'Due date', 'Updated at', 'Updated'];
    expect(headers.filter((h) => columns.includes(h))).toEqual(['Traveler', 'Part', 'Status', 'Due date']);
    const row = table.locator('tbody tr').filter({ hasText: floor.released.number });
    const cells = await row
      .locator('td[data-property-name]')
      .evaluateAll((tds) => tds.filter((c) => getComputedStyle(c).display !== 'none').map((c) => c.getAttribute('data-property-name')));
    expect(cells).toEqual(['number', 'part_id', 'status', 'due_date']);
    expect(await row.locator('td[data-property-name="part_id"]').textContent()).toContain(floor.parts.shaft.number);
    expect(await row.locator('td[data-property-name="due_date"]').textContent()).toContain(floor.released.dueDate.slice(0, 4));
    await shot(op, '7-travelers-list');
    const box = (await table.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await expectNoSidewaysScroll(op);
    await context.close();
    expect(outside).toEqual([]);
    expect(failed).toEqual([]);
  }, 120_000);
});
