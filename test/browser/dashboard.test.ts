import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { dashboardSummary } from '../../src/dashboard/dashboard.service.js';
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
  // The floor's labor is booked in the hours before it was built, which may fall in last week (early
  // on a Monday): give the approver a week with labor, whatever day this runs. The floor's one
  // pending request (on its released traveler) is for approvers to decide.
  const [{ week }] = (await t.db.sequelize.query<{ week: Date }>(`SELECT date_trunc('week', now()) AS week`, { type: QueryTypes.SELECT })) as [{ week: Date }];
  await t.db.query(
    `INSERT INTO labor_entries (user_id, traveler_id, traveler_step_id, started_at, ended_at, entry_type, reason)
     VALUES ($1, $2, $3, $4::timestamptz + interval '1 hour', $4::timestamptz + interval '3 hours 30 minutes', 'manual', 'Booked from the paper traveler')`,
    [t.users.operator.id, floor.running.id, floor.running.steps[10], week.toISOString()],
  );
}, 120_000);

afterAll(async () => {
  await session?.close();
});

describe('the dashboard in a real browser', () => {
  it('shows the approver charts of the real figures, with links, and never leaves the server', async () => {
    await session.signIn('approver');
    await page.getByTestId('nexus-dashboard').waitFor({ timeout: 20_000 });
    const figures = await dashboardSummary(t.db.sequelize, { id: t.users.approver.id, role: 'approver' });

    // Travelers by status: one chart, its numbers in its label and in the legend, a bar per status.
    // The bars are links, so the chart itself is hidden from screen readers, which read its summary.
    const statusChart = page.locator('svg[aria-hidden="true"][data-testid="chart-travelers-by-status"]');
    await statusChart.waitFor();
    const statusLabel = (await page.getByTestId('chart-travelers-by-status-summary').textContent())!;
    expect(await statusChart.getAttribute('data-summary')).toBe(statusLabel);
    expect(figures.travelersByStatus.map((s) => s.status)).toEqual(['draft', 'released', 'in_progress', 'on_hold', 'completed', 'cancelled']);
    for (const s of figures.travelersByStatus) {
      const name = s.status.replace('_', ' ');
      expect(statusLabel.toLowerCase()).toContain(`${name} ${s.count}`);
      const bar = page.getByTestId(`status-bar-${s.status}`);
      expect(await bar.getAttribute('href')).toBe(`/admin/resources/travelers?filters.status=${s.status}`);
      expect((await bar.textContent())?.trim()).toMatch(new RegExp(`${s.count}$`));
    }
    expect((await page.getByTestId('status-legend').textContent())?.toLowerCase()).toContain('in progress: ');

    // Labor this week: actual against estimate, numbers on the bars, a legend.
    const laborChart = page.locator('svg[role="img"][data-testid="chart-labor-this-week"]');
    await laborChart.waitFor();
    const laborLabel = (await laborChart.getAttribute('aria-label'))!;
    expect(laborLabel).toContain(`week from ${figures.weekStart}`);
    const worked = figures.laborThisWeek.filter((c) => c.actual_hours > 0);
    expect(worked.length).toBeGreaterThan(0);
    for (const c of worked) {
      expect(laborLabel).toContain(`${c.code} ${Number(c.actual_hours.toFixed(2))} h of ${Number(c.estimated_hours.toFixed(2))} h estimated`);
      const group = page.getByTestId(`labor-group-${c.code}`);
      expect(await group.textContent()).toContain(`${Number(c.actual_hours.toFixed(2))} h`);
      expect(await group.getAttribute('data-over')).toBe(String(c.actual_hours > c.estimated_hours));
    }
    expect(await page.getByTestId('labor-legend').textContent()).toMatch(/Actual hours.*Estimated hours/);
    expect(await page.getByTestId('labor-empty').count()).toBe(0);

    // Late travelers: the floor's released shaft traveler, linked to its page, with its days late.
    const lateNumber = floor.released.number;
    expect(figures.lateTravelers.map((l) => l.number)).toContain(lateNumber);
    const late = figures.lateTravelers.find((l) => l.number === lateNumber)!;
    expect(late.id).toBe(floor.released.id);
    const lateLink = page.getByTestId('late-travelers').getByRole('link', { name: lateNumber, exact: true });
    expect(await lateLink.getAttribute('href')).toBe(`/admin/resources/travelers/records/${floor.released.id}/show`);
    const lateRow = page.getByTestId('late-traveler').filter({ has: page.getByRole('link', { name: lateNumber, exact: true }) });
    expect(await lateRow.textContent()).toContain(`${late.days_late} day`);
    expect(await lateRow.textContent()).toContain(floor.customers.med.name);

    // Pending approvals: the count, the short list, the way to the inbox.
    expect(figures.pendingApprovals).toBeGreaterThanOrEqual(1);
    expect(figures.pendingApprovalList.map((r) => r.id)).toContain(floor.released.pendingApprovalId);
    expect((await page.getByTestId('tile-pending-approvals').locator('a').textContent())?.trim()).toBe(String(figures.pendingApprovals));
    const list = page.getByTestId('pending-approval-list');
    expect(figures.pendingApprovalList.length).toBeGreaterThan(0);
    for (const r of figures.pendingApprovalList) {
      const link = list.getByRole('link', { name: new RegExp(`^#${r.id} `) });
      expect(await link.getAttribute('href')).toBe(`/admin/resources/approvals/records/${r.id}/show`);
    }
    expect(await page.getByTestId('open-my-approvals').getAttribute('href')).toBe('/admin/pages/myApprovals');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-charts.png') });
    await page.getByTestId('card-labor-this-week').screenshot({ path: path.join(SHOTS, 'dashboard-labor.png') });
    await page.getByTestId('card-late-travelers').screenshot({ path: path.join(SHOTS, 'dashboard-late.png') });

    // A bar is a way into the list of those travelers.
    await Promise.all([page.waitForURL(`${base}/admin/resources/travelers?filters.status=released`), page.getByTestId('status-bar-released').click()]);

    expect(session.outside).toEqual([]);
    expect(session.failed).toEqual([]);
  });
});
