import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { decidableCount } from '../../src/approvals/approval-inbox.service.js';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';
import { TEST_PASSWORD, type TestApp } from '../support/test-app.js';

const SHOTS = path.resolve('test-results', 'screenshots');
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `approval-${name}.png`), fullPage: true });

let t: TestApp;
let floor: Floor;
let base: string;
let page: Page;
let session: BrowserSession;
let outside: string[];
let failed: string[];
let travelerId: number;

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, floor, base, page, outside, failed } = session);
  // The floor's released traveler: its quantity is locked content, changed only with approval.
  travelerId = floor.released.id;
  fs.mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await session?.close();
});

const quantityInDb = async () => (await t.db.query<{ quantity: number }>(`SELECT quantity FROM travelers WHERE id = $1`, [travelerId])).rows[0]!.quantity;

describe('a change that needs approval, in a real browser', () => {
  it('an engineer asks, an approver finds it, reads it and signs; the traveler changes and its history shows who approved', async () => {
    const oldQuantity = await quantityInDb();
    const newQuantity = oldQuantity + 15;

    // The engineer edits the released traveler's quantity: held back as a request.
    await session.signIn('engineer');
    // Engineers decide no traveler changes: their tile counts nothing, though requests are pending.
    const engineerTile = page.getByTestId('tile-pending-approvals');
    await engineerTile.waitFor({ timeout: 20_000 });
    expect((await engineerTile.locator('a').textContent())?.trim()).toBe('0');
    await page.goto(`${base}/admin/resources/travelers/records/${travelerId}/edit`);
    const quantity = page.locator('[name=quantity], #quantity').first();
    await quantity.waitFor({ timeout: 20_000 });
    expect(await quantity.inputValue()).toBe(String(oldQuantity));
    await quantity.fill(String(newQuantity));
    await page.getByRole('button', { name: /save/i }).click();
    await page.waitForURL(/\/admin\/resources\/approvals\/records\/\d+\/show(\?.*)?$/, { timeout: 20_000 });
    const approvalId = Number(page.url().match(/records\/(\d+)\/show/)![1]);
    await page
      .getByText(/Submitted for approval as request #\d+/)
      .first()
      .waitFor({ timeout: 20_000 });
    await shot('submitted');
    expect(await quantityInDb()).toBe(oldQuantity);

    // The traveler's own page says a change is waiting...
    await page.goto(`${base}/admin/resources/travelers/records/${travelerId}/show`);
    const banner = page.getByTestId('record-pending');
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.textContent()).toMatch(new RegExp(`waiting for approval:.*#${approvalId}`));
    await shot('pending-on-record');

    // ...and so does its History.
    await page.goto(`${base}/admin/resources/travelers/records/${travelerId}/history`);
    const waiting = page.getByTestId('history-pending');
    await waiting.waitFor({ timeout: 20_000 });
    expect(await waiting.textContent()).toMatch(new RegExp(`waiting for approval:.*#${approvalId}`));
    await shot('pending-on-history');

    // The engineer's own inbox lists the request as theirs, not to decide.
    await page.goto(`${base}/admin/pages/myApprovals`);
    await page.getByTestId('my-approvals').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('inbox-mine').textContent()).toContain(`#${approvalId}`);
    expect(await page.getByTestId('inbox-to-decide').textContent()).not.toContain(`#${approvalId}`);

    // The approver signs in: the dashboard counts what they may decide.
    await session.signOut();
    await session.signIn('approver');
    const expected = await decidableCount(t.db.sequelize, { id: t.users.approver.id, role: 'approver' });
    expect(expected).toBeGreaterThanOrEqual(1);
    const tile = page.getByTestId('tile-pending-approvals');
    await tile.waitFor({ timeout: 20_000 });
    expect((await tile.locator('a').textContent())?.trim()).toBe(String(expected));
    await shot('dashboard');

    // From the tile to the inbox, from the inbox to the request.
    await Promise.all([page.waitForURL(`${base}/admin/pages/myApprovals`), tile.locator('a').click()]);
    const toDecide = page.getByTestId('inbox-to-decide');
    await toDecide.waitFor({ timeout: 20_000 });
    expect(await toDecide.textContent()).toMatch(/Test engineer/);
    await shot('inbox');
    // The request opens in the inbox, under the list; its own page is one link away.
    await Promise.all([
      page.waitForURL(`${base}/admin/pages/myApprovals?request=${approvalId}`),
      toDecide.getByRole('link', { name: `#${approvalId}`, exact: true }).click(),
    ]);
    await page.getByTestId('opened-request').getByTestId('approval-diff').waitFor({ timeout: 20_000 });
    await Promise.all([
      page.waitForURL(`${base}/admin/resources/approvals/records/${approvalId}/show`),
      page.getByRole('link', { name: 'Open the request’s own page' }).click(),
    ]);

    // The diff, old and new, beside the traveler's recent history.
    const diff = page.getByTestId('approval-diff');
    await diff.waitFor({ timeout: 20_000 });
    const diffText = await diff.textContent();
    expect(diffText).toContain('Quantity');
    expect(diffText).toContain(String(oldQuantity));
    expect(diffText).toContain(String(newQuantity));
    await page.getByTestId('approval-target-history').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('approval-target-history').textContent()).toContain(`Recent changes of ${floor.released.number}`);
    // What is approved, in full: the traveler with its steps and checks.
    const subject = page.getByTestId('approval-subject');
    await subject.waitFor({ timeout: 20_000 });
    expect(await subject.textContent()).toContain(
      `What this approves: Traveler ${floor.released.number} (${floor.parts.shaft.number} rev 01, quantity ${oldQuantity})`,
    );
    expect(await page.getByTestId('approval-subject-step').count()).toBeGreaterThan(2);
    expect(await subject.textContent()).toContain('Check 1: Bearing journal diameter (24.987 to 25 mm)');
    await shot('request');

    // Approve: the form shows the diff again; the password is the signature.
    const approve = page
      .locator('a, button')
      .filter({ hasText: /^Approve$/ })
      .first();
    await approve.waitFor({ timeout: 20_000 });
    await Promise.all([page.waitForURL(`${base}/admin/resources/approvals/records/${approvalId}/approve`), approve.click()]);
    const form = page.getByTestId('approval-decision');
    await form.waitFor({ timeout: 20_000 });
    expect(await form.getByTestId('approval-diff').textContent()).toContain(String(newQuantity));
    await form.getByTestId('approval-target-history').waitFor({ timeout: 20_000 });
    await form.locator('input[name=password]').fill(TEST_PASSWORD);
    await shot('approve-form');
    await page.getByRole('button', { name: 'Sign and approve' }).click();
    // Confirmed once more, then back to My approvals (with the next request open, if any).
    await Promise.all([
      page.waitForURL(new RegExp(`/admin/pages/myApprovals(\\?request=\\d+)?$`), { timeout: 20_000 }),
      page.getByRole('dialog', { name: 'Approve this request?' }).getByRole('button', { name: 'Yes, approve' }).click(),
    ]);
    await page.getByText(`Request #${approvalId} approved: the change is applied.`).first().waitFor({ timeout: 20_000 });
    // The request's page shows its new state and the signature.
    await page.goto(`${base}/admin/resources/approvals/records/${approvalId}/show`);
    await page.getByTestId('approval-signature').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('approval-status').textContent()).toBe('Approved');
    await shot('approved');

    expect(await quantityInDb()).toBe(newQuantity);
    const approval = (await t.db.query(`SELECT status, decided_by_id, signature_meaning FROM approvals WHERE id = $1`, [approvalId])).rows[0];
    expect(approval).toEqual({ status: 'approved', decided_by_id: t.users.approver.id, signature_meaning: 'approved' });

    // The traveler's History: the change, made by the approver, with the signature.
    await page.goto(`${base}/admin/resources/travelers/records/${travelerId}/history`);
    await page.getByTestId('nexus-history').waitFor({ timeout: 20_000 });
    const newest = page.getByTestId('history-entry').first();
    await newest.waitFor({ timeout: 20_000 });
    const text = (await newest.textContent()) ?? '';
    expect(text).toMatch(/Changed/);
    expect(text).toContain('Test approver');
    expect(text).toContain(`approval #${approvalId}`);
    expect(await newest.getByTestId('history-signature').textContent()).toMatch(/signed by Test approver, approved/);
    const row = newest.getByTestId('history-field-quantity');
    await expect(row.locator('del').textContent()).resolves.toBe(String(oldQuantity));
    await expect(row.locator('ins').textContent()).resolves.toBe(String(newQuantity));
    // Our request is decided; it is no longer announced as waiting.
    expect(
      await page
        .getByTestId('history-pending')
        .textContent()
        .catch(() => ''),
    ).not.toContain(`#${approvalId}`);
    await shot('history');

    expect(outside).toEqual([]);
    expect(failed).toEqual([]);
  }, 240_000);
});
