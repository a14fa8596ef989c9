import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { Role } from '../../src/auth/roles.js';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';
import type { TestApp } from '../support/test-app.js';

const SHOTS = path.resolve('test-results', 'screenshots');
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

let session: BrowserSession;
let t: TestApp;
let floor: Floor;
let page: Page;
let base: string;
let signedInAs: Role | null = null;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, floor, page, base } = session);
  fs.mkdirSync(SHOTS, { recursive: true });
  // The first page makes AdminJS bundle our components (tens of seconds on a busy machine).
  await page.goto(`${base}/admin/login`, { timeout: 240_000 });
  await page.locator('input[name=email]').waitFor({ timeout: 240_000 });
}, 300_000);

afterAll(async () => {
  await session?.close();
});

async function as(role: Role): Promise<void> {
  if (signedInAs === role) return;
  if (signedInAs) await session.signOut();
  await session.signIn(role);
  signedInAs = role;
}

/** Opens a panel address and waits until it has drawn: its marker, no request and no spinner left. */
async function open(url: string, ready: string): Promise<void> {
  await page.goto(`${base}${url}`);
  await page.locator(ready).first().waitFor({ timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => document.querySelectorAll('.adminjs_Loader').length === 0, undefined, { timeout: 30_000 });
}

/** axe-core's violations on the page as it stands, every impact. */
async function axe(): Promise<Violation[]> {
  // Evaluated over the DevTools protocol: the panel's content security policy (rightly) refuses an
  // inline <script>, and the test must not weaken it to get one in.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Violation[] }> } };
    const { violations } = await w.axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

function readable(violations: Violation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 8)
        .map((n) => `    at ${n.target.join(' ')}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`);
      if (v.nodes.length > 8) nodes.push(`    ... and ${v.nodes.length - 8} more`);
      return `[${v.impact}] ${v.id}: ${v.help}\n${nodes.join('\n')}`;
    })
    .join('\n');
}

/** No serious or critical violation on the page now; the failure lists each with where it is. */
async function expectAccessible(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `a11y-${name}.png`), fullPage: true });
  const serious = (await axe()).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(`${name}: ${serious.length ? `\n${readable(serious)}` : 'no serious or critical violations'}`).toBe(`${name}: no serious or critical violations`);
}

/** Every <label for> names an element that exists and can be labelled. */
async function danglingLabels(): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('label[for]'))
      .filter((label) => {
        const target = document.getElementById(label.getAttribute('for') ?? '');
        return !target || !target.matches('input:not([type=hidden]), select, textarea, button, meter, output, progress');
      })
      .map((label) => `${label.textContent?.trim()} -> #${label.getAttribute('for')}`),
  );
}

// Several pages per test, each drawn and scanned on a shared 2-core machine.
jest.setTimeout(180_000);

describe('axe-core finds no serious or critical violation on the main pages', () => {
  it('the login page', async () => {
    if (signedInAs) await session.signOut();
    signedInAs = null;
    await open('/admin/login', 'input[name=email]');
    await expectAccessible('login');
  });

  for (const role of ['admin', 'engineer', 'quality', 'approver', 'operator', 'viewer'] as Role[]) {
    it(`the dashboard of ${role === 'admin' ? 'an' : 'a'} ${role}`, async () => {
      await as(role);
      await open('/admin', '[data-css="sidebar"] nav');
      await expectAccessible(`dashboard-${role}`);
    });
  }

  it('the travelers list, a traveler, a new work order and a revision, as an engineer', async () => {
    await as('engineer');
    const traveler = floor.draft.id;
    const revision = floor.revisions.manifoldA.id;
    await open('/admin/resources/travelers', 'table tbody tr');
    await expectAccessible('travelers-list');
    await open(`/admin/resources/travelers/records/${traveler}/show`, '[data-css$="-action-header"]');
    await expectAccessible('traveler-show');
    await open('/admin/resources/work_orders/actions/new', 'form label');
    await expectAccessible('work-order-new');
    await open(`/admin/resources/revisions/records/${revision}/show`, '[data-css$="-action-header"]');
    await expectAccessible('revision-show');
  });

  it('a traveler’s History and the audit log, as quality', async () => {
    await as('quality');
    const traveler = floor.draft.id;
    await open(`/admin/resources/travelers/records/${traveler}/history`, '[data-testid="nexus-history"]');
    await expectAccessible('traveler-history');
    await open('/admin/resources/audit_logs', 'table tbody tr');
    await expectAccessible('audit-log-list');
  });

  it('the traveler forms: create from a work order, add a manual step, hold, print, and the audit log’s filters', async () => {
    await as('admin');
    const order = floor.workOrders.running.id;
    const traveler = floor.running.id;
    for (const [name, url] of [
      ['create-traveler', `/admin/resources/work_orders/records/${order}/createTraveler`],
      ['add-manual-step', `/admin/resources/travelers/records/${traveler}/addManualStep`],
      ['traveler-hold', `/admin/resources/travelers/records/${traveler}/hold`],
      ['traveler-print-action', `/admin/resources/travelers/records/${traveler}/print`],
    ] as const) {
      await open(url, '[data-css$="-action-header"]');
      expect({ name, dangling: await danglingLabels() }).toEqual({ name, dangling: [] });
      await expectAccessible(name);
    }
    await open('/admin/resources/audit_logs', 'table tbody tr');
    await page.locator('[data-css="audit_logs-filter-button"]').click();
    await page.locator('#nexus-filter-drawer').getByRole('heading', { name: 'Filters' }).waitFor({ state: 'visible' });
    await page.waitForLoadState('networkidle');
    expect(await danglingLabels()).toEqual([]);
    await expectAccessible('audit-log-filters');
  });

  it('My approvals, as an approver', async () => {
    await as('approver');
    await open('/admin/pages/myApprovals', '[data-css="app-content"] h2');
    await expectAccessible('my-approvals');
  });

  it('My work, as an operator at a desk and on a phone', async () => {
    await as('operator');
    await open('/admin/pages/myWork', '[data-css="app-content"] h2');
    await expectAccessible('my-work-desktop');
    await page.setViewportSize(PHONE);
    try {
      await open('/admin/pages/myWork', '[data-css="app-content"] h2');
      await expectAccessible('my-work-phone');
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });
});

describe('what a keyboard and a screen reader meet', () => {
  it('the sidebar’s groups are buttons that say whether they are open, and every menu entry is a link with an address', async () => {
    await as('engineer');
    await open('/admin', '[data-css="sidebar"] nav');
    const sidebar = page.locator('[data-css="sidebar"]');
    // No <a> without href anywhere in the menu: each is either a link or a button.
    expect(await sidebar.locator('a:not([href])').count()).toBe(0);
    const groups = sidebar.locator('nav button[aria-expanded]');
    expect(await groups.count()).toBeGreaterThan(1);
    const group = groups.first();
    const list = page.locator(`#${await group.getAttribute('aria-controls')}`);
    const wasOpen = (await group.getAttribute('aria-expanded')) === 'true';
    expect(await list.isVisible()).toBe(wasOpen);

    // Toggled from the keyboard: focus it with Tab order intact and press Enter.
    await group.focus();
    await page.keyboard.press('Enter');
    await expect(group.getAttribute('aria-expanded')).resolves.toBe(String(!wasOpen));
    expect(await list.isVisible()).toBe(!wasOpen);
    // Open again (if Enter just closed it), to read its links.
    if (wasOpen) await page.keyboard.press('Enter');
    await expect(group.getAttribute('aria-expanded')).resolves.toBe('true');
    expect(await list.isVisible()).toBe(true);
    const links = list.locator('a');
    expect(await links.count()).toBeGreaterThan(0);
    for (const href of await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')))) expect(href).toMatch(/^\/admin\/resources\//);
    await page.screenshot({ path: path.join(SHOTS, 'a11y-sidebar-group-open.png') });
  });

  it('“Filter” is a button that opens the drawer it controls; closed, the drawer is out of reach; every label names a field there', async () => {
    await as('engineer');
    await open('/admin/resources/travelers', 'table tbody tr');
    const filter = page.locator('[data-css="travelers-filter-button"]');
    await expect(filter.evaluate((el) => el.tagName)).resolves.toBe('BUTTON');
    await expect(filter.getAttribute('aria-expanded')).resolves.toBe('false');
    const drawerId = (await filter.getAttribute('aria-controls')) ?? '';
    expect(drawerId).not.toBe('');
    const drawer = page.locator(`#${drawerId}`);
    expect(await drawer.count()).toBe(1);
    // Closed: hidden from screen readers and from Tab, not only slid off screen.
    await expect(drawer.evaluate((el) => getComputedStyle(el).visibility)).resolves.toBe('hidden');

    await filter.focus();
    await page.keyboard.press('Enter');
    await expect(filter.getAttribute('aria-expanded')).resolves.toBe('true');
    await drawer.getByRole('heading', { name: 'Filters' }).waitFor({ state: 'visible' });
    // Focus moved into the drawer, where the next Tab goes on to its fields.
    await page.waitForFunction((id) => document.getElementById(id)?.contains(document.activeElement) ?? false, drawerId);
    await page.waitForLoadState('networkidle');
    expect(await danglingLabels()).toEqual([]);
    // Each filter's label names its control: the status filter is a select found by its label.
    await expect(page.getByLabel('Status', { exact: true }).count()).resolves.toBe(1);
    await expectAccessible('travelers-filter-open');

    await page.keyboard.press('Escape');
    await expect(filter.getAttribute('aria-expanded')).resolves.toBe('false');
    await page.waitForFunction((id) => getComputedStyle(document.getElementById(id)!).visibility === 'hidden', drawerId);
  });

  it('lists have column headers: a <th scope="col"> with a name for every column, and row boxes that say what they select', async () => {
    await as('admin');
    // Some columns each list must have, by name; administrators delete travelers and work orders
    // in bulk (a box per row), audit rows never.
    const expected: Record<string, { columns: string[]; boxes: boolean }> = {
      travelers: { columns: ['Traveler', 'Status'], boxes: true },
      work_orders: { columns: ['Work order', 'Status'], boxes: true },
      audit_logs: { columns: ['Action'], boxes: false },
    };
    for (const [resource, { columns: named, boxes: hasBoxes }] of Object.entries(expected)) {
      await open(`/admin/resources/${resource}`, 'table tbody tr');
      const table = page.locator('table').first();
      expect({ resource, tdInHead: await table.locator('thead td').count() }).toEqual({ resource, tdInHead: 0 });
      const headers = await table.locator('thead th').evaluateAll((ths) =>
        ths.map((th) => ({
          scope: th.getAttribute('scope'),
          name: (th.textContent ?? '').trim() || th.querySelector('[aria-label]')?.getAttribute('aria-label') || '',
        })),
      );
      const columns = await table.locator('tbody tr').first().locator('td').count();
      expect(headers.length).toBe(columns);
      expect(headers.length).toBeGreaterThan(1);
      for (const header of headers) expect({ resource, ...header }).toMatchObject({ resource, scope: 'col', name: expect.stringMatching(/\S/) });
      // A row's checkbox (admins may delete in bulk) is named after its record.
      const boxes = await table.locator('tbody input[type=checkbox]').evaluateAll((inputs) => inputs.map((i) => i.getAttribute('aria-label')));
      expect({ resource, boxes: boxes.length > 0 }).toEqual({ resource, boxes: hasBoxes });
      for (const label of boxes) expect(label).toMatch(/^Select \S/);
      expect({ resource, headers: headers.map((h) => h.name) }).toEqual({ resource, headers: expect.arrayContaining(named) });
    }
  });

  it('every form label points at its field, the pickers and selects included', async () => {
    await as('engineer');
    const part = floor.parts.manifold.id;
    const traveler = floor.draft.id;
    for (const url of [
      '/admin/resources/work_orders/actions/new',
      `/admin/resources/parts/records/${part}/edit`,
      `/admin/resources/travelers/records/${traveler}/edit`,
    ]) {
      await open(url, 'form label');
      const labels = await page.locator('form label[for]').count();
      expect({ url, some: labels > 2 }).toEqual({ url, some: true });
      expect({ url, dangling: await danglingLabels() }).toEqual({ url, dangling: [] });
    }
    // A field's description is on the page, not in a hover-only tooltip, and read with its field.
    await open('/admin/resources/work_orders/actions/new', 'form label');
    const description = page.getByTestId('description-status');
    await description.waitFor({ state: 'visible' });
    const statusControl = page.locator(
      `#${await page
        .locator('label[for]')
        .filter({ hasText: /^Status$/ })
        .getAttribute('for')}`,
    );
    await expect(statusControl.getAttribute('aria-describedby')).resolves.toContain(await description.getAttribute('id'));

    // The part form's select and picker are found by their labels, as a screen reader finds them.
    await open(`/admin/resources/parts/records/${part}/edit`, 'form label');
    await expect(page.getByLabel('Unit', { exact: true }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Customer', { exact: true }).count()).resolves.toBe(1);
  });

  it('a refusal is an alert and a confirmation a status, both in view and named for what they say', async () => {
    await as('engineer');
    const part = floor.parts.manifold.id;
    const before = (await t.db.query<{ part_number: string; description: string }>('SELECT part_number, description FROM parts WHERE id = $1', [part]))
      .rows[0]!;
    const other = (await t.db.query<{ part_number: string }>('SELECT part_number FROM parts WHERE id <> $1 ORDER BY id LIMIT 1', [part])).rows[0]!.part_number;

    // Refused: another part has that number.
    await open(`/admin/resources/parts/records/${part}/edit`, 'form label');
    await page.fill('#part_number', other);
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.locator('[data-testid="notice-wrapper"] [role="alert"]');
    await alert.first().waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid="notice-wrapper"] [role="status"]').count()).toBe(0);
    // In view where the button was pressed (the page is scrolled down to Save), not at the top of the page.
    const box = (await alert.first().boundingBox())!;
    expect({ top: box.y >= 0, bottom: box.y + box.height <= DESKTOP.height }).toEqual({ top: true, bottom: true });
    await expect(
      alert
        .first()
        .getByRole('button', { name: /dismiss/i })
        .count(),
    ).resolves.toBe(1);
    await expectAccessible('notice-refusal');
    // Nothing was written.
    await expect(t.db.query('SELECT part_number, description FROM parts WHERE id = $1', [part]).then((r) => r.rows[0])).resolves.toEqual(before);
    // Dismissed from the keyboard.
    await alert
      .first()
      .getByRole('button', { name: /dismiss/i })
      .focus();
    await page.keyboard.press('Enter');
    await alert.first().waitFor({ state: 'detached' });

    // Refused again, then put right: the confirmation is a status, and the refusal it answers
    // does not stay up beside it.
    await page.getByRole('button', { name: 'Save' }).click();
    await alert.first().waitFor({ timeout: 20_000 });
    await page.fill('#part_number', before.part_number);
    await page.fill('#description', `${before.description} (reviewed)`);
    await page.getByRole('button', { name: 'Save' }).click();
    const status = page.locator('[data-testid="notice-wrapper"] [role="status"]');
    await status.first().waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid="notice-wrapper"] [role="alert"]').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'a11y-notice-confirmation.png') });
    await expect(t.db.query('SELECT description FROM parts WHERE id = $1', [part]).then((r) => r.rows[0])).resolves.toEqual({
      description: `${before.description} (reviewed)`,
    });
  });
});
