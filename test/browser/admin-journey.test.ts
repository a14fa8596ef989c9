import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import { systemActor } from '../../src/audit/actor.js';
import { inTransaction } from '../../src/db/unit-of-work.js';
import { User } from '../../src/models/index.js';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import { TEST_PASSWORD, type TestApp } from '../support/test-app.js';

const SHOTS = path.resolve('test-results', 'screenshots');
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `admin-journey-${name}.png`), fullPage: true });

let session: BrowserSession;
let t: TestApp;
let page: Page;
let base: string;
let secondAdmin: { id: number; username: string };

/** Every click of the journey goes through here, so that the click budget is counted, not guessed. */
let clicks = 0;
async function click(target: Locator): Promise<void> {
  clicks += 1;
  await target.click();
}

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, page, base } = session);
  fs.mkdirSync(SHOTS, { recursive: true });
  // A reactivation is signed by another administrator (four eyes): one besides the test app's one per role.
  const user = await inTransaction(t.db.sequelize, systemActor('test:setup'), (options) =>
    User.create(
      { username: 'admin2.user', email: 'admin2@test.example', full_name: 'Test admin two', role: 'admin', password: TEST_PASSWORD } as never,
      options,
    ),
  );
  secondAdmin = { id: user.id, username: user.username };
}, 240_000);

afterAll(async () => {
  await session?.close();
});

describe('an administrator takes an account off the floor and a second administrator lets it back', () => {
  it('deactivates with a confirmation and a notice that says what happened; reactivation waits for the other administrator, who signs it in My approvals', async () => {
    const operator = t.users.operator;
    const before = await one<{ rows: number }>(`SELECT count(*)::int AS rows FROM audit_logs WHERE table_name = 'users' AND record_id = $1`, [
      String(operator.id),
    ]);

    await session.signIn('admin');
    await page.goto(`${base}/admin/resources/users/records/${operator.id}/show`);
    clicks = 0;
    await click(page.locator('[data-css="users-deactivate-button"]').first());
    const form = page.getByTestId('user-activation');
    await form.waitFor({ timeout: 30_000 });
    expect(await form.getAttribute('data-action')).toBe('deactivate');
    // Nothing happens before the confirmation.
    expect(await one(`SELECT active FROM users WHERE id = $1`, [operator.id])).toEqual({ active: true });
    await shot('deactivate-confirm');
    await Promise.all([
      page.waitForURL(`${base}/admin/resources/users/records/${operator.id}/show`, { timeout: 20_000 }),
      click(form.getByTestId('activation-confirm')),
    ]);
    const notice = page.getByRole('status').filter({ hasText: 'Test operator is deactivated: they can no longer sign in.' });
    await notice.first().waitFor({ timeout: 20_000 });
    // Action, confirm: nothing generic ("record updated") and no third click.
    expect(clicks).toBeLessThanOrEqual(2);
    expect(await one(`SELECT active FROM users WHERE id = $1`, [operator.id])).toEqual({ active: false });
    const deactivation = await one<{ actor_id: number; old_value: string; new_value: string }>(
      `SELECT actor_id, old_value, new_value FROM audit_logs WHERE table_name = 'users' AND record_id = $1 AND field_name = 'active' ORDER BY id DESC LIMIT 1`,
      [String(operator.id)],
    );
    expect(deactivation).toEqual({ actor_id: t.users.admin.id, old_value: 'true', new_value: 'false' });
    await shot('deactivated');

    // Reactivating is a request: the account stays off until another administrator signs.
    clicks = 0;
    await click(page.locator('[data-css="users-reactivate-button"]').first());
    const again = page.getByTestId('user-activation');
    await again.waitFor({ timeout: 30_000 });
    expect(await again.getAttribute('data-action')).toBe('reactivate');
    await again.locator('#activation-reason').fill('Back from leave');
    await Promise.all([
      page.waitForURL(/\/admin\/resources\/approvals\/records\/\d+\/show/, { timeout: 20_000 }),
      click(again.getByTestId('activation-confirm')),
    ]);
    expect(clicks).toBeLessThanOrEqual(2);
    const requestId = Number(page.url().match(/records\/(\d+)\/show/)![1]);
    await page.getByText(`request #${requestId} is waiting for them`).first().waitFor({ timeout: 20_000 });
    expect(await one(`SELECT active FROM users WHERE id = $1`, [operator.id])).toEqual({ active: false });
    expect(await one(`SELECT status, target_table, target_id FROM approvals WHERE id = $1`, [requestId])).toEqual({
      status: 'pending',
      target_table: 'users',
      target_id: operator.id,
    });

    // The second administrator signs it from the inbox.
    await session.signOut();
    await page.goto(`${base}/admin/login`);
    await page.fill('input[name=email]', secondAdmin.username);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin`), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.goto(`${base}/admin/pages/myApprovals?request=${requestId}`);
    const opened = page.getByTestId('opened-request');
    // The request names the account (its part of the page loads after the request itself).
    await opened.getByTestId('approval-record-link').waitFor({ timeout: 30_000 });
    expect(await opened.getByTestId('approval-record-link').textContent()).toContain('Test operator');
    clicks = 0;
    await click(opened.getByTestId('decide-approve'));
    await opened.locator('input[name=password]').fill(TEST_PASSWORD);
    await click(opened.getByTestId('decision-submit'));
    await click(page.getByRole('dialog', { name: 'Approve this request?' }).getByRole('button', { name: 'Yes, approve' }));
    await page.getByText(`Request #${requestId} approved`).first().waitFor({ timeout: 20_000 });
    expect(clicks).toBeLessThanOrEqual(3);
    expect(await one(`SELECT active FROM users WHERE id = $1`, [operator.id])).toEqual({ active: true });
    expect(await one(`SELECT status, decided_by_id FROM approvals WHERE id = $1`, [requestId])).toEqual({ status: 'approved', decided_by_id: secondAdmin.id });
    await shot('reactivation-approved');

    const after = await one<{ rows: number }>(`SELECT count(*)::int AS rows FROM audit_logs WHERE table_name = 'users' AND record_id = $1`, [
      String(operator.id),
    ]);
    // Deactivated, reactivated: two audited changes of the account (and nothing else of it).
    expect(after.rows - before.rows).toBe(2);
    expect(session.outside).toEqual([]);
    expect(session.failed).toEqual([]);
  }, 240_000);
});
