import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { UserActor } from '../../src/audit/actor.js';
import { clockIn } from '../../src/travelers/labor.service.js';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';
import type { TestApp } from '../support/test-app.js';

const SHOTS = path.resolve('test-results', 'screenshots');
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `my-work-${name}.png`), fullPage: true });

let t: TestApp;
let floor: Floor;
let base: string;
let page: Page;
let session: BrowserSession;
let outside: string[];
let failed: string[];

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}
const openEntries = async (userId: number) =>
  (await t.db.query<{ traveler_step_id: number }>('SELECT traveler_step_id FROM labor_entries WHERE user_id = $1 AND ended_at IS NULL', [userId])).rows;

const card = (id: number) => page.locator(`[data-testid="work-step"][data-step-kind="routing"][data-step-id="${id}"]`);
const message = () => page.getByTestId('my-work-message');

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, floor, base, page, outside, failed } = session);
  fs.mkdirSync(SHOTS, { recursive: true });
  // The first request for the components' bundle builds it (rollup): done here, not in a page's load.
  expect((await fetch(`${base}/admin/frontend/assets/components.bundle.js`)).status).toBe(200);
  // The operator starts the shift clocked in on the running traveler's step 30, beside the floor's operator.
  const operator: UserActor = {
    kind: 'user',
    userId: t.users.operator.id,
    username: t.users.operator.username,
    fullName: 'Test operator',
    email: 'operator@test.example',
    role: 'operator',
    ip: null,
    userAgent: null,
    requestId: 'test-my-work',
  };
  await clockIn(t.db.sequelize, { kind: 'routing', id: floor.running.steps[30]! }, operator);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

describe('My work on a shop-floor terminal, in a real browser', () => {
  it('an operator clocks out, clocks in on a ready step, signs it off and records a measurement, seeing each answer', async () => {
    const running = floor.running.number;
    const released = floor.released.number;
    const t2Step30 = floor.running.steps[30]!;
    const t3Step10 = floor.released.steps[10]!;
    const t3Step20 = floor.released.steps[20]!;
    await session.signIn('operator');
    await page.goto(`${base}/admin/pages/myWork`);

    // The open clock-in, and the step it is on with both operators.
    const banner = page.getByTestId('clock-in-banner');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toMatch(new RegExp(`^Clocked in on ${running} step 30 \\(Mill op 2: cross-drill and tap ports\\) since \\d\\d:\\d\\d`));
    await card(t2Step30).waitFor();
    // Both operators, earliest first (the floor's operator clocked in before this test's).
    const names = (await card(t2Step30).getByTestId('clocked-in-names').textContent())!.replace('Clocked in: ', '').split(', ');
    expect(names).toEqual([floor.people.operator.fullName, 'Test operator']);
    await card(t3Step10).waitFor();
    // Step 20 of the released traveler waits for step 10: it is not offered.
    expect(await card(t3Step20).count()).toBe(0);
    await shot('clocked-in');

    await page.getByTestId('banner-clock-out').click();
    await message()
      .filter({ hasText: /^Clocked out \(\d+\.\d\d h\)\.$/ })
      .waitFor();
    await banner.waitFor({ state: 'detached' });
    expect(await openEntries(t.users.operator.id)).toEqual([]);
    expect(await card(t2Step30).getByTestId('clocked-in-names').textContent()).toBe(`Clocked in: ${floor.people.operator.fullName}`);

    // A ready step of the released traveler: Clock in starts it (and the traveler).
    await card(t3Step10).getByRole('button', { name: 'Clock in' }).click();
    await message()
      .filter({ hasText: `Clocked in on ${released} step 10 (Cut 17-4PH bar).` })
      .waitFor();
    await banner.filter({ hasText: `Clocked in on ${released} step 10 (Cut 17-4PH bar) since` }).waitFor();
    expect(await openEntries(t.users.operator.id)).toEqual([{ traveler_step_id: t3Step10 }]);
    expect(await one('SELECT status FROM travelers WHERE id = $1', [floor.released.id])).toEqual({ status: 'in_progress' });
    await card(t3Step10).getByTestId('step-status').filter({ hasText: 'In progress' }).waitFor();
    await shot('clocked-in-t26003');

    // Sign off: the step leaves the list, the clock-in ends with it, and step 20 is ready.
    await card(t3Step10).getByRole('button', { name: 'Sign off' }).click();
    await message().filter({ hasText: 'Step 10 (Cut 17-4PH bar) signed off.' }).waitFor();
    await card(t3Step10).waitFor({ state: 'detached' });
    await banner.waitFor({ state: 'detached' });
    expect(await one('SELECT status, completed_by_id FROM traveler_steps WHERE id = $1', [t3Step10])).toEqual({
      status: 'completed',
      completed_by_id: t.users.operator.id,
    });

    // Step 20's check: a measurement outside its limits is recorded and says so.
    const check = card(t3Step20).getByTestId('work-check').first();
    await check.waitFor();
    expect(await check.textContent()).toContain('24.987 to 25 mm');
    await check.getByTestId('check-value').fill('25.1');
    await check.getByTestId('check-record').click();
    await message().filter({ hasText: 'Check 1 recorded: 25.1 is outside its limits (24.987 to 25 mm).' }).waitFor();
    await check.getByTestId('out-of-limits').waitFor();
    expect(await check.getByTestId('check-value').inputValue()).toBe('25.1');
    expect(await one('SELECT measured_value, out_of_limits FROM traveler_sub_steps WHERE traveler_step_id = $1 AND sequence = 1', [t3Step20])).toEqual({
      measured_value: 25.1,
      out_of_limits: true,
    });
    await shot('out-of-limits');

    // Signing off now would be refused: the button is disabled, with the server's reason beside it.
    await card(t3Step20)
      .getByTestId('sign-off-reason')
      .filter({ hasText: /quality must record a disposition\.$/ })
      .waitFor();
    expect(await card(t3Step20).getByRole('button', { name: 'Sign off' }).isDisabled()).toBe(true);
    expect(await one('SELECT status FROM traveler_steps WHERE id = $1', [t3Step20])).toEqual({ status: 'in_progress' });

    // The work-center filter keeps only that center's steps.
    const mill = floor.centers.MILL;
    await page.getByTestId('work-center-filter').selectOption(String(mill.id));
    await card(floor.running.steps[40]!).waitFor({ state: 'detached' }); // DEBURR
    await card(t2Step30).waitFor();
    expect(page.url()).toContain(`workCenterId=${mill.id}`);
    await shot('filtered');

    expect(outside).toEqual([]);
    expect(failed).toEqual([]);
  }, 240_000);

  it('the record actions: Sign off says why it cannot be done yet; quality records the disposition on its form; the sign-off then goes through', async () => {
    const step = floor.released.steps[20]!;
    const check = (await one<{ id: number }>('SELECT id FROM traveler_sub_steps WHERE traveler_step_id = $1 AND sequence = 1', [step])).id;

    await page.goto(`${base}/admin/resources/traveler_steps/records/${step}/signOff`);
    const form = page.getByTestId('step-action');
    await form.waitFor({ timeout: 30_000 });
    await page
      .getByTestId('step-action-reason')
      .filter({ hasText: /quality must record a disposition\.$/ })
      .waitFor();
    expect(await form.getByRole('button', { name: 'Sign off' }).isDisabled()).toBe(true);
    expect(await one('SELECT status FROM traveler_steps WHERE id = $1', [step])).toEqual({ status: 'in_progress' });

    await session.signOut();
    await session.signIn('quality');
    await page.goto(`${base}/admin/resources/traveler_sub_steps/records/${check}/disposition`);
    await form.getByTestId('disposition-item').waitFor({ timeout: 30_000 });
    expect(await form.textContent()).toContain('Measured 25.1 mm, limits 24.987 to 25 mm');
    // The form names what is decided: traveler, part and revision, step, check.
    expect(await form.getByTestId('disposition-subject').textContent()).toBe(
      `Traveler ${floor.released.number} · part ${floor.parts.shaft.number} rev 01 · step 20 (Turn OD, face, chamfer) · ${floor.centers.LATHE.code}`,
    );
    await form.locator('#disposition').selectOption('use_as_is');
    await form.locator('#note').fill('MRB 115: accepted by the customer, deviation D-9');
    await shot('disposition-form');
    await form.getByRole('button', { name: 'Record disposition' }).click();
    await page.waitForURL(`${base}/admin/resources/traveler_sub_steps/records/${check}/show`);
    await page.getByText('Disposition "use as is" recorded for check 1.').first().waitFor();
    expect(await one('SELECT disposition, disposition_by_id FROM traveler_sub_steps WHERE id = $1', [check])).toEqual({
      disposition: 'use_as_is',
      disposition_by_id: t.users.quality.id,
    });

    await page.goto(`${base}/admin/resources/traveler_steps/records/${step}/signOff`);
    await form.waitFor({ timeout: 30_000 });
    await form.getByRole('button', { name: 'Sign off' }).click();
    await page.waitForURL(`${base}/admin/resources/traveler_steps/records/${step}/show`);
    await page.getByText('Step 20 (Turn OD, face, chamfer) signed off.').first().waitFor();
    expect(await one('SELECT status, completed_by_id FROM traveler_steps WHERE id = $1', [step])).toEqual({
      status: 'completed',
      completed_by_id: t.users.quality.id,
    });
    await shot('signed-off');

    expect(outside).toEqual([]);
    expect(failed).toEqual([]);
  }, 240_000);
});
