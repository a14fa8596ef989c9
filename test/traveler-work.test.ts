import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decide } from '../src/approvals/approval-decision.service.js';
import { ApprovalRequired } from '../src/approvals/approval-request.service.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { systemActor } from '../src/audit/actor.js';
import { ManualStep, User } from '../src/models/index.js';
import { RecordValidationError, WorkflowRefusedError } from '../src/records/record-errors.js';
import { createRecord } from '../src/records/record.service.js';
import { clockIn, clockOut, laborSummary } from '../src/travelers/labor.service.js';
import { recordCheck, recordDisposition, signOffStep, startStep } from '../src/travelers/step-work.service.js';
import { createTravelerFromWorkOrder, previewTraveler } from '../src/travelers/traveler-creation.service.js';
import { buildShop, ROUTING, type Shop } from './support/shop-fixtures.js';
import { createTestApp, TEST_PASSWORD, testActor, type TestApp, type TestUser } from './support/test-app.js';

let t: TestApp;
let secondOperator: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  const created = await inTransaction(t.db.sequelize, systemActor('test:setup'), (options) =>
    User.create(
      { username: 'operator.two', email: 'operator2@test.example', full_name: 'Second operator', role: 'operator', password: TEST_PASSWORD } as never,
      options,
    ),
  );
  secondOperator = { id: created.id, username: created.username, role: 'operator' };
});
afterAll(async () => {
  await t.close();
});

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.query(sql, params)).rows as T[];
}
async function row<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await rows<T>(sql, params))[0]!;
}

const engineer = () => testActor(t.users.engineer);
const operator = () => testActor(t.users.operator);

/** A released traveler on a new shop, with its step ids by step number. */
async function releasedTraveler(shop?: Shop): Promise<{ id: number; shop: Shop; step: Record<number, number> }> {
  const s = shop ?? (await buildShop(t.db));
  const traveler = await createTravelerFromWorkOrder(t.db.sequelize, s.workOrderId, { quantity: 5 }, engineer());
  await t.db.query(`UPDATE travelers SET status = 'released' WHERE id = $1`, [traveler.id]);
  const step = Object.fromEntries(
    (await rows<{ id: number; step_number: number }>('SELECT id, step_number FROM traveler_steps WHERE traveler_id = $1', [traveler.id])).map((r) => [
      r.step_number,
      r.id,
    ]),
  );
  return { id: traveler.id, shop: s, step };
}

async function checksOf(stepId: number) {
  return rows<{ id: number; sequence: number; requires_measurement: boolean }>(
    'SELECT id, sequence, requires_measurement FROM traveler_sub_steps WHERE traveler_step_id = $1 ORDER BY sequence',
    [stepId],
  );
}

async function finishStep(stepId: number, measured = '10.00') {
  for (const c of await checksOf(stepId)) await recordCheck(t.db.sequelize, c.id, { measuredValue: c.requires_measurement ? measured : null }, operator());
  return signOffStep(t.db.sequelize, { kind: 'routing', id: stepId }, operator());
}

describe('creating a traveler from a work order', () => {
  it('fills in part, released revision, customer, quantity left and due date, and copies the routing', async () => {
    const shop = await buildShop(t.db);
    const preview = await previewTraveler(t.appSequelize, shop.workOrderId);
    expect(preview.refusal).toBeNull();
    expect(preview.remainingQuantity).toBe(20);
    const traveler = await createTravelerFromWorkOrder(t.db.sequelize, shop.workOrderId, {}, engineer());
    const order = await row<Record<string, unknown>>('SELECT customer_id, part_id, quantity, due_date FROM work_orders WHERE id = $1', [shop.workOrderId]);
    expect(await row('SELECT status, customer_id, part_id, revision_id, quantity, due_date FROM travelers WHERE id = $1', [traveler.id])).toEqual({
      status: 'draft',
      customer_id: order.customer_id,
      part_id: order.part_id,
      revision_id: shop.revisionId,
      quantity: 20,
      due_date: order.due_date,
    });
    expect(traveler.number).toMatch(/^T-\d{2}\d{3,}$/);

    const copied = await rows(
      'SELECT step_number, operation, work_center_id, estimated_hours::float AS hours, is_parallel FROM traveler_steps WHERE traveler_id = $1 ORDER BY step_number',
      [traveler.id],
    );
    const routing = await rows(
      'SELECT step_number, operation, work_center_id, estimated_hours::float AS hours, is_parallel FROM process_steps WHERE revision_id = $1 ORDER BY step_number',
      [shop.revisionId],
    );
    expect(copied).toEqual(routing);
    expect(copied).toHaveLength(ROUTING.length);
    const copiedChecks = await rows(
      `SELECT s.step_number, c.sequence, c.description, c.requires_measurement, c.unit, c.lower_limit, c.upper_limit
         FROM traveler_sub_steps c JOIN traveler_steps s ON s.id = c.traveler_step_id WHERE s.traveler_id = $1 ORDER BY 1, 2`,
      [traveler.id],
    );
    const routingChecks = await rows(
      `SELECT p.step_number, c.sequence, c.description, c.requires_measurement, c.unit, c.lower_limit, c.upper_limit
         FROM sub_steps c JOIN process_steps p ON p.id = c.process_step_id WHERE p.revision_id = $1 ORDER BY 1, 2`,
      [shop.revisionId],
    );
    expect(copiedChecks).toEqual(routingChecks);
    expect(copiedChecks).toHaveLength(3);

    // A later change to the routing leaves the traveler's copy as it was.
    await t.db.query(`UPDATE process_steps SET operation = 'Mill pocket (new method)', estimated_hours = 9 WHERE id = $1`, [shop.routing[20]]);
    await t.db.query(`UPDATE sub_steps SET upper_limit = 10.05 WHERE process_step_id = $1 AND sequence = 1`, [shop.routing[20]]);
    expect(
      await rows(
        'SELECT step_number, operation, work_center_id, estimated_hours::float AS hours, is_parallel FROM traveler_steps WHERE traveler_id = $1 ORDER BY step_number',
        [traveler.id],
      ),
    ).toEqual(copied);
    expect(
      (
        await row<{ upper_limit: string }>(
          `SELECT c.upper_limit FROM traveler_sub_steps c JOIN traveler_steps s ON s.id = c.traveler_step_id WHERE s.traveler_id = $1 AND s.step_number = 20 AND c.sequence = 1`,
          [traveler.id],
        )
      ).upper_limit,
    ).toBe(10.02);
  });

  it('refuses clearly, writing nothing, when the part has no released revision or the order is covered', async () => {
    const shop = await buildShop(t.db);
    await t.db.query(`UPDATE revisions SET status = 'obsolete' WHERE id = $1`, [shop.revisionId]);
    const before = await row<{ n: number }>('SELECT count(*)::int AS n FROM travelers');
    expect((await previewTraveler(t.appSequelize, shop.workOrderId)).refusal).toMatch(/has no released revision/);
    await expect(createTravelerFromWorkOrder(t.db.sequelize, shop.workOrderId, {}, engineer())).rejects.toBeInstanceOf(WorkflowRefusedError);
    await expect(createTravelerFromWorkOrder(t.db.sequelize, shop.workOrderId, {}, engineer())).rejects.toThrow(
      /Part P-S\d+ has no released revision, so there is no approved routing/,
    );
    expect(await row('SELECT count(*)::int AS n FROM travelers')).toEqual(before);

    const other = await buildShop(t.db);
    await expect(createTravelerFromWorkOrder(t.db.sequelize, other.workOrderId, { quantity: 21 }, engineer())).rejects.toMatchObject({
      fields: { quantity: expect.stringMatching(/from 1 to 20/) },
    });
    await createTravelerFromWorkOrder(t.db.sequelize, other.workOrderId, { quantity: 20 }, engineer());
    await expect(createTravelerFromWorkOrder(t.db.sequelize, other.workOrderId, {}, engineer())).rejects.toThrow(/fully covered/);
    await expect(createTravelerFromWorkOrder(t.db.sequelize, other.workOrderId, {}, operator())).rejects.toMatchObject({ status: 403 });
  });

  it('a second released revision of a part is refused by the database', async () => {
    const shop = await buildShop(t.db);
    const draft = (
      await t.db.query<{ id: number }>(`INSERT INTO revisions (part_id, revision_code, effective_date) VALUES ($1, 'B', current_date) RETURNING id`, [
        shop.partId,
      ])
    ).rows[0]!;
    await expect(t.db.query(`UPDATE revisions SET status = 'released' WHERE id = $1`, [draft.id])).rejects.toMatchObject({
      code: '23505',
      constraint: 'revisions_one_released_per_part',
    });
  });

  it('works over HTTP: the action previews the plan, then creates and opens the traveler', async () => {
    const shop = await buildShop(t.db);
    const agent = await t.signIn('engineer');
    const preview = await agent.get(`/admin/api/resources/work_orders/records/${shop.workOrderId}/createTraveler`);
    expect(preview.status).toBe(200);
    expect(preview.body.plan).toMatchObject({
      remainingQuantity: 20,
      refusal: null,
      steps: expect.arrayContaining([expect.objectContaining({ step_number: 20, checks: 2 })]),
    });
    const bad = await agent.post(`/admin/api/resources/work_orders/records/${shop.workOrderId}/createTraveler`).field('quantity', 'lots');
    expect(bad.status).toBe(400);
    expect(bad.body.record.errors.quantity.message).toMatch(/whole number from 1 to 20/);
    const made = await agent.post(`/admin/api/resources/work_orders/records/${shop.workOrderId}/createTraveler`).field('quantity', '8');
    expect(made.status).toBe(200);
    expect(made.body.redirectUrl).toBe(`/admin/resources/travelers/records/${made.body.travelerId}/show`);
    expect(await row('SELECT quantity, status FROM travelers WHERE id = $1', [made.body.travelerId])).toEqual({ quantity: 8, status: 'draft' });
    const viewer = await t.signIn('viewer');
    expect((await viewer.post(`/admin/api/resources/work_orders/records/${shop.workOrderId}/createTraveler`)).status).toBe(403);
  });
});

describe('working the steps', () => {
  it('steps are worked in order: refused out of order by the service and by the database', async () => {
    const tr = await releasedTraveler();
    await expect(startStep(t.db.sequelize, { kind: 'routing', id: tr.step[20]! }, operator())).rejects.toThrow(
      /Step 20 \(Mill pocket\) cannot be worked before step 10 \(Saw blank\) is signed off/,
    );
    await expect(signOffStep(t.db.sequelize, { kind: 'routing', id: tr.step[40]! }, operator())).rejects.toThrow(/before step 10/);
    expect(await rows(`SELECT status FROM traveler_steps WHERE traveler_id = $1 AND status <> 'pending'`, [tr.id])).toEqual([]);
    expect((await row<{ status: string }>('SELECT status FROM travelers WHERE id = $1', [tr.id])).status).toBe('released');
    await expect(t.db.query(`UPDATE traveler_steps SET status = 'in_progress', started_at = now() WHERE id = $1`, [tr.step[20]])).rejects.toMatchObject({
      code: 'NXT03',
    });

    // Starting the first step puts the traveler in progress.
    await startStep(t.db.sequelize, { kind: 'routing', id: tr.step[10]! }, operator());
    expect((await row<{ status: string }>('SELECT status FROM travelers WHERE id = $1', [tr.id])).status).toBe('in_progress');
    await finishStep(tr.step[10]!);
    // Step 30 is parallel to 20: both may be worked at once, and 40 waits for both.
    await startStep(t.db.sequelize, { kind: 'routing', id: tr.step[20]! }, operator());
    await signOffStep(t.db.sequelize, { kind: 'routing', id: tr.step[30]! }, operator());
    await expect(startStep(t.db.sequelize, { kind: 'routing', id: tr.step[40]! }, operator())).rejects.toThrow(/before step 20 \(Mill pocket\)/);
    const signed = await row<{ status: string; completed_by_id: number; completed_at: Date }>(
      'SELECT status, completed_by_id, completed_at FROM traveler_steps WHERE id = $1',
      [tr.step[30]],
    );
    expect(signed).toMatchObject({ status: 'completed', completed_by_id: t.users.operator.id });
    expect(signed.completed_at).toBeInstanceOf(Date);
    // A sign-off is never undone, not even by SQL.
    await expect(
      t.db.query(`UPDATE traveler_steps SET status = 'in_progress', completed_at = NULL, completed_by_id = NULL WHERE id = $1`, [tr.step[30]]),
    ).rejects.toMatchObject({ code: 'NXT03' });
  });

  it('a measurement out of limits blocks the sign-off until quality records a disposition', async () => {
    const tr = await releasedTraveler();
    await finishStep(tr.step[10]!);
    const [depth, deburr] = await checksOf(tr.step[20]!);
    await expect(recordCheck(t.db.sequelize, depth!.id, {}, operator())).rejects.toMatchObject({
      fields: { measured_value: expect.stringMatching(/needs a measured value \(9.98 to 10.02 mm\)/) },
    });
    await expect(recordCheck(t.db.sequelize, depth!.id, { measuredValue: 'ten' }, operator())).rejects.toBeInstanceOf(RecordValidationError);
    const result = await recordCheck(t.db.sequelize, depth!.id, { measuredValue: '10.05' }, operator());
    expect(result.outOfLimits).toBe(true);
    await recordCheck(t.db.sequelize, deburr!.id, {}, operator());

    await expect(signOffStep(t.db.sequelize, { kind: 'routing', id: tr.step[20]! }, operator())).rejects.toThrow(
      /measured 10.05, outside its limits: quality must record a disposition/,
    );
    await expect(
      t.db.query(`UPDATE traveler_steps SET status = 'completed', completed_at = now(), completed_by_id = $2 WHERE id = $1`, [
        tr.step[20],
        t.users.operator.id,
      ]),
    ).rejects.toMatchObject({ code: 'NXT04' });
    await expect(
      recordDisposition(t.db.sequelize, depth!.id, { disposition: 'use_as_is', note: 'Within customer deviation D-12' }, operator()),
    ).rejects.toMatchObject({ status: 403 });
    await expect(recordDisposition(t.db.sequelize, depth!.id, { disposition: 'use_as_is', note: '' }, testActor(t.users.quality))).rejects.toMatchObject({
      fields: { disposition_note: expect.any(String) },
    });
    expect(await row('SELECT disposition FROM traveler_sub_steps WHERE id = $1', [depth!.id])).toEqual({ disposition: null });

    await recordDisposition(t.db.sequelize, depth!.id, { disposition: 'use_as_is', note: 'Within customer deviation D-12' }, testActor(t.users.quality));
    expect(await row('SELECT disposition, disposition_by_id, out_of_limits FROM traveler_sub_steps WHERE id = $1', [depth!.id])).toEqual({
      disposition: 'use_as_is',
      disposition_by_id: t.users.quality.id,
      out_of_limits: true,
    });
    // A new measurement clears the disposition: it spoke for the old value.
    await recordCheck(t.db.sequelize, depth!.id, { measuredValue: '10.06' }, operator());
    expect(await row('SELECT disposition FROM traveler_sub_steps WHERE id = $1', [depth!.id])).toEqual({ disposition: null });
    await expect(signOffStep(t.db.sequelize, { kind: 'routing', id: tr.step[20]! }, operator())).rejects.toThrow(/quality must record a disposition/);
    await recordCheck(t.db.sequelize, depth!.id, { measuredValue: '10.01' }, operator());
    const signed = await signOffStep(t.db.sequelize, { kind: 'routing', id: tr.step[20]! }, operator());
    expect(signed.travelerCompleted).toBe(false);
  });
});

describe('labor', () => {
  it('two operators clock in on one step at once; each has at most one open entry', async () => {
    const tr = await releasedTraveler();
    const [a, b] = await Promise.all([
      clockIn(t.db.sequelize, { kind: 'routing', id: tr.step[10]! }, operator()),
      clockIn(t.db.sequelize, { kind: 'routing', id: tr.step[10]! }, testActor(secondOperator)),
    ]);
    expect(new Set([a.user_id, b.user_id])).toEqual(new Set([t.users.operator.id, secondOperator.id]));
    expect((await row<{ n: number }>('SELECT count(*)::int AS n FROM labor_entries WHERE traveler_step_id = $1 AND ended_at IS NULL', [tr.step[10]])).n).toBe(
      2,
    );

    // The same operator elsewhere: refused, naming where they are clocked in.
    const other = await releasedTraveler();
    await expect(clockIn(t.db.sequelize, { kind: 'routing', id: other.step[10]! }, operator())).rejects.toThrow(
      /already clocked in on T-\d+ step 10 \(Saw blank\): clock out there first/,
    );
    expect((await row<{ n: number }>('SELECT count(*)::int AS n FROM labor_entries WHERE user_id = $1 AND ended_at IS NULL', [t.users.operator.id])).n).toBe(1);
    // Signing off while a colleague is still clocked in is refused.
    await expect(signOffStep(t.db.sequelize, { kind: 'routing', id: tr.step[10]! }, operator())).rejects.toThrow(/while Second operator is still clocked in/);
    await clockOut(t.db.sequelize, testActor(secondOperator));
    await signOffStep(t.db.sequelize, { kind: 'routing', id: tr.step[10]! }, operator());
    // The signer's own clock-in ended with the sign-off.
    expect((await row<{ n: number }>('SELECT count(*)::int AS n FROM labor_entries WHERE user_id = $1 AND ended_at IS NULL', [t.users.operator.id])).n).toBe(0);
  });

  it('racing clock-ins of one operator on two steps: exactly one wins', async () => {
    const one = await releasedTraveler();
    const two = await releasedTraveler();
    const results = await Promise.allSettled([
      clockIn(t.db.sequelize, { kind: 'routing', id: one.step[10]! }, testActor(secondOperator)),
      clockIn(t.db.sequelize, { kind: 'routing', id: two.step[10]! }, testActor(secondOperator)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(WorkflowRefusedError);
    expect((await row<{ n: number }>('SELECT count(*)::int AS n FROM labor_entries WHERE user_id = $1 AND ended_at IS NULL', [secondOperator.id])).n).toBe(1);
    await clockOut(t.db.sequelize, testActor(secondOperator));
  });

  it('totals per traveler and per work center against the routing estimates', async () => {
    const tr = await releasedTraveler();
    const entry = (step: number, user: number, from: string, to: string) =>
      t.db.query(
        `INSERT INTO labor_entries (user_id, traveler_id, traveler_step_id, started_at, ended_at, entry_type, reason) VALUES ($1, $2, $3, $4, $5, 'manual', 'Paper timesheet')`,
        [user, tr.id, tr.step[step], from, to],
      );
    await entry(10, t.users.operator.id, '2026-11-02T08:00:00Z', '2026-11-02T08:45:00Z');
    await entry(20, t.users.operator.id, '2026-11-02T09:00:00Z', '2026-11-02T11:30:00Z');
    await entry(20, secondOperator.id, '2026-11-02T09:00:00Z', '2026-11-02T10:00:00Z');
    await entry(40, t.users.quality.id, '2026-11-03T08:00:00Z', '2026-11-03T08:30:00Z');
    const summary = await laborSummary(t.db.sequelize, tr.id);
    expect(summary.steps.map((s) => [s.position, s.estimated_hours, s.actual_hours])).toEqual([
      ['10', 0.5, 0.75],
      ['20', 2, 3.5],
      ['30', 0.25, 0],
      ['40', 1, 0.5],
    ]);
    const code = async (id: number) => (await row<{ code: string }>('SELECT code FROM work_centers WHERE id = $1', [id])).code;
    expect(summary.byWorkCenter).toEqual([
      { work_center: await code(tr.shop.centers.mill), estimated_hours: 2.75, actual_hours: 4.25 },
      { work_center: await code(tr.shop.centers.inspect), estimated_hours: 1, actual_hours: 0.5 },
    ]);
    expect(summary.total).toEqual({ estimated_hours: 3.75, actual_hours: 4.75 });
    const independent = await row<{ hours: string }>('SELECT sum(hours) AS hours FROM labor_entries WHERE traveler_id = $1', [tr.id]);
    expect(summary.total.actual_hours).toBe(Number(independent.hours));
  });

  it('a manual entry needs a reason', async () => {
    const tr = await releasedTraveler();
    const input = {
      user_id: t.users.operator.id,
      traveler_id: tr.id,
      traveler_step_id: tr.step[10],
      started_at: '2026-11-02T08:00:00Z',
      ended_at: '2026-11-02T09:00:00Z',
      entry_type: 'manual',
    };
    const before = await row<{ n: number }>('SELECT count(*)::int AS n FROM labor_entries');
    await expect(createRecord((await import('../src/models/index.js')).LaborEntry, input, testActor(t.users.admin))).rejects.toMatchObject({
      fields: { reason: expect.stringMatching(/reason/i) },
    });
    expect(await row('SELECT count(*)::int AS n FROM labor_entries')).toEqual(before);
    await createRecord((await import('../src/models/index.js')).LaborEntry, { ...input, reason: 'Forgot to clock in' }, testActor(t.users.admin));
    expect((await row<{ hours: string }>('SELECT hours FROM labor_entries WHERE traveler_id = $1', [tr.id])).hours).toBe(1);
  });
});

describe('manual steps', () => {
  const step = (travelerId: number) => ({
    traveler_id: travelerId,
    after_step_number: 20,
    operation: 'Extra deburr',
    reason: 'Burrs found on the first piece',
    estimated_hours: '0.5',
  });

  it('on a draft traveler a step is added at once; on a released one it waits for approval, then counts in the order', async () => {
    const shop = await buildShop(t.db);
    const draft = await createTravelerFromWorkOrder(t.db.sequelize, shop.workOrderId, { quantity: 1 }, engineer());
    const added = await createRecord(ManualStep, step(draft.id), engineer());
    expect(added.get('added_by_id')).toBe(t.users.engineer.id);

    const tr = await releasedTraveler(shop);
    const request = await createRecord(ManualStep, step(tr.id), engineer()).catch((e: unknown) => e);
    expect(request).toBeInstanceOf(ApprovalRequired);
    expect(await rows('SELECT id FROM manual_steps WHERE traveler_id = $1', [tr.id])).toEqual([]);
    const approval = (request as ApprovalRequired).approval;
    expect(approval.get({ plain: true })).toMatchObject({
      rule: 'traveler.manual_step',
      operation: 'create',
      parent_table: 'travelers',
      parent_id: tr.id,
      reason: 'Burrs found on the first piece',
    });
    await decide(t.db.sequelize, 'approve', { approvalId: approval.id, actor: testActor(t.users.approver), password: TEST_PASSWORD });
    const manual = await row<{ id: number; added_by_id: number }>('SELECT id, added_by_id FROM manual_steps WHERE traveler_id = $1', [tr.id]);
    expect(manual.added_by_id).toBe(t.users.engineer.id);
    expect(
      (
        await row<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE table_name = 'manual_steps' AND record_id = $1 AND approval_id = $2`, [
          String(manual.id),
          approval.id,
        ])
      ).n,
    ).toBeGreaterThan(0);

    // In position: after step 20, before step 40 (30 is parallel to 20, so it may go alongside).
    await finishStep(tr.step[10]!);
    await finishStep(tr.step[20]!);
    await signOffStep(t.db.sequelize, { kind: 'routing', id: tr.step[30]! }, operator());
    await expect(startStep(t.db.sequelize, { kind: 'routing', id: tr.step[40]! }, operator())).rejects.toThrow(
      /before the manual step after step 20 \(Extra deburr\)/,
    );
    await signOffStep(t.db.sequelize, { kind: 'manual', id: manual.id }, operator());
    const last = await finishStep(tr.step[40]!);
    expect(last.travelerCompleted).toBe(true);
  });

  it('over HTTP: the traveler’s Add step action asks for approval on a released traveler; a closed traveler refuses', async () => {
    const tr = await releasedTraveler();
    const agent = await t.signIn('engineer');
    const res = await agent
      .post(`/admin/api/resources/travelers/records/${tr.id}/addManualStep`)
      .field('after_step_number', '10')
      .field('operation', 'Re-check flatness')
      .field('reason', 'Customer complaint on lot 4');
    expect(res.status).toBe(200);
    expect(res.body.notice).toMatchObject({ type: 'info', message: expect.stringMatching(/^Submitted for approval/) });
    expect(await rows('SELECT id FROM manual_steps WHERE traveler_id = $1', [tr.id])).toEqual([]);
    const missing = await agent.post(`/admin/api/resources/travelers/records/${tr.id}/addManualStep`).field('after_step_number', '10').field('operation', 'x');
    expect(missing.status).toBe(400);
    expect(missing.body.record.errors.reason.message).toMatch(/reason/i);

    await t.db.query(`UPDATE travelers SET status = 'cancelled', status_reason = 'Order withdrawn' WHERE id = $1`, [tr.id]);
    const closed = await agent
      .post(`/admin/api/resources/travelers/records/${tr.id}/addManualStep`)
      .field('after_step_number', '10')
      .field('operation', 'Late step')
      .field('reason', 'Too late now');
    expect(closed.status).toBe(409);
    expect(closed.body.notice.message).toMatch(/is cancelled: it is a closed record/);
  });
});
