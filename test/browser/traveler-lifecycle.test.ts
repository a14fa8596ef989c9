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

describe('planning a traveler in a real browser', () => {
  it('an engineer creates a traveler from a work order, asks for its release, and a quality person holds another', async () => {
    await session.signIn('engineer');
    // The running manifold order: its released revision's routing is copied.
    const order = floor.workOrders.running;
    await page.goto(`${base}/admin/resources/work_orders/records/${order.id}/createTraveler`);
    const form = page.getByTestId('create-traveler');
    await form.waitFor({ timeout: 30_000 });
    await form.getByText(/Routing copied into the traveler \(\d+ steps\)/).waitFor();
    await form.getByText('Hydraulic').first().waitFor();
    await page.fill('#quantity', '10');
    await page.screenshot({ path: path.join(SHOTS, 'create-traveler.png'), fullPage: true });
    await Promise.all([
      page.waitForURL(/\/admin\/resources\/travelers\/records\/\d+\/show/, { timeout: 20_000 }),
      form.getByRole('button', { name: /Create traveler/ }).click(),
    ]);
    const travelerId = Number(page.url().match(/records\/(\d+)\/show/)![1]);
    const made = await one<{ quantity: number; status: string; steps: number }>(
      `SELECT quantity, status, (SELECT count(*)::int FROM traveler_steps WHERE traveler_id = t.id) AS steps FROM travelers t WHERE id = $1`,
      [travelerId],
    );
    expect(made).toMatchObject({ quantity: 10, status: 'draft' });
    expect(made.steps).toBeGreaterThan(0);
    // Its page lists the copied steps, each a link to the step and its actions.
    const overview = page.getByTestId('traveler-steps');
    await overview.waitFor({ timeout: 20_000 });
    expect(await overview.locator('[data-testid^="traveler-step-routing-"]').count()).toBe(made.steps);
    await overview.getByText('Bag, label and pack').waitFor();

    // A step added by hand to the draft: added at once, in position, with its reason.
    await page.goto(`${base}/admin/resources/travelers/records/${travelerId}/addManualStep`);
    const add = page.getByTestId('add-manual-step');
    await add.waitFor({ timeout: 20_000 });
    await page.fill('#after_step_number', '20');
    await page.fill('#operation', 'Pressure test ports');
    await add.getByRole('button', { name: 'Add step' }).click();
    // Without a reason the form stays open with the message on the field, and nothing is added.
    await add
      .getByText(/Reason (is required|must)/)
      .first()
      .waitFor({ timeout: 20_000 });
    expect((await one<{ n: number }>('SELECT count(*)::int AS n FROM manual_steps WHERE traveler_id = $1', [travelerId])).n).toBe(0);
    await page.fill('#reason', 'Customer asked for a 100% leak test on this lot');
    await Promise.all([
      page.waitForURL(new RegExp(`/admin/resources/travelers/records/${travelerId}/show`), { timeout: 20_000 }),
      add.getByRole('button', { name: 'Add step' }).click(),
    ]);
    await page.getByTestId('traveler-steps').getByText('Pressure test ports').waitFor({ timeout: 20_000 });
    expect(await one('SELECT after_step_number, reason FROM manual_steps WHERE traveler_id = $1', [travelerId])).toEqual({
      after_step_number: 20,
      reason: 'Customer asked for a 100% leak test on this lot',
    });

    // Release: the action explains that an approver signs it, and the request opens.
    await page.goto(`${base}/admin/resources/travelers/records/${travelerId}/release`);
    const release = page.getByTestId('traveler-transition');
    await release.waitFor({ timeout: 20_000 });
    await release.getByText(/It needs an approver/).waitFor();
    await Promise.all([
      page.waitForURL(/\/admin\/resources\/approvals\/records\/\d+\/show/, { timeout: 20_000 }),
      release.getByRole('button', { name: 'Ask for release' }).click(),
    ]);
    expect((await one<{ status: string }>('SELECT status FROM travelers WHERE id = $1', [travelerId])).status).toBe('draft');
    expect(
      (
        await one<{ n: number }>(
          `SELECT count(*)::int AS n FROM approvals WHERE target_table = 'travelers' AND target_id = $1 AND rule = 'traveler.release' AND status = 'pending'`,
          [travelerId],
        )
      ).n,
    ).toBe(1);

    // Quality holds a released traveler: a reason is required, and shown.
    await session.signOut();
    await session.signIn('quality');
    const held = floor.released;
    await page.goto(`${base}/admin/resources/travelers/records/${held.id}/hold`);
    const hold = page.getByTestId('traveler-transition');
    await hold.waitFor({ timeout: 20_000 });
    await hold.getByRole('button', { name: 'Hold' }).click();
    await page
      .getByTestId('transition-error')
      .getByText(/Say why/)
      .waitFor({ timeout: 20_000 });
    expect((await one<{ status: string }>('SELECT status FROM travelers WHERE id = $1', [held.id])).status).toBe('released');
    await page.fill('#reason', 'Gauge R&R overdue on the bore gauge');
    await Promise.all([
      page.waitForURL(new RegExp(`/admin/resources/travelers/records/${held.id}/show`), { timeout: 20_000 }),
      hold.getByRole('button', { name: 'Hold' }).click(),
    ]);
    await page.getByText('Gauge R&R overdue on the bore gauge').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'traveler-on-hold.png'), fullPage: true });
    expect(await one('SELECT status, status_reason FROM travelers WHERE id = $1', [held.id])).toEqual({
      status: 'on_hold',
      status_reason: 'Gauge R&R overdue on the bore gauge',
    });

    expect(session.outside).toEqual([]);
    expect(session.failed).toEqual([]);
  });
});
