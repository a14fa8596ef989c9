import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';
import type { TestApp } from '../support/test-app.js';

const SHOTS = path.resolve('test-results', 'screenshots');
/** The most clicks a 3-step, 4-check routing may take, typing aside. */
const CLICK_BUDGET = 15;

let session: BrowserSession;
let t: TestApp;
let floor: Floor;
let page: Page;
let base: string;

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, floor, page, base } = session);
  // The panel's bundles are built on first request; on a machine shared with other test runs
  // that alone can take half a minute. Waiting longer changes no outcome, only how long a slow
  // machine is given.
  page.setDefaultNavigationTimeout(120_000);
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/admin/login`);
  fs.mkdirSync(SHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await session?.close();
});

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.query(sql, params)).rows as T[];
}
async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await rows<T>(sql, params))[0] as T;
}

/**
 * Every pointer action goes through here and is counted. Typing is done with the keyboard only
 * (page.keyboard), into whatever has the focus: a fill() would put text into a field without the
 * click a person needs to get there, and hide a click from the count.
 */
function clickCounter() {
  let clicks = 0;
  return {
    async click(target: Locator): Promise<void> {
      clicks += 1;
      await target.click();
    },
    get count(): number {
      return clicks;
    },
  };
}

const type = (text: string) => page.keyboard.type(text);
const press = (key: string) => page.keyboard.press(key);

describe('writing a routing on one page, in a real browser', () => {
  it('an engineer writes a 3-step routing with 4 checks on the revision’s page within the click budget; a wrong limit is refused at its field', async () => {
    await session.signIn('engineer');
    // The screw's revision A: a draft with no routing yet.
    const part = floor.parts.screw;
    const revision = floor.revisions.screwA;
    const counter = clickCounter();

    // The part's page lists its revisions; the draft one opens from there.
    await page.goto(`${base}/admin/resources/parts/records/${part.id}/show`);
    const revisions = page.getByTestId('part-revisions');
    await revisions.getByTestId('part-revision-A').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SHOTS, 'part-revisions.png'), fullPage: true });
    await Promise.all([
      page.waitForURL(new RegExp(`/admin/resources/revisions/records/${revision.id}/show`), { timeout: 60_000 }),
      counter.click(revisions.getByRole('link', { name: `${part.number} rev A` })),
    ]);
    const editor = page.getByTestId('routing-editor');
    await editor.getByTestId('routing-empty').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SHOTS, 'revision-page-draft.png') });

    // Three steps from the row at the end: operation, work center (typed into the list), hours, Enter.
    await counter.click(editor.getByLabel('Operation'));
    const steps = [
      { number: 10, operation: 'Cut Ti-6Al-4V ELI bar', center: 'S', hours: '0.2' },
      { number: 20, operation: 'Turn and thread M4', center: 'L', hours: '0.8' },
      { number: 30, operation: 'Final inspection', center: 'I', hours: '0.3' },
    ];
    for (const step of steps) {
      await type(step.operation);
      await press('Tab');
      await type(step.center);
      await press('Tab');
      await type(step.hours);
      await press('Enter');
      await editor.getByTestId(`routing-step-${step.number}`).waitFor({ timeout: 60_000 });
      // Ready for the next one: the operation field has the focus again, the number moved on.
      await page.waitForFunction(() => document.activeElement?.id === 'add-step-operation', undefined, { timeout: 30_000 });
    }
    expect(await editor.locator('#add-step-step_number').inputValue()).toBe('40');

    // Checks of step 20: the first with its limits the wrong way round, refused at the field.
    await counter.click(editor.getByRole('button', { name: 'Add a check to step 20' }));
    await type('Thread major diameter');
    await press('Tab'); // Measured: ticked by typing a limit
    await press('Tab');
    await type('3.98');
    await press('Tab');
    await type('3.94');
    await press('Tab');
    await type('mm');
    await press('Enter');
    const step20 = await one<{ id: number }>(`SELECT id FROM process_steps WHERE revision_id = $1 AND step_number = 20`, [revision.id]);
    const upperError = editor.getByTestId(`check-form-${step20.id}-upper_limit-error`);
    await upperError.waitFor({ timeout: 60_000 });
    expect(await upperError.textContent()).toBe('Lower limit must not be greater than upper limit');
    expect(await editor.locator(`#check-form-${step20.id}-upper_limit`).getAttribute('aria-describedby')).toBe(`check-form-${step20.id}-upper_limit-error`);
    expect((await one<{ n: number }>('SELECT count(*)::int AS n FROM sub_steps WHERE process_step_id = $1', [step20.id])).n).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'routing-editor-field-error.png'), fullPage: true });

    await counter.click(editor.locator(`#check-form-${step20.id}-upper_limit`));
    await press('Control+A');
    await type('3.99');
    await press('Enter');
    await editor.getByTestId('check-20-1').waitFor({ timeout: 60_000 });
    await page.waitForFunction((id) => document.activeElement?.id === `check-form-${id}-description`, step20.id, { timeout: 30_000 });
    await type('Thread go / no-go gauge');
    await press('Enter');
    await editor.getByTestId('check-20-2').waitFor({ timeout: 60_000 });

    // Checks of step 30.
    await counter.click(editor.getByRole('button', { name: 'Add a check to step 30' }));
    await type('Overall length');
    await press('Tab');
    await press('Tab');
    await type('40.0');
    await press('Tab');
    await type('40.2');
    await press('Tab');
    await type('mm');
    await press('Enter');
    await editor.getByTestId('check-30-1').waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => document.activeElement?.id?.endsWith('-description') ?? false, undefined, { timeout: 30_000 });
    await type('Visual: no burrs or tool marks');
    await press('Enter');
    await editor.getByTestId('check-30-2').waitFor({ timeout: 60_000 });
    await counter.click(editor.getByRole('button', { name: 'Done' }));

    expect(counter.count).toBeLessThanOrEqual(CLICK_BUDGET);
    expect(page.url()).toContain(`/admin/resources/revisions/records/${revision.id}/show`);
    await page.screenshot({ path: path.join(SHOTS, 'routing-editor-3-steps-4-checks.png'), fullPage: true });

    const written = await rows<{ step_number: number; operation: string; center: string; hours: string; checks: string | null }>(
      `SELECT s.step_number, s.operation, w.code AS center, s.estimated_hours::text AS hours,
              (SELECT string_agg(c.sequence || ' ' || c.description || ' ' || c.requires_measurement || ' ' || coalesce(c.lower_limit::text, '-') || ' ' || coalesce(c.upper_limit::text, '-') || ' ' || coalesce(c.unit, '-'), ' | ' ORDER BY c.sequence)
                 FROM sub_steps c WHERE c.process_step_id = s.id) AS checks
         FROM process_steps s JOIN work_centers w ON w.id = s.work_center_id WHERE s.revision_id = $1 ORDER BY s.step_number`,
      [revision.id],
    );
    expect(written).toEqual([
      { step_number: 10, operation: 'Cut Ti-6Al-4V ELI bar', center: floor.centers.SAW.code, hours: '0.20', checks: null },
      {
        step_number: 20,
        operation: 'Turn and thread M4',
        center: floor.centers.LATHE.code,
        hours: '0.80',
        checks: '1 Thread major diameter true 3.9800 3.9900 mm | 2 Thread go / no-go gauge false - - -',
      },
      {
        step_number: 30,
        operation: 'Final inspection',
        center: floor.centers.INSPECT.code,
        hours: '0.30',
        checks: '1 Overall length true 40.0000 40.2000 mm | 2 Visual: no burrs or tool marks false - - -',
      },
    ]);
    // Written as the engineer, row by row, through the record service.
    const authors = await rows<{ actor: string }>(
      `SELECT DISTINCT a.actor_username AS actor FROM audit_logs a
        WHERE a.action = 'create' AND ((a.table_name = 'process_steps' AND a.record_id IN (SELECT id::text FROM process_steps WHERE revision_id = $1))
           OR (a.table_name = 'sub_steps' AND a.record_id IN (SELECT c.id::text FROM sub_steps c JOIN process_steps s ON s.id = c.process_step_id WHERE s.revision_id = $1)))`,
      [revision.id],
    );
    expect(authors).toEqual([{ actor: t.users.engineer.username }]);

    // The edit form has no status to type; Release is an action that asks for approval.
    await page.goto(`${base}/admin/resources/revisions/records/${revision.id}/edit`);
    await page.locator('form').first().waitFor({ timeout: 60_000 });
    await page.locator('#notes, [name="notes"]').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('[name="status"], #status').count()).toBe(0);
    await page.goto(`${base}/admin/resources/revisions/records/${revision.id}/release`);
    const release = page.getByTestId('revision-status-action');
    await release.waitFor({ timeout: 60_000 });
    await release.getByText(/3 routing steps with 4 checks/).waitFor();
    await release.getByTestId('revision-action-approval').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'revision-release-action.png'), fullPage: true });
    await Promise.all([
      page.waitForURL(/\/admin\/resources\/approvals\/records\/\d+\/show/, { timeout: 60_000 }),
      release.getByRole('button', { name: 'Ask for release' }).click(),
    ]);
    expect(await one('SELECT status FROM revisions WHERE id = $1', [revision.id])).toEqual({ status: 'draft' });
    expect(await one(`SELECT rule, status FROM approvals WHERE target_table = 'revisions' AND target_id = $1`, [revision.id])).toEqual({
      rule: 'revision.release',
      status: 'pending',
    });
    expect(session.failed).toEqual([]);
    expect(session.outside).toEqual([]);
  }, 300_000);

  it('on a released revision a new check is held for approval and the row says so, with the request; a viewer sees the routing without controls', async () => {
    const revision = floor.revisions.shaft01;
    await page.goto(`${base}/admin/resources/revisions/records/${revision.id}/show`);
    const editor = page.getByTestId('routing-editor');
    await editor.getByTestId('routing-step-50').waitFor({ timeout: 60_000 });
    await editor.getByTestId('routing-approval-note').waitFor();
    await editor.getByRole('button', { name: 'Add a check to step 50' }).click();
    await type('Label matches certificate');
    await press('Enter');
    const outcome = editor.getByTestId('checks-outcome-50');
    await outcome.getByText(/Submitted for approval as request #\d+/).waitFor({ timeout: 60_000 });
    await outcome.getByRole('link', { name: /Open request #\d+/ }).waitFor();
    const step50 = await one<{ id: number }>('SELECT id FROM process_steps WHERE revision_id = $1 AND step_number = 50', [revision.id]);
    expect((await one<{ n: number }>('SELECT count(*)::int AS n FROM sub_steps WHERE process_step_id = $1', [step50.id])).n).toBe(0);
    expect(
      (
        await one<{ n: number }>(
          `SELECT count(*)::int AS n FROM approvals WHERE rule = 'routing.released_revision_checks' AND parent_id = $1 AND status = 'pending'`,
          [revision.id],
        )
      ).n,
    ).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'routing-editor-held-for-approval.png'), fullPage: true });

    await session.signOut();
    await session.signIn('viewer');
    await page.goto(`${base}/admin/resources/revisions/records/${revision.id}/show`);
    await editor.getByTestId('routing-step-40').waitFor({ timeout: 60_000 });
    await editor.getByText('Runout TIR').waitFor();
    expect(await editor.getByRole('button').count()).toBe(0);
    expect(await page.getByTestId('add-step').count()).toBe(0);
    expect(session.failed).toEqual([]);
  }, 240_000);

  it('a work order’s page lists its travelers with where each stands, and Create traveler opens the existing action', async () => {
    await session.signOut();
    await session.signIn('engineer');
    const order = floor.workOrders.running;
    await page.goto(`${base}/admin/resources/work_orders/records/${order.id}/show`);
    const travelers = page.getByTestId('work-order-travelers');
    await travelers.getByTestId(`work-order-traveler-${floor.running.number}`).waitFor({ timeout: 60_000 });
    const listed = await rows<{ number: string }>('SELECT number FROM travelers WHERE work_order_id = $1 ORDER BY created_at, id', [order.id]);
    expect(await travelers.locator('[data-testid^="work-order-traveler-"]').count()).toBe(listed.length);
    await page.screenshot({ path: path.join(SHOTS, 'work-order-travelers.png'), fullPage: true });
    await Promise.all([
      page.waitForURL(new RegExp(`/admin/resources/work_orders/records/${order.id}/createTraveler`), { timeout: 60_000 }),
      travelers.getByTestId('children-create-traveler').click(),
    ]);
    await page.getByTestId('create-traveler').waitFor({ timeout: 60_000 });
    expect(session.failed).toEqual([]);
  }, 240_000);
});
