import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { recordHistory, type HistoryEntry, type RecordHistory } from '../src/audit/audit-history.service.js';
import { recordTitles } from '../src/audit/record-titles.js';
import { createSequelize } from '../src/db/database.js';
import { planCachedQuery } from '../src/db/plan-cached-reads.js';
import { resourcesFor } from '../src/resources/index.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { AUDITED_TABLES } from './support/expected.js';

/**
 * The History action through the panel API: edits made through the panel show up in the
 * record's timeline with labels, named references, who, when and from where; a traveler's
 * history includes its children, deleted ones too; secrets and network details are kept back.
 */

const BROWSER = 'NexusHistoryTest/1.0 (audit review)';

let t: TestApp;
let floor: Floor;
let engineer: TestAgent;
let quality: TestAgent;
let admin: TestAgent;
let viewer: TestAgent;
let operator: TestAgent;
const ids = {} as Record<'traveler' | 'step' | 'part' | 'hydro' | 'aero' | 'viewerUser' | 'tempCustomer' | 'manualStep', string>;

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

function post(agent: TestAgent, url: string, fields: Record<string, string | number>) {
  let req = agent.post(url).set('User-Agent', BROWSER);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, String(v));
  return req;
}

async function edit(agent: TestAgent, resource: string, id: string, fields: Record<string, string | number>) {
  const shown = await agent.get(`/admin/api/resources/${resource}/records/${id}/show`);
  expect(shown.status).toBe(200);
  const res = await post(agent, `/admin/api/resources/${resource}/records/${id}/edit`, { ...fields, version: shown.body.record.params.version });
  expect({ status: res.status, errors: res.body.record?.errors, notice: res.body.notice?.type }).toEqual({ status: 200, errors: {}, notice: 'success' });
}

async function create(agent: TestAgent, resource: string, fields: Record<string, string | number>): Promise<string> {
  const res = await post(agent, `/admin/api/resources/${resource}/actions/new`, fields);
  expect({ status: res.status, errors: res.body.record?.errors }).toEqual({ status: 200, errors: {} });
  return String(res.body.record.id);
}

async function remove(agent: TestAgent, resource: string, id: string) {
  const res = await agent.post(`/admin/api/resources/${resource}/records/${id}/delete`).set('User-Agent', BROWSER);
  expect({ status: res.status, notice: res.body.notice?.type }).toEqual({ status: 200, notice: 'success' });
}

async function history(agent: TestAgent, resource: string, id: string): Promise<RecordHistory> {
  const res = await agent.get(`/admin/api/resources/${resource}/records/${id}/history`);
  expect(res.status).toBe(200);
  expect(String(res.body.record.id)).toBe(id);
  return res.body.history as RecordHistory;
}

/** The database's clock, which stamps the audit rows. */
const databaseClock = async () => (await one<{ now: Date }>('SELECT clock_timestamp() AS now')).now.getTime();
let editsFrom: number;

const about = (entries: HistoryEntry[], table: string, id: string, action: string) =>
  entries.filter((e) => e.record.table === table && e.record.id === id && e.action === action);

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  engineer = await t.signIn('engineer');
  quality = await t.signIn('quality');
  admin = await t.signIn('admin');
  viewer = await t.signIn('viewer');
  operator = await t.signIn('operator');
  // A draft traveler (quantity 12, step 10 "Cut 7075-T7351 plate"), and the manifold part, of customer hydro.
  ids.traveler = String(floor.draft.id);
  ids.step = String(floor.draft.steps[10]);
  ids.part = String(floor.parts.manifold.id);
  ids.hydro = String(floor.customers.hydro.id);
  ids.aero = String(floor.customers.aero.id);
  ids.viewerUser = String(t.users.viewer.id);
  editsFrom = await databaseClock();

  // A part: its description, and its customer moved to a customer deleted afterwards, then on.
  ids.tempCustomer = await create(engineer, 'customers', { code: 'TEMPCO', name: 'Temporary Customer Co.' });
  await edit(engineer, 'parts', ids.part, { description: 'Hydraulic manifold block, 6061-T6, hard anodized', customer_id: ids.tempCustomer });
  await edit(engineer, 'parts', ids.part, { customer_id: ids.aero });
  await remove(engineer, 'customers', ids.tempCustomer);

  // A traveler, one of its steps, and a manual step added and removed again.
  await edit(engineer, 'travelers', ids.traveler, { quantity: 14, notes: 'Expedite: customer called, "line down" <urgent>' });
  await edit(engineer, 'traveler_steps', ids.step, { instructions: 'Saw from the 7075 plate with cert 4471 only.' });
  ids.manualStep = await create(engineer, 'manual_steps', {
    traveler_id: ids.traveler,
    after_step_number: 10,
    operation: 'Rework face A',
    reason: 'Chatter marks on face A',
    added_by_id: t.users.engineer.id,
    status: 'pending',
  });
  await remove(engineer, 'manual_steps', ids.manualStep);

  // A password change, by an administrator: a one-time password, which the viewer then replaces
  // with their own (until then their session opens nothing else).
  await edit(admin, 'users', ids.viewerUser, { password: 'a-brand-new-passphrase-2026' });
  const own = await viewer
    .post('/admin/change-password')
    .type('form')
    .send({ current: 'a-brand-new-passphrase-2026', password: 'the-viewers-own-passphrase-9', repeat: 'the-viewers-own-passphrase-9' });
  expect(own.status).toBe(302);
});

afterAll(async () => {
  await t.close();
});

describe('traveler history', () => {
  let h: RecordHistory;
  beforeAll(async () => {
    h = await history(quality, 'travelers', ids.traveler);
  });

  it('is newest first, grouped by change, and names the traveler', () => {
    expect(h.subject).toMatchObject({ table: 'travelers', id: ids.traveler, title: floor.draft.number, exists: true, tableLabel: 'Travelers' });
    expect(h.entries.length).toBeGreaterThan(5);
    const times = h.entries.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(new Set(h.entries.map((e) => e.changeId)).size).toBe(h.entries.length);
    expect(h.olderEntriesExist).toBe(false);
    // Newest: the manual step's deletion, then its creation.
    expect(h.entries[0]).toMatchObject({ action: 'delete', record: { table: 'manual_steps', id: ids.manualStep } });
    expect(h.entries[1]).toMatchObject({ action: 'create', record: { table: 'manual_steps', id: ids.manualStep } });
  });

  it('shows the traveler’s own edit with labels and old → new values', () => {
    const updates = about(h.entries, 'travelers', ids.traveler, 'update');
    expect(updates).toHaveLength(1);
    const [update] = updates;
    expect(update!.record.isSubject).toBe(true);
    expect(update!.changes).toEqual(
      expect.arrayContaining([
        { field: 'quantity', label: 'Quantity', old: '12', new: '14', oldText: '12', newText: '14' },
        {
          field: 'notes',
          label: 'Notes',
          old: floor.draft.notes,
          new: 'Expedite: customer called, "line down" <urgent>',
          oldText: floor.draft.notes,
          newText: 'Expedite: customer called, "line down" <urgent>',
        },
      ]),
    );
    expect(update!.changes.map((c) => c.field).sort()).toEqual(['notes', 'quantity']);
  });

  it('says who, when and from where, for a quality reviewer', async () => {
    const [update] = about(h.entries, 'travelers', ids.traveler, 'update');
    expect(update!.actor).toEqual({ kind: 'user', id: t.users.engineer.id, username: 'engineer.user', name: 'Test engineer', email: 'engineer@test.example' });
    expect(update!.ipAddress).toMatch(/127\.0\.0\.1/);
    expect(update!.userAgent).toBe(BROWSER);
    // The user agent collapsed to what it names; the full text stays beside it.
    expect(update!.browser).toBe('NexusHistoryTest 1.0');
    // The time as every audit view writes it: the shop's zone (UTC on this machine), named.
    expect(update!.atText).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(update!.atText.slice(0, 19)).toBe(update!.at.slice(0, 19).replace('T', ' '));
    expect(update!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // When the edit was made: after this file's edits began, before now.
    expect(Date.parse(update!.at)).toBeGreaterThanOrEqual(editsFrom);
    expect(Date.parse(update!.at)).toBeLessThanOrEqual(await databaseClock());
    const audit = await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE table_name = 'travelers' AND record_id = $1 AND change_id = $2`, [
      ids.traveler,
      update!.changeId,
    ]);
    expect(audit.n).toBe(2);
  });

  it('includes the traveler’s steps and the manual step deleted since, named', () => {
    const [stepEdit] = about(h.entries, 'traveler_steps', ids.step, 'update');
    expect(stepEdit!.record).toMatchObject({ title: 'Step 10 — Cut 7075-T7351 plate', tableLabel: 'Traveler steps', isSubject: false, exists: true });
    expect(stepEdit!.changes).toEqual([
      {
        field: 'instructions',
        label: 'Instructions',
        old: null,
        new: 'Saw from the 7075 plate with cert 4471 only.',
        oldText: null,
        newText: 'Saw from the 7075 plate with cert 4471 only.',
      },
    ]);

    const [deleted] = about(h.entries, 'manual_steps', ids.manualStep, 'delete');
    expect(deleted!.record).toMatchObject({ exists: false, title: `Manual step after 10 — Rework face A (#${ids.manualStep}, deleted)` });
    expect(deleted!.changes).toEqual(
      expect.arrayContaining([{ field: 'operation', label: 'Operation', old: 'Rework face A', new: null, oldText: 'Rework face A', newText: null }]),
    );

    const [created] = about(h.entries, 'manual_steps', ids.manualStep, 'create');
    const byField = Object.fromEntries(created!.changes.map((c) => [c.field, c]));
    // References read by their titles; the stored ids stay beside them.
    expect(byField.traveler_id).toMatchObject({
      label: 'Traveler',
      new: ids.traveler,
      newText: floor.draft.number,
      newRef: { table: 'travelers', title: floor.draft.number, exists: true },
    });
    expect(byField.added_by_id).toMatchObject({ label: 'Added by', newText: 'Test engineer', newRef: { table: 'users', title: 'Test engineer' } });
    expect(byField.reason).toMatchObject({ label: 'Reason', old: null, new: 'Chatter marks on face A', newText: 'Chatter marks on face A' });
    // A status by the label the panel gives it.
    expect(byField.status).toMatchObject({ new: 'pending', newText: 'Pending' });
  });

  it('goes back to the traveler’s creation by the system that set up the floor, with references named', () => {
    const [creation] = about(h.entries, 'travelers', ids.traveler, 'create');
    expect(creation).toBe(h.entries.filter((e) => e.record.isSubject).at(-1));
    expect(creation!.actor).toMatchObject({ kind: 'system', username: 'system:test:setup' });
    const byField = Object.fromEntries(creation!.changes.map((c) => [c.field, c]));
    const bracket = floor.parts.bracket.number;
    expect(byField.part_id).toMatchObject({ label: 'Part', newRef: { table: 'parts', title: bracket, exists: true } });
    expect(byField.work_order_id).toMatchObject({ label: 'Work order', newRef: { title: floor.workOrders.open.number } });
    // A revision is named with its part: "Rev A" alone would not say which.
    expect(byField.revision_id).toMatchObject({ label: 'Revision', newText: `${bracket} rev A`, newRef: { title: `${bracket} rev A` } });
    // The routing copied at creation: its steps and their checks are children too.
    expect(h.entries.some((e) => e.record.table === 'traveler_steps' && e.action === 'create')).toBe(true);
  });

  it('is the same for an administrator, IP address and browser included', async () => {
    const asAdmin = await history(admin, 'travelers', ids.traveler);
    expect(asAdmin.entries.map((e) => e.changeId)).toEqual(h.entries.map((e) => e.changeId));
    expect(about(asAdmin.entries, 'travelers', ids.traveler, 'update')[0]).toMatchObject({
      ipAddress: expect.stringMatching(/127\.0\.0\.1/),
      userAgent: BROWSER,
    });
  });

  it('leaves out IP address and browser for a viewer, and keeps the rest', async () => {
    const asViewer = await history(viewer, 'travelers', ids.traveler);
    expect(asViewer.entries.map((e) => e.changeId)).toEqual(h.entries.map((e) => e.changeId));
    for (const entry of asViewer.entries) {
      expect(entry).not.toHaveProperty('ipAddress');
      expect(entry).not.toHaveProperty('userAgent');
    }
    const [update] = about(asViewer.entries, 'travelers', ids.traveler, 'update');
    expect(update!.actor.username).toBe('engineer.user');
    expect(update!.changes).toEqual(about(h.entries, 'travelers', ids.traveler, 'update')[0]!.changes);
    expect(JSON.stringify(asViewer)).not.toContain(BROWSER);
  });
});

describe('a long history', () => {
  it('is capped at the newest changes and says that older ones exist', async () => {
    const full = await recordHistory(t.db.sequelize, 'travelers', ids.traveler);
    const capped = await recordHistory(t.db.sequelize, 'travelers', ids.traveler, { limit: 3 });
    expect(full.olderEntriesExist).toBe(false);
    expect(capped).toMatchObject({ limit: 3, olderEntriesExist: true });
    expect(capped.entries.map((e) => e.changeId)).toEqual(full.entries.slice(0, 3).map((e) => e.changeId));
    expect(capped.entries[0]!.changes).toEqual(full.entries[0]!.changes);
  });

  it('leaves out children the reader may not read', async () => {
    const own = await recordHistory(t.db.sequelize, 'travelers', ids.traveler, { canReadTable: () => false });
    expect(own.entries.length).toBeGreaterThan(0);
    expect(own.entries.every((e) => e.record.isSubject)).toBe(true);
  });
});

describe('part history', () => {
  it('names the customers it moved between, the deleted one included', async () => {
    const h = await history(viewer, 'parts', ids.part);
    const updates = about(h.entries, 'parts', ids.part, 'update');
    expect(updates).toHaveLength(2);
    const [second, first] = updates;
    const customerOf = (e: HistoryEntry) => e.changes.find((c) => c.field === 'customer_id')!;
    expect(customerOf(first!)).toMatchObject({
      label: 'Customer',
      old: ids.hydro,
      new: ids.tempCustomer,
      oldText: 'Midwest Hydraulics LLC',
      newText: `Temporary Customer Co. (#${ids.tempCustomer}, deleted)`,
      oldRef: { title: 'Midwest Hydraulics LLC', exists: true },
      newRef: { title: `Temporary Customer Co. (#${ids.tempCustomer}, deleted)`, exists: false },
    });
    expect(customerOf(second!)).toMatchObject({ oldRef: { exists: false }, newRef: { title: 'Aerodyne Systems Inc.', exists: true } });
    expect(first!.changes.find((c) => c.field === 'description')).toEqual({
      field: 'description',
      label: 'Description',
      old: floor.parts.manifold.description,
      new: 'Hydraulic manifold block, 6061-T6, hard anodized',
      oldText: floor.parts.manifold.description,
      newText: 'Hydraulic manifold block, 6061-T6, hard anodized',
    });
  });

  it('says "#id (deleted)" for a referenced record the audit trail knows nothing about', async () => {
    const titles = await recordTitles(t.db.sequelize, [
      { table: 'customers', id: '987654' },
      { table: 'customers', id: ids.hydro },
    ]);
    expect(titles.get(`customers:987654`)).toEqual({ table: 'customers', id: '987654', title: '#987654 (deleted)', exists: false });
    expect(titles.get(`customers:${ids.hydro}`)).toMatchObject({ title: 'Midwest Hydraulics LLC', exists: true });
  });
});

describe('user history', () => {
  it('shows a password change as such, never a hash', async () => {
    const res = await admin.get(`/admin/api/resources/users/records/${ids.viewerUser}/history`);
    expect(res.status).toBe(200);
    const h = res.body.history as RecordHistory;
    const change = h.entries.flatMap((e) => e.changes).find((c) => c.field === 'password' && c.old !== null);
    expect(change).toEqual({
      field: 'password',
      label: 'Password',
      old: '(previous password)',
      new: '(new password set)',
      oldText: '(previous password)',
      newText: '(new password set)',
      secret: true,
    });
    const body = JSON.stringify(res.body);
    expect(body).not.toMatch(/\$argon2/);
    expect(body).not.toContain('a-brand-new-passphrase-2026');
    expect(body).not.toContain('password_hash');
  });

  it('is refused to those who may not read users', async () => {
    for (const agent of [operator, viewer, quality, engineer]) {
      const res = await agent.get(`/admin/api/resources/users/records/${ids.viewerUser}/history`);
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('previous password');
    }
  });
});

describe('the History action', () => {
  it('is offered on every audited resource and not on the audit log', async () => {
    // Every audited table needs a row to look at; the outbox has none until someone requests approval.
    await t.db.query(`INSERT INTO mail_outbox (to_address, subject, body) VALUES ('someone@test.example', 'Hello', 'Body')`);
    const checked: string[] = [];
    for (const { options } of resourcesFor(t.ctx)) {
      const id = options.id as string;
      if (id === 'audit_logs') continue;
      checked.push(id);
      const first = await one<{ id: string }>(`SELECT id::text AS id FROM ${id} ORDER BY id LIMIT 1`);
      const res = await admin.get(`/admin/api/resources/${id}/records/${first.id}/show`);
      expect({ id, actions: res.body.record.recordActions.map((a: { name: string }) => a.name) }).toEqual({ id, actions: expect.arrayContaining(['history']) });
      expect((await admin.get(`/admin/api/resources/${id}/records/${first.id}/history`)).status).toBe(200);
    }
    expect(checked.sort()).toEqual([...AUDITED_TABLES].sort());
    const auditRow = await one<{ id: string }>(`SELECT id::text AS id FROM audit_logs ORDER BY id LIMIT 1`);
    const shown = await quality.get(`/admin/api/resources/audit_logs/records/${auditRow.id}/show`);
    expect(shown.status).toBe(200);
    expect(shown.body.record.recordActions.map((a: { name: string }) => a.name)).not.toContain('history');
  });
});

describe('the History page’s own route', () => {
  it('answers what the History action answers, under the same access rule, without loading the record through AdminJS', async () => {
    const traveler = { id: String(floor.running.id) };
    const viaAction = await admin.get(`/admin/api/resources/travelers/records/${traveler.id}/history`);
    const viaRoute = await admin.get(`/admin/api/history/travelers/${traveler.id}`);
    expect(viaRoute.status).toBe(200);
    expect(viaRoute.body).toEqual({ history: viaAction.body.history, pending: viaAction.body.pending });

    // Users' histories are for administrators: refused (and recorded) for everyone else.
    const denied = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access_denied'`)).rows[0]!.n;
    const refused = await viewer.get(`/admin/api/history/users/${ids.viewerUser}`);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('previous password');
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access_denied'`)).rows[0]!.n).toBe(denied + 1);

    expect((await admin.get(`/admin/api/history/audit_logs/1`)).status).toBe(404);
    expect((await admin.get(`/admin/api/history/nonsense/1`)).status).toBe(404);
    expect((await supertest(t.app).get(`/admin/api/history/travelers/${traveler.id}`)).status).toBe(401);
  });
});

describe('History’s searches of the audit log', () => {
  it('are prepared once per connection with generic plans, on a pool of their own; the app’s connections keep custom plans', async () => {
    const traveler = { id: String(floor.completed.id) };
    const first = await recordHistory(t.db.sequelize, 'travelers', traveler.id);
    const again = await recordHistory(t.db.sequelize, 'travelers', traveler.id);
    expect(again).toEqual(first);
    expect(first.entries.length).toBeGreaterThan(0);
    // The pool hands back its most recently used connection: the one that just prepared them.
    const prepared = await planCachedQuery<{ statement: string; generic_plans: string; custom_plans: string }>(
      t.db.sequelize,
      `SELECT statement, generic_plans::text, custom_plans::text FROM pg_prepared_statements WHERE statement LIKE '%FROM audit_logs%' AND statement NOT LIKE '%pg_prepared_statements%'`,
      [],
    );
    expect(prepared.length).toBeGreaterThanOrEqual(2);
    for (const p of prepared) expect({ generic: Number(p.generic_plans) >= 1, custom: Number(p.custom_plans) }).toEqual({ generic: true, custom: 0 });
    // Each names its time window in its text, so that the plan covers only those partitions.
    for (const p of prepared) expect(p.statement).toMatch(/occurred_at < '\d{4}-\d{2}-01T00:00:00\.000Z'::timestamptz/);
    const [mode] = await planCachedQuery<{ mode: string }>(t.db.sequelize, `SELECT current_setting('plan_cache_mode') AS mode`, []);
    expect(mode!.mode).toBe('force_generic_plan');
    expect((await t.db.sequelize.query(`SELECT current_setting('plan_cache_mode') AS mode`, { plain: true })) as { mode: string }).toEqual({ mode: 'auto' });
  });

  // Last in this file: a second Sequelize instance binds the models to itself.
  it('answer the same without prepared statements (DB_PREPARED_READS=false, for poolers that cannot keep them)', async () => {
    const traveler = { id: String(floor.completed.id) };
    const prepared = await recordHistory(t.db.sequelize, 'travelers', traveler.id);
    const plain = createSequelize({ url: t.db.url, poolMax: 2, acquireTimeoutMs: 10_000, preparedReads: false });
    try {
      const unprepared = await recordHistory(plain, 'travelers', traveler.id);
      expect(unprepared).toEqual(prepared);
      expect(((await plain.query(`SELECT count(*)::int AS n FROM pg_prepared_statements`, { plain: true })) as { n: number }).n).toBe(0);
    } finally {
      await plain.close();
    }
  });
});
