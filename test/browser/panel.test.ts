import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { resourcesFor } from '../../src/resources/index.js';
import { AUDITED_TABLES } from '../support/expected.js';
import { startBrowserSession, type BrowserSession } from '../support/browser.js';
import type { Floor } from '../support/floor-fixtures.js';
import type { TestApp } from '../support/test-app.js';

const SHOTS = path.resolve('test-results', 'screenshots');

let t: TestApp;
let floor: Floor;
let base: string;
let page: Page;
let session: BrowserSession;
let outside: string[];
let failed: string[];

beforeAll(async () => {
  session = await startBrowserSession();
  ({ t, floor, base, page, outside, failed } = session);
  fs.mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await session?.close();
});

describe('the panel in a real browser', () => {
  it('signs in, opens every resource list and an edit form, and never leaves the server', async () => {
    await session.signIn('admin');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard.png') });

    const opened: Record<string, string> = {};
    for (const { options, labels } of resourcesFor(t.ctx)) {
      const id = options.id as string;
      const [listed] = await Promise.all([
        page.waitForResponse((r) => r.url().includes(`/admin/api/resources/${id}/actions/list`)),
        page.goto(`${base}/admin/resources/${id}`),
      ]);
      expect({ id, status: listed.status() }).toEqual({ id, status: 200 });
      // The breadcrumb names the resource once the list page has rendered.
      await page.getByText(labels.name, { exact: true }).first().waitFor({ timeout: 20_000 });
      const body = await page.textContent('body');
      expect(body).not.toMatch(/There was an error|forbiddenError/);
      opened[id] = body ?? '';
      if (id === 'travelers') await page.screenshot({ path: path.join(SHOTS, 'travelers-list.png') });
    }
    // Every audited table has its list in the panel, and so has the audit log itself.
    expect(Object.keys(opened).sort()).toEqual([...AUDITED_TABLES, 'audit_logs'].sort());
    expect(opened.travelers).toContain(floor.running.number);

    const part = floor.parts.manifold;
    await page.goto(`${base}/admin/resources/parts/records/${part.id}/edit`);
    const description = page.locator('[name=description], #description').first();
    await description.waitFor({ timeout: 20_000 });
    expect(await description.inputValue()).toBe('Hydraulic manifold block, 6061-T6');
    await description.fill('Hydraulic manifold block, 6061-T6, anodized');
    await page.getByRole('button', { name: /save/i }).click();
    await page.waitForURL(/\/admin\/resources\/parts(\/records\/\d+\/show)?$/, { timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'part-saved.png') });
    const saved = (await t.db.query<{ description: string }>(`SELECT description FROM parts WHERE id = $1`, [part.id])).rows[0]!;
    expect(saved.description).toBe('Hydraulic manifold block, 6061-T6, anodized');

    expect(outside).toEqual([]);
    expect(failed).toEqual([]);
  }, 180_000);
});
