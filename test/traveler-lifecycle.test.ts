import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decide } from '../src/approvals/approval-decision.service.js';
import { ApprovalRequired } from '../src/approvals/approval-request.service.js';
import type { TravelerAction } from '../src/auth/access-rules.js';
import type { TravelerStatus } from '../src/models/constants.js';
import { WorkflowRefusedError } from '../src/records/record-errors.js';
import { recordCheck, signOffStep } from '../src/travelers/step-work.service.js';
import { createTravelerFromWorkOrder } from '../src/travelers/traveler-creation.service.js';
import { TRAVELER_ACTIONS, transitionTraveler } from '../src/travelers/traveler-lifecycle.service.js';
import pg from 'pg';
import { buildShop } from './support/shop-fixtures.js';
import { actAsTestSystem } from './support/test-database.js';
import { createTestApp, TEST_PASSWORD, testActor, type TestApp } from './support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const STATES: TravelerStatus[] = ['draft', 'released', 'in_progress', 'on_hold', 'completed', 'cancelled'];
const ACTIONS: TravelerAction[] = ['release', 'start', 'hold', 'resume', 'complete', 'cancel'];

/**
 * The lifecycle, written out here rather than read from the service: where each action takes a
 * traveler from each state (an action not listed is refused there). The travelers below are put
 * on hold before any work started, so Resume takes them back to released.
 */
const MOVES: Record<TravelerStatus, Partial<Record<TravelerAction, TravelerStatus>>> = {
  draft: { release: 'released', cancel: 'cancelled' },
  released: { start: 'in_progress', hold: 'on_hold', cancel: 'cancelled' },
  in_progress: { hold: 'on_hold', complete: 'completed', cancel: 'cancelled' },
  on_hold: { resume: 'released', cancel: 'cancelled' },
  completed: {},
  cancelled: {},
};

/** The status changes the database lets through, from each state. */
const TRANSITIONS: Record<TravelerStatus, TravelerStatus[]> = {
  draft: ['released', 'cancelled'],
  released: ['in_progress', 'on_hold', 'cancelled'],
  in_progress: ['on_hold', 'completed', 'cancelled'],
  on_hold: ['released', 'in_progress', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** How a refusal names the moves still open from each state. */
const ALLOWED_FROM: Record<TravelerStatus, string> = {
  draft: 'released, cancelled',
  released: 'in progress, on hold, cancelled',
  in_progress: 'on hold, completed, cancelled',
  on_hold: 'released, in progress, cancelled',
  completed: 'nothing (it is closed)',
  cancelled: 'nothing (it is closed)',
};

async function row<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

async function steps(travelerId: number): Promise<Array<{ id: number; step_number: number }>> {
  return (
    await t.db.query<{ id: number; step_number: number }>('SELECT id, step_number FROM traveler_steps WHERE traveler_id = $1 ORDER BY step_number', [
      travelerId,
    ])
  ).rows;
}

/** Signs every step off through the services, in order, with in-limits measurements. */
async function workAllSteps(travelerId: number): Promise<void> {
  const operator = testActor(t.users.operator);
  for (const step of await steps(travelerId)) {
    const checks = (
      await t.db.query<{ id: number; requires_measurement: boolean }>('SELECT id, requires_measurement FROM traveler_sub_steps WHERE traveler_step_id = $1', [
        step.id,
      ])
    ).rows;
    for (const check of checks) await recordCheck(t.db.sequelize, check.id, { measuredValue: check.requires_measurement ? '10.00' : null }, operator);
    await signOffStep(t.db.sequelize, { kind: 'routing', id: step.id }, operator);
  }
}

/**
 * A traveler in the given state, on a shop of its own. The moves into the state are made with
 * SQL as the system (the database allows them) or with the step services, not with the
 * lifecycle service under test.
 */
async function travelerIn(state: TravelerStatus): Promise<{ id: number; number: string }> {
  const shop = await buildShop(t.db);
  const traveler = await createTravelerFromWorkOrder(t.db.sequelize, shop.workOrderId, { quantity: 1 }, testActor(t.users.engineer));
  const id = traveler.id;
  const move = (sql: string) => t.db.query(`UPDATE travelers SET ${sql} WHERE id = $1`, [id]);
  if (state === 'cancelled') await move(`status = 'cancelled', status_reason = 'Test cancellation'`);
  if (state === 'draft' || state === 'cancelled') return { id, number: traveler.number };
  await move(`status = 'released'`);
  if (state === 'in_progress') await move(`status = 'in_progress'`);
  if (state === 'on_hold') await move(`status = 'on_hold', status_reason = 'Test hold'`);
  if (state === 'completed') await workAllSteps(id);
  expect((await row<{ status: string }>('SELECT status FROM travelers WHERE id = $1', [id])).status).toBe(state);
  return { id, number: traveler.number };
}

function actorFor(action: TravelerAction) {
  return testActor(
    action === 'hold' || action === 'resume' ? t.users.quality : action === 'start' || action === 'complete' ? t.users.operator : t.users.engineer,
  );
}

describe('every transition, allowed and forbidden, through the service', () => {
  it('the service knows the actions listed here, and no other', () => {
    expect([...TRAVELER_ACTIONS].sort()).toEqual([...ACTIONS].sort());
  });

  const cases = STATES.flatMap((state) => ACTIONS.map((action) => [state, action] as const));

  it.each(cases)('from %s, %s', async (state, action) => {
    const traveler = await travelerIn(state);
    const before = await row<{ status: string; version: number }>('SELECT status, version FROM travelers WHERE id = $1', [traveler.id]);
    const target = MOVES[state][action] ?? null;
    const attempt = transitionTraveler(t.db.sequelize, traveler.id, action, actorFor(action), { reason: 'Because the test says so' });
    if (target === null) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowRefusedError);
      // The refusal names the moves that are allowed from here.
      expect((error as Error).message).toContain(ALLOWED_FROM[state]);
      expect(await row('SELECT status, version FROM travelers WHERE id = $1', [traveler.id])).toEqual(before);
      return;
    }
    if (action === 'release') {
      // Releasing is held back for an approver: the traveler stays a draft, a request waits.
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApprovalRequired);
      expect(await row('SELECT status, version FROM travelers WHERE id = $1', [traveler.id])).toEqual(before);
      expect(await row(`SELECT rule, status FROM approvals WHERE id = $1`, [(error as ApprovalRequired).approval.id])).toEqual({
        rule: 'traveler.release',
        status: 'pending',
      });
      return;
    }
    if (action === 'complete') {
      // In progress with steps open: the one allowed move that needs the work done first.
      await expect(attempt).rejects.toThrow(/cannot be completed: 4 of its steps are not signed off/);
      expect(await row('SELECT status, version FROM travelers WHERE id = $1', [traveler.id])).toEqual(before);
      return;
    }
    const result = await attempt;
    expect(result.traveler.status).toBe(target);
    const audit = await row<{ old_value: string; new_value: string; actor_id: number }>(
      `SELECT old_value, new_value, actor_id FROM audit_logs WHERE table_name = 'travelers' AND record_id = $1 AND field_name = 'status' ORDER BY id DESC LIMIT 1`,
      [String(traveler.id)],
    );
    expect(audit).toEqual({ old_value: state, new_value: target, actor_id: actorFor(action).userId });
  });
});

describe('every transition, allowed and forbidden, in the database', () => {
  it.each(STATES.flatMap((from) => STATES.filter((to) => to !== from).map((to) => [from, to] as const)))('%s → %s', async (from, to) => {
    const traveler = await travelerIn(from);
    const allowed = TRANSITIONS[from].includes(to);
    const reason = to === 'on_hold' || to === 'cancelled' ? `, status_reason = 'by SQL'` : '';
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await actAsTestSystem(client);
      const outcome = await client.query(`UPDATE travelers SET status = '${to}'${reason} WHERE id = ${traveler.id}`).then(
        () => 'applied',
        (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
      );
      // Allowed, a move to completed still needs every step signed off.
      const expected = !allowed
        ? new RegExp(`^NXT01: Traveler ${traveler.number} cannot go from ${from.replace('_', ' ')} to ${to.replace('_', ' ')}`)
        : to === 'completed'
          ? /^NXT01: .*cannot be completed: \d+ of its steps are not signed off/
          : /^applied$/;
      expect(outcome).toMatch(expected);
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  });
});

describe('release goes through approval', () => {
  it('is applied when an approver signs, stamped by the database, and cannot happen twice', async () => {
    const traveler = await travelerIn('draft');
    const request = await transitionTraveler(t.db.sequelize, traveler.id, 'release', testActor(t.users.engineer)).catch((e: ApprovalRequired) => e);
    expect(request).toBeInstanceOf(ApprovalRequired);
    // A second request while the first waits is refused, and no second request is written.
    await expect(transitionTraveler(t.db.sequelize, traveler.id, 'release', testActor(t.users.engineer))).rejects.toThrow(
      /already waiting for approval \(request #\d+\)/,
    );
    expect((await row<{ n: number }>(`SELECT count(*)::int AS n FROM approvals WHERE target_table = 'travelers' AND target_id = $1`, [traveler.id])).n).toBe(1);

    await decide(t.db.sequelize, 'approve', {
      approvalId: (request as ApprovalRequired).approval.id,
      actor: testActor(t.users.approver),
      password: TEST_PASSWORD,
    });
    const released = await row<{ status: string; released_at: Date | null }>('SELECT status, released_at FROM travelers WHERE id = $1', [traveler.id]);
    expect(released.status).toBe('released');
    expect(released.released_at).toBeInstanceOf(Date);
    const audit = await row<{ approval_id: number; actor_id: number }>(
      `SELECT approval_id, actor_id FROM audit_logs WHERE table_name = 'travelers' AND record_id = $1 AND field_name = 'status' AND new_value = 'released'`,
      [String(traveler.id)],
    );
    expect(audit).toEqual({ approval_id: (request as ApprovalRequired).approval.id, actor_id: t.users.approver.id });

    await expect(transitionTraveler(t.db.sequelize, traveler.id, 'release', testActor(t.users.engineer))).rejects.toThrow(/is released: it cannot be released/);
    // Nor can raw SQL re-date the release: the stamped times are history.
    await expect(t.db.query(`UPDATE travelers SET released_at = now() - interval '1 day' WHERE id = $1`, [traveler.id])).rejects.toMatchObject({
      code: 'NXT01',
    });
    expect((await row<{ released_at: Date }>('SELECT released_at FROM travelers WHERE id = $1', [traveler.id])).released_at).toEqual(released.released_at);
  });

  it('a traveler without steps, or for a revision no longer released, is not released', async () => {
    const empty = await travelerIn('draft');
    await t.db.query('DELETE FROM traveler_steps WHERE traveler_id = $1', [empty.id]);
    await expect(transitionTraveler(t.db.sequelize, empty.id, 'release', testActor(t.users.engineer))).rejects.toThrow(/has no steps/);
    await expect(t.db.query(`UPDATE travelers SET status = 'released' WHERE id = $1`, [empty.id])).rejects.toMatchObject({ code: 'NXT01' });

    const stale = await travelerIn('draft');
    await t.db.query(`UPDATE revisions SET status = 'obsolete' WHERE id = (SELECT revision_id FROM travelers WHERE id = $1)`, [stale.id]);
    await expect(transitionTraveler(t.db.sequelize, stale.id, 'release', testActor(t.users.engineer))).rejects.toThrow(
      /which is obsolete: only a traveler for the released revision/,
    );
    expect(
      (await row<{ n: number }>(`SELECT count(*)::int AS n FROM approvals WHERE target_id IN ($1, $2) AND target_table = 'travelers'`, [empty.id, stale.id])).n,
    ).toBe(0);
  });
});

describe('reasons, roles and side effects', () => {
  it('hold and cancel need a reason, kept on the traveler; the wrong role is refused; nothing changes on refusal', async () => {
    const traveler = await travelerIn('in_progress');
    await expect(transitionTraveler(t.db.sequelize, traveler.id, 'hold', testActor(t.users.quality), { reason: ' ' })).rejects.toMatchObject({
      fields: { status_reason: expect.stringMatching(/Say why/) },
    });
    await expect(transitionTraveler(t.db.sequelize, traveler.id, 'hold', testActor(t.users.operator), { reason: 'Tool broke' })).rejects.toMatchObject({
      status: 403,
    });
    expect((await row<{ status: string }>('SELECT status FROM travelers WHERE id = $1', [traveler.id])).status).toBe('in_progress');

    await transitionTraveler(t.db.sequelize, traveler.id, 'hold', testActor(t.users.quality), { reason: 'Material certificate missing' });
    expect(await row('SELECT status, status_reason FROM travelers WHERE id = $1', [traveler.id])).toEqual({
      status: 'on_hold',
      status_reason: 'Material certificate missing',
    });
    // Resuming a traveler whose work had started takes it back to in progress, and clears the reason.
    await transitionTraveler(t.db.sequelize, traveler.id, 'resume', testActor(t.users.quality));
    expect(await row('SELECT status, status_reason FROM travelers WHERE id = $1', [traveler.id])).toEqual({ status: 'in_progress', status_reason: null });
  });

  it('holding closes open clock-ins, in the same transaction', async () => {
    const traveler = await travelerIn('released');
    const [first] = await steps(traveler.id);
    const { clockIn } = await import('../src/travelers/labor.service.js');
    await clockIn(t.db.sequelize, { kind: 'routing', id: first!.id }, testActor(t.users.operator));
    const result = await transitionTraveler(t.db.sequelize, traveler.id, 'hold', testActor(t.users.quality), { reason: 'Machine down' });
    expect(result.closedClockIns).toBe(1);
    expect((await row<{ n: number }>('SELECT count(*)::int AS n FROM labor_entries WHERE traveler_id = $1 AND ended_at IS NULL', [traveler.id])).n).toBe(0);
  });

  it('the last sign-off completes the traveler, and its completion is audited', async () => {
    const traveler = await travelerIn('released');
    await workAllSteps(traveler.id);
    const done = await row<{ status: string; completed_at: Date | null }>('SELECT status, completed_at FROM travelers WHERE id = $1', [traveler.id]);
    expect(done.status).toBe('completed');
    expect(done.completed_at).toBeInstanceOf(Date);
    expect(
      await row(
        `SELECT old_value, new_value, actor_id FROM audit_logs WHERE table_name = 'travelers' AND record_id = $1 AND field_name = 'status' AND new_value = 'completed'`,
        [String(traveler.id)],
      ),
    ).toEqual({
      old_value: 'in_progress',
      new_value: 'completed',
      actor_id: t.users.operator.id,
    });
  });
});

describe('a released traveler’s content is locked', () => {
  it('raw SQL cannot change it without an approved request; a closed traveler not even with one', async () => {
    const released = await travelerIn('released');
    await expect(t.db.query('UPDATE travelers SET quantity = 2 WHERE id = $1', [released.id])).rejects.toMatchObject({
      code: 'NXT02',
      message: expect.stringMatching(/needs an approved change request/),
    });
    await expect(t.db.query(`UPDATE traveler_steps SET operation = 'Changed' WHERE traveler_id = $1`, [released.id])).rejects.toMatchObject({ code: 'NXT02' });
    await expect(
      t.db.query(`INSERT INTO manual_steps (traveler_id, after_step_number, operation, reason, added_by_id) VALUES ($1, 10, 'Sneak', 'no approval', $2)`, [
        released.id,
        t.users.engineer.id,
      ]),
    ).rejects.toMatchObject({ code: 'NXT02' });
    // Notes and due date are planning, not content.
    expect((await t.db.query(`UPDATE travelers SET notes = 'Call the customer' WHERE id = $1`, [released.id])).rowCount).toBe(1);
    expect(await row('SELECT notes FROM travelers WHERE id = $1', [released.id])).toEqual({ notes: 'Call the customer' });

    const completed = await travelerIn('completed');
    await expect(t.db.query('UPDATE travelers SET quantity = 2 WHERE id = $1', [completed.id])).rejects.toMatchObject({
      code: 'NXT02',
      message: expect.stringMatching(/closed record/),
    });
    await expect(t.db.query('DELETE FROM travelers WHERE id = $1', [completed.id])).rejects.toMatchObject({ code: 'NXT01' });
  });
});

describe('over HTTP', () => {
  it('shows only the actions the state and role allow, and answers refusals with their status', async () => {
    const traveler = await travelerIn('draft');
    const engineer = await t.signIn('engineer');
    const shown = await engineer.get(`/admin/api/resources/travelers/records/${traveler.id}/show`);
    const names = (shown.body.record.recordActions as Array<{ name: string }>).map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['release', 'cancel', 'print', 'addManualStep', 'history']));
    expect(names).not.toEqual(expect.arrayContaining(['hold']));
    expect(names).not.toContain('resume');
    expect(names).not.toContain('complete');

    const viewer = await t.signIn('viewer');
    expect((await viewer.post(`/admin/api/resources/travelers/records/${traveler.id}/cancel`).field('reason', 'not mine')).status).toBe(403);
    const noReason = await engineer.post(`/admin/api/resources/travelers/records/${traveler.id}/cancel`).field('reason', '');
    expect(noReason.status).toBe(400);
    expect(noReason.body.notice.message).toMatch(/Say why/);
    const forbidden = await engineer.post(`/admin/api/resources/travelers/records/${traveler.id}/start`);
    expect(forbidden.status).toBe(409);
    expect(forbidden.body.notice.message).toMatch(/From draft it can go to released, cancelled/);
    expect((await row<{ status: string }>('SELECT status FROM travelers WHERE id = $1', [traveler.id])).status).toBe('draft');

    const cancelled = await engineer.post(`/admin/api/resources/travelers/records/${traveler.id}/cancel`).field('reason', 'Order withdrawn by customer');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.notice).toMatchObject({ type: 'success', message: expect.stringMatching(/is cancelled/) });
    expect(await row('SELECT status, status_reason FROM travelers WHERE id = $1', [traveler.id])).toEqual({
      status: 'cancelled',
      status_reason: 'Order withdrawn by customer',
    });

    const release = await engineer.post(`/admin/api/resources/travelers/records/${(await travelerIn('draft')).id}/release`);
    expect(release.status).toBe(200);
    expect(release.body.notice).toMatchObject({ type: 'info', message: expect.stringMatching(/^Submitted for approval as request #\d+/) });
  });

  it('a generic edit cannot set the status', async () => {
    const traveler = await travelerIn('draft');
    const admin = await t.signIn('admin');
    const shown = await admin.get(`/admin/api/resources/travelers/records/${traveler.id}/show`);
    const res = await admin
      .post(`/admin/api/resources/travelers/records/${traveler.id}/edit`)
      .field('version', shown.body.record.params.version)
      .field('status', 'completed');
    expect(res.body.record.errors.status.message).toMatch(/changes through the traveler’s actions/);
    expect((await row<{ status: string }>('SELECT status FROM travelers WHERE id = $1', [traveler.id])).status).toBe('draft');
  });
});
