import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import { decide } from '../../src/approvals/approval-decision.service.js';
import { ApprovalRequired } from '../../src/approvals/approval-request.service.js';
import { ProcessStep } from '../../src/models/index.js';
import { updateRecord } from '../../src/records/record.service.js';
import { transitionTraveler } from '../../src/travelers/traveler-lifecycle.service.js';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';
import { TEST_PASSWORD, testActor, type TestApp } from '../support/test-app.js';

const SHOTS = path.resolve('test-results', 'screenshots');
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `approver-journey-${name}.png`), fullPage: true });

let session: BrowserSession;
let t: TestApp;
let floor: Floor;
let page: Page;
let base: string;
let routingRequest: number;
let releaseRequest: number;
let step: { id: number; operation: string; step_number: number };
let travelerId: number;

/** Every click of the journey goes through here, so that the click budget is counted, not guessed. */
let clicks = 0;
async function click(target: Locator): Promise<void> {
  clicks += 1;
  await target.click();
}

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

async function asked(work: Promise<unknown>): Promise<number> {
  const outcome = await work.catch((error: unknown) => error);
  expect(outcome).toBeInstanceOf(ApprovalRequired);
  return (outcome as ApprovalRequired).approval.id;
}

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, floor, page, base } = session);
  fs.mkdirSync(SHOTS, { recursive: true });
  // The panel's components are bundled on the first request: wait for that here, not inside a page load's timeout.
  expect((await fetch(`${base}/admin/frontend/assets/components.bundle.js`)).status).toBe(200);
  // The floor's own pending request is not part of this journey: its requester withdraws it, so
  // that the inbox holds the two below and nothing else.
  const floorEngineer = floor.people.engineer;
  await decide(t.db.sequelize, 'withdraw', {
    approvalId: floor.released.pendingApprovalId,
    actor: { ...testActor({ ...floorEngineer, role: 'engineer' }, 'test-withdraw'), fullName: floorEngineer.fullName, email: floorEngineer.email },
  });
  // Two requests by the engineer, oldest first: a change to a released routing, then a release.
  const engineer = testActor(t.users.engineer);
  step = await one('SELECT id, operation, step_number FROM process_steps WHERE revision_id = $1 ORDER BY step_number DESC LIMIT 1', [
    floor.revisions.manifoldB.id,
  ]);
  const version = (await one<{ version: number }>('SELECT version FROM process_steps WHERE id = $1', [step.id])).version;
  routingRequest = await asked(
    updateRecord(ProcessStep as never, step.id, { operation: `${step.operation} and deburr`, version, change_reason: 'Deburr in the same setup' }, engineer),
  );
  travelerId = floor.draft.id;
  releaseRequest = await asked(transitionTraveler(t.db.sequelize, travelerId, 'release', engineer, { reason: 'Material is in' }));
}, 120_000);

afterAll(async () => {
  await session?.close();
});

describe('an approver works through the inbox', () => {
  it('opens the inbox and a request, reads what it changes, signs after confirming (a wrong password keeps the comment) and lands on the next request', async () => {
    await session.signIn('approver');
    const tile = page.getByTestId('tile-pending-approvals');
    await tile.waitFor({ timeout: 30_000 });

    // From the dashboard to the inbox, from the inbox to the request: it opens under the list.
    clicks = 0;
    await Promise.all([page.waitForURL(`${base}/admin/pages/myApprovals`), click(tile.locator('a'))]);
    const toDecide = page.getByTestId('inbox-to-decide');
    await toDecide.waitFor({ timeout: 20_000 });
    expect(await toDecide.textContent()).toContain('Editing the routing of a released revision');
    await Promise.all([
      page.waitForURL(`${base}/admin/pages/myApprovals?request=${routingRequest}`),
      click(toDecide.getByRole('link', { name: `#${routingRequest}`, exact: true })),
    ]);
    const opened = page.getByTestId('opened-request');
    await opened.getByTestId('content-diff').waitFor({ timeout: 20_000 });

    // Named in full and linked: the step and the revision it belongs to.
    expect(await opened.locator('h3').first().textContent()).toBe(`Request #${routingRequest}: Editing the routing of a released revision`);
    const stepLink = opened.getByTestId('approval-record-link');
    expect(await stepLink.textContent()).toBe(`${floor.parts.manifold.number} B / ${step.step_number} ${step.operation}`);
    expect(await stepLink.getAttribute('href')).toBe(`/admin/resources/process_steps/records/${step.id}/show`);
    expect(await opened.getByTestId('approval-parent-link').textContent()).toBe(`${floor.parts.manifold.number} rev B`);
    // The routing before and after: one line changed, the rest as they are.
    const changed = opened.locator('[data-testid="content-diff-line"][data-change="changed"]');
    expect(await changed.count()).toBe(1);
    expect(await changed.textContent()).toContain(`${step.operation} and deburr`);
    expect(await opened.locator('[data-testid="content-diff-line"][data-change="same"]').count()).toBeGreaterThan(3);
    // Internal fields stay off the page.
    const text = (await opened.textContent()) ?? '';
    for (const internal of ['Record type', 'Policy rule', 'Based on version', 'routing.released_revision', 'process_steps'])
      expect(text).not.toContain(internal);
    await shot('request');

    // Approve with a wrong password: refused at the form, the comment kept, the password cleared.
    await click(opened.getByTestId('decide-approve'));
    const form = opened.getByTestId('decision-form');
    await form.locator('textarea[name=comment]').fill('Deburring in the same setup saves a move.');
    await form.locator('input[name=password]').fill('not-the-password-1');
    await click(form.getByTestId('decision-submit'));
    const confirm = page.getByRole('dialog', { name: 'Approve this request?' });
    await confirm.waitFor({ timeout: 10_000 });
    expect(await confirm.textContent()).toContain(`Request #${routingRequest}`);
    await shot('confirm');
    await click(confirm.getByRole('button', { name: 'Yes, approve' }));
    const refusal = form.getByTestId('decision-error');
    await refusal.waitFor({ timeout: 20_000 });
    expect(await refusal.getAttribute('role')).toBe('alert');
    expect(await refusal.textContent()).toContain('The password is not correct');
    expect(await form.locator('textarea[name=comment]').inputValue()).toBe('Deburring in the same setup saves a move.');
    expect(await form.locator('input[name=password]').inputValue()).toBe('');
    expect(await one('SELECT status FROM approvals WHERE id = $1', [routingRequest])).toEqual({ status: 'pending' });
    await shot('wrong-password');
    const retryClicks = 3;

    // The right password, confirmed: signed, applied, and the next request opens in its place.
    await form.locator('input[name=password]').fill(TEST_PASSWORD);
    await click(form.getByTestId('decision-submit'));
    await Promise.all([
      page.waitForURL(`${base}/admin/pages/myApprovals?request=${releaseRequest}`, { timeout: 20_000 }),
      click(page.getByRole('dialog', { name: 'Approve this request?' }).getByRole('button', { name: 'Yes, approve' })),
    ]);
    await page.getByText(`Request #${routingRequest} approved: the change is applied.`).first().waitFor({ timeout: 20_000 });
    const next = page.getByTestId('opened-request');
    await next.getByTestId('approval-subject').waitFor({ timeout: 20_000 });
    expect(await next.getAttribute('aria-label')).toBe(`Request #${releaseRequest}`);
    // Tile, request, Approve, Sign, Confirm: the decision itself, without the retry.
    expect(clicks - retryClicks).toBeLessThanOrEqual(6);
    expect(await one('SELECT status, decision_comment, signature_meaning FROM approvals WHERE id = $1', [routingRequest])).toEqual({
      status: 'approved',
      decision_comment: 'Deburring in the same setup saves a move.',
      signature_meaning: 'approved',
    });
    expect(await one('SELECT operation FROM process_steps WHERE id = $1', [step.id])).toEqual({ operation: `${step.operation} and deburr` });
    await shot('next-request');

    // The release, on a phone: the traveler named with its part and revision, its steps and checks listed.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await next.getByTestId('approval-record-link').textContent()).toBe(
      `${floor.draft.number} (${floor.parts.bracket.number} rev A, quantity ${floor.draft.quantity})`,
    );
    expect(await next.getByTestId('approval-subject-step').count()).toBeGreaterThan(2);
    expect(await next.getByTestId('approval-subject').textContent()).toContain('Check 1:');
    clicks = 0;
    await click(next.getByTestId('decide-approve'));
    await next.locator('input[name=password]').fill(TEST_PASSWORD);
    await click(next.getByTestId('decision-submit'));
    await shot('phone-confirm');
    await Promise.all([
      page.waitForURL(`${base}/admin/pages/myApprovals`, { timeout: 20_000 }),
      click(page.getByRole('dialog', { name: 'Approve this request?' }).getByRole('button', { name: 'Yes, approve' })),
    ]);
    // Nothing else waits for this approver: the inbox, empty.
    await page.getByText('Nothing waits for your decision.').waitFor({ timeout: 20_000 });
    expect(clicks).toBeLessThanOrEqual(6);
    expect(await one('SELECT status FROM travelers WHERE id = $1', [travelerId])).toEqual({ status: 'released' });
    await shot('phone-inbox-empty');
    await page.setViewportSize({ width: 1366, height: 900 });

    expect(session.outside).toEqual([]);
    expect(session.failed).toEqual([]);
  }, 240_000);
});

describe('menus, dashboards and refused pages fit the role', () => {
  it('a viewer has no My work, no My approvals and no approvals card, and a typed address it may not open says so', async () => {
    await session.signOut();
    await session.signIn('viewer');
    await page.getByTestId('card-travelers-by-status').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('card-pending-approvals').count()).toBe(0);
    expect(await page.getByRole('link', { name: /^my work$/i }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /^my approvals$/i }).count()).toBe(0);
    await shot('viewer-dashboard');

    const before = (await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access_denied'`)).n;
    await page.goto(`${base}/admin/resources/users`);
    const refused = page.getByTestId('refused-page');
    await refused.waitFor({ timeout: 20_000 });
    expect(await refused.locator('h2').textContent()).toBe('You may not do this');
    expect(await refused.getByTestId('refused-why').textContent()).toBe('Only administrators may open Users; your role is viewer.');
    expect(await page.getByText(/404|error404|Resource with given id/i).count()).toBe(0);
    await shot('viewer-refused');
    // Typing the address is recorded once; the page itself made no refused call.
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access_denied'`)).n).toBe(before + 1);
    await Promise.all([page.waitForURL(`${base}/admin`), refused.getByTestId('refused-back').click()]);

    await page.goto(`${base}/admin/pages/myWork`);
    await page.getByTestId('refused-page').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('refused-why').textContent()).toContain('My work is for administrators, quality staff and operators');
  }, 120_000);

  it('an engineer has no My work, but My approvals for their requests', async () => {
    await session.signOut();
    await session.signIn('engineer');
    await page.getByTestId('card-pending-approvals').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('link', { name: /^my work$/i }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /^my approvals$/i }).count()).toBe(1);
    expect(session.outside).toEqual([]);
    expect(session.failed).toEqual([]);
  }, 120_000);
});
