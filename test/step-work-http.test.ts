import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type TestAgent from 'supertest/lib/agent.js';
import { systemActor } from '../src/audit/actor.js';
import type { Role } from '../src/auth/roles.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { User } from '../src/models/index.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';

/**
 * Working steps through the panel's HTTP API, as the My work page and the record actions do:
 * POST /admin/api/resources/<resource>/records/<id>/<action>. Data: a test floor (its running
 * traveler in progress, its released one with nothing started: test/support/floor-fixtures.ts) and
 * a traveler with a parallel step made in SQL.
 * Tests run in order and build on each other's floor state, as a shift would.
 */
let t: TestApp;
let floor: Floor;
const agents = {} as Record<Role | 'operator2', TestAgent>;
let operator2: { id: number; username: string; fullName: string };

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.query(sql, params)).rows as T[];
}
async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await rows<T>(sql, params))[0] as T;
}

function act(who: Role | 'operator2', resource: string, id: number, action: string, body: Record<string, unknown> = {}) {
  return agents[who].post(`/admin/api/resources/${resource}/records/${id}/${action}`).send(body);
}

/** Everything a refusal must leave as it was. */
const stepState = (id: number, table = 'traveler_steps') =>
  one(`SELECT status, started_at, completed_at, completed_by_id, version FROM ${table} WHERE id = $1`, [id]);
const travelerState = (id: number) => one('SELECT status, started_at, version FROM travelers WHERE id = $1', [id]);
const checkState = (id: number) =>
  one(
    'SELECT measured_value, completed_at, completed_by_id, out_of_limits, disposition, disposition_note, disposition_by_id, disposition_at, version FROM traveler_sub_steps WHERE id = $1',
    [id],
  );
const openEntries = (userId: number) =>
  rows<{ id: number; traveler_step_id: number | null; manual_step_id: number | null }>(
    'SELECT id, traveler_step_id, manual_step_id FROM labor_entries WHERE user_id = $1 AND ended_at IS NULL ORDER BY id',
    [userId],
  );
const auditRows = (table: string, id: number) =>
  rows<{ field_name: string; new_value: string | null; actor_id: number | null }>(
    // Data changes only: a refused call leaves an access_denied event, which is not a change.
    "SELECT field_name, new_value, actor_id FROM audit_logs WHERE table_name = $1 AND record_id = $2 AND action <> 'access_denied' ORDER BY id",
    [table, String(id)],
  );

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  // Several operators on one step at once: a second operator besides the test app's one per role.
  const user = await inTransaction(t.db.sequelize, systemActor('test:setup'), (options) =>
    User.create(
      { username: 'operator2.user', email: 'operator2@test.example', full_name: 'Test operator two', role: 'operator', password: TEST_PASSWORD } as never,
      options,
    ),
  );
  operator2 = { id: user.id, username: user.username, fullName: 'Test operator two' };
  for (const role of ['admin', 'operator', 'quality', 'viewer'] as Role[]) agents[role] = await t.signIn(role);
  const agent = (await import('supertest')).default.agent(t.app);
  const res = await agent.post('/admin/login').type('form').send({ email: operator2.username, password: TEST_PASSWORD });
  expect(res.status).toBe(302);
  agents.operator2 = agent;
}, 120_000);

afterAll(async () => {
  await t.close();
});

describe('clocking in', () => {
  it('two operators clock in on the same step at once: both entries open, the step and the released traveler go in progress once', async () => {
    const traveler = floor.released.id;
    const step = floor.released.steps[10]!;
    expect(await travelerState(traveler)).toMatchObject({ status: 'released', started_at: null });
    expect(await stepState(step)).toMatchObject({ status: 'pending', started_at: null });

    const [a, b] = await Promise.all([act('operator', 'traveler_steps', step, 'clockIn'), act('operator2', 'traveler_steps', step, 'clockIn')]);
    for (const res of [a, b]) {
      expect(res.status).toBe(200);
      expect(res.body.notice).toEqual({ type: 'success', message: `Clocked in on ${floor.released.number} step 10 (Cut 17-4PH bar).` });
      expect(res.body.redirectUrl).toBe(`/admin/resources/traveler_steps/records/${step}/show`);
    }

    const open = await rows<{ user_id: number; started_at: Date }>(
      'SELECT user_id, started_at FROM labor_entries WHERE traveler_step_id = $1 AND ended_at IS NULL ORDER BY user_id',
      [step],
    );
    expect(open.map((e) => e.user_id).sort()).toEqual([t.users.operator.id, operator2.id].sort());
    const after = await stepState(step);
    expect(after.status).toBe('in_progress');
    expect(after.started_at).toBeInstanceOf(Date);
    expect((await travelerState(traveler)).status).toBe('in_progress');
    // Whoever came second found the traveler already in progress: it moved once.
    const moves = await auditRows('travelers', traveler);
    expect(moves.filter((r) => r.field_name === 'status' && r.new_value === 'in_progress')).toHaveLength(1);
  });

  it('an operator clocked in on one step is refused on another (409, told where), and no second entry is written', async () => {
    const other = floor.running.steps[40]!; // ready: parallel with step 30, which is in progress
    const before = await stepState(other);
    const entriesBefore = await openEntries(t.users.operator.id);
    expect(entriesBefore).toHaveLength(1);

    const res = await act('operator', 'traveler_steps', other, 'clockIn');
    expect(res.status).toBe(409);
    expect(res.body.notice).toEqual({
      type: 'error',
      message: `You are already clocked in on ${floor.released.number} step 10 (Cut 17-4PH bar): clock out there first.`,
    });

    expect(await openEntries(t.users.operator.id)).toEqual(entriesBefore);
    expect(await rows('SELECT id FROM labor_entries WHERE traveler_step_id = $1', [other])).toEqual([]);
    // The refused clock-in did not start the step either: it all happened in one transaction.
    expect(await stepState(other)).toEqual(before);
  });

  it('a traveler on hold is not worked: clocking in is refused (409) and nothing is written', async () => {
    const step = floor.held.steps[10]!;
    const before = await stepState(step);
    const res = await act('quality', 'traveler_steps', step, 'clockIn');
    expect(res.status).toBe(409);
    expect(res.body.notice.message).toMatch(
      new RegExp(`^Traveler ${floor.held.number} is on hold: its steps are worked only while it is released or in progress`),
    );
    expect(await openEntries(t.users.quality.id)).toEqual([]);
    expect(await stepState(step)).toEqual(before);
  });
});

describe('steps are worked in order', () => {
  it('starting or signing off a step before the one ahead of it is signed off is refused (409, naming it), and nothing changes', async () => {
    const traveler = floor.released.id;
    const step20 = floor.released.steps[20]!;
    const step30 = floor.released.steps[30]!;
    const manual = floor.running.manualStepId;
    const before = {
      traveler: await travelerState(traveler),
      s20: await stepState(step20),
      s30: await stepState(step30),
      manual: await stepState(manual, 'manual_steps'),
      audit:
        (await auditRows('traveler_steps', step20)).length +
        (await auditRows('traveler_steps', step30)).length +
        (await auditRows('manual_steps', manual)).length,
    };

    const start = await act('operator', 'traveler_steps', step30, 'start');
    expect(start.status).toBe(409);
    expect(start.body.notice).toEqual({
      type: 'error',
      message:
        'Step 30 (Mill keyway) cannot be worked before step 10 (Cut 17-4PH bar) is signed off: steps are worked in order unless the routing marks them parallel.',
    });
    const signOff = await act('operator', 'traveler_steps', step20, 'signOff');
    expect(signOff.status).toBe(409);
    expect(signOff.body.notice.message).toMatch(/^Step 20 \(Turn OD, face, chamfer\) cannot be worked before step 10 \(Cut 17-4PH bar\) is signed off/);
    // A manual step "after 40" waits for step 30 of the running traveler, which is still in progress.
    const manualStart = await act('operator', 'manual_steps', manual, 'start');
    expect(manualStart.status).toBe(409);
    expect(manualStart.body.notice.message).toMatch(
      /^The manual step "Extra deburr of cross-drilled port intersections" cannot be worked before step 30 \(Mill op 2/,
    );

    expect(await travelerState(traveler)).toEqual(before.traveler);
    expect(await stepState(step20)).toEqual(before.s20);
    expect(await stepState(step30)).toEqual(before.s30);
    expect(await stepState(manual, 'manual_steps')).toEqual(before.manual);
    expect(
      (await auditRows('traveler_steps', step20)).length +
        (await auditRows('traveler_steps', step30)).length +
        (await auditRows('manual_steps', manual)).length,
    ).toBe(before.audit);
  });
});

describe('signing off', () => {
  it('is refused while another operator is clocked in on the step; once they clock out it records who and when, and closes the signer’s clock-in', async () => {
    const step = floor.released.steps[10]!;
    const before = await stepState(step);

    const refused = await act('operator', 'traveler_steps', step, 'signOff');
    expect(refused.status).toBe(409);
    expect(refused.body.notice.message).toBe(
      'Step 10 (Cut 17-4PH bar) cannot be signed off while Test operator two is still clocked in on it: they clock out first.',
    );
    expect(await stepState(step)).toEqual(before);
    expect((await openEntries(t.users.operator.id)).map((e) => e.traveler_step_id)).toEqual([step]);
    expect((await openEntries(operator2.id)).map((e) => e.traveler_step_id)).toEqual([step]);
    expect((await auditRows('traveler_steps', step)).filter((r) => r.new_value === 'completed')).toEqual([]);

    const out = await act('operator2', 'traveler_steps', step, 'clockOut');
    expect(out.status).toBe(200);
    expect(out.body.notice.type).toBe('success');
    expect(out.body.notice.message).toMatch(/^Clocked out \(\d+\.\d\d h\)\.$/);
    expect(await openEntries(operator2.id)).toEqual([]);
    const closed = await one<{ started_at: Date; ended_at: Date | null; hours: number | string | null }>(
      'SELECT started_at, ended_at, hours FROM labor_entries WHERE user_id = $1 AND traveler_step_id = $2',
      [operator2.id, step],
    );
    // Closed after it was opened, with the hours the operator was told.
    expect(closed.ended_at).toBeInstanceOf(Date);
    expect(closed.ended_at!.getTime()).toBeGreaterThan(closed.started_at.getTime());
    expect(Number(closed.hours)).toBe(Number(/\(([\d.]+) h\)/.exec(out.body.notice.message)![1]));

    // Clocking out twice: nothing to close.
    const again = await act('operator2', 'traveler_steps', step, 'clockOut');
    expect(again.status).toBe(409);
    expect(again.body.notice.message).toBe('You are not clocked in on step 10 (Cut 17-4PH bar).');

    const signed = await act('operator', 'traveler_steps', step, 'signOff');
    expect(signed.status).toBe(200);
    expect(signed.body.notice).toEqual({ type: 'success', message: 'Step 10 (Cut 17-4PH bar) signed off.' });
    const after = await one<{ status: string; completed_by_id: number; completed_at: Date | null }>(
      'SELECT status, completed_by_id, completed_at FROM traveler_steps WHERE id = $1',
      [step],
    );
    expect(after).toMatchObject({ status: 'completed', completed_by_id: t.users.operator.id });
    expect(after.completed_at).toBeInstanceOf(Date);
    expect(await openEntries(t.users.operator.id)).toEqual([]);
    const audit = await auditRows('traveler_steps', step);
    expect(audit).toEqual(expect.arrayContaining([{ field_name: 'status', new_value: 'completed', actor_id: t.users.operator.id }]));
    expect(audit.find((r) => r.field_name === 'completed_by_id' && r.new_value === String(t.users.operator.id))?.actor_id).toBe(t.users.operator.id);
  });
});

describe('checks and dispositions', () => {
  let step20: number;
  let check: number;
  beforeAll(() => {
    step20 = floor.released.steps[20]!;
    check = floor.released.checks[20]![1]!; // Bearing journal diameter, 24.987 to 25.0 mm
  });

  it('a measured check without a value is refused on its field (400) and starts nothing', async () => {
    const before = { check: await checkState(check), step: await stepState(step20) };
    const res = await act('operator', 'traveler_sub_steps', check, 'recordCheck', { measured_value: '' });
    expect(res.status).toBe(400);
    expect(res.body.notice).toEqual({ type: 'error', message: 'Check 1 (Bearing journal diameter) needs a measured value (24.987 to 25 mm).' });
    expect(res.body.record.errors.measured_value.message).toBe(res.body.notice.message);

    const typo = await act('operator', 'traveler_sub_steps', check, 'recordCheck', { measured_value: '25.0.1' });
    expect(typo.status).toBe(400);
    expect(typo.body.record.errors.measured_value.message).toMatch(/^Measured value must be a number/);

    expect(await checkState(check)).toEqual(before.check);
    expect(await stepState(step20)).toEqual(before.step);
  });

  it('a value out of limits is recorded, and blocks the sign-off until quality records a disposition; the operator may not record one', async () => {
    const res = await act('operator', 'traveler_sub_steps', check, 'recordCheck', { measured_value: '25.1' });
    expect(res.status).toBe(200);
    expect(res.body.notice).toEqual({
      type: 'success',
      message: 'Check 1 recorded: 25.1 is outside its limits (24.987 to 25 mm). The step cannot be signed off until quality records a disposition.',
    });
    expect(await checkState(check)).toMatchObject({ measured_value: 25.1, out_of_limits: true, completed_by_id: t.users.operator.id, disposition: null });
    expect((await stepState(step20)).status).toBe('in_progress');

    const before = await stepState(step20);
    const signOff = await act('operator', 'traveler_steps', step20, 'signOff');
    expect(signOff.status).toBe(409);
    expect(signOff.body.notice.message).toBe(
      'Step 20 (Turn OD, face, chamfer) cannot be signed off: check 1 (Bearing journal diameter) measured 25.1, outside its limits: quality must record a disposition.',
    );
    expect(await stepState(step20)).toEqual(before);

    const checkBefore = await checkState(check);
    const auditBefore = await auditRows('traveler_sub_steps', check);
    const byOperator = await act('operator', 'traveler_sub_steps', check, 'disposition', { disposition: 'use_as_is', note: 'Looks fine to me' });
    expect(byOperator.status).toBe(403);
    expect(byOperator.body.notice.type).toBe('error');
    expect(await checkState(check)).toEqual(checkBefore);
    expect(await auditRows('traveler_sub_steps', check)).toEqual(auditBefore);

    const wrong = await act('quality', 'traveler_sub_steps', check, 'disposition', { disposition: 'keep', note: 'x' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.record.errors.disposition.message).toBe('Disposition must be one of: use_as_is, repair, scrap');
    expect(wrong.body.record.errors.disposition_note.message).toMatch(/^Say why/);
    expect(await checkState(check)).toEqual(checkBefore);
  });

  it('quality records the disposition; then the operator signs the step off (who and when, audited)', async () => {
    const res = await act('quality', 'traveler_sub_steps', check, 'disposition', {
      disposition: 'use_as_is',
      note: 'MRB 114: within the bearing maker’s fit range',
    });
    expect(res.status).toBe(200);
    expect(res.body.notice).toEqual({ type: 'success', message: 'Disposition "use as is" recorded for check 1.' });
    const decided = await checkState(check);
    expect(decided).toMatchObject({
      disposition: 'use_as_is',
      disposition_note: 'MRB 114: within the bearing maker’s fit range',
      disposition_by_id: t.users.quality.id,
    });
    expect(decided.disposition_at).toBeInstanceOf(Date);

    const signed = await act('operator', 'traveler_steps', step20, 'signOff');
    expect(signed.status).toBe(200);
    expect(signed.body.notice.message).toBe('Step 20 (Turn OD, face, chamfer) signed off.');
    const after = await one<{ status: string; completed_by_id: number; completed_at: Date | null }>(
      'SELECT status, completed_by_id, completed_at FROM traveler_steps WHERE id = $1',
      [step20],
    );
    expect(after).toMatchObject({ status: 'completed', completed_by_id: t.users.operator.id });
    expect(after.completed_at).toBeInstanceOf(Date);
    expect(await auditRows('traveler_steps', step20)).toEqual(
      expect.arrayContaining([
        { field_name: 'status', new_value: 'in_progress', actor_id: t.users.operator.id },
        { field_name: 'status', new_value: 'completed', actor_id: t.users.operator.id },
      ]),
    );
    expect(await auditRows('traveler_sub_steps', check)).toEqual(
      expect.arrayContaining([{ field_name: 'disposition', new_value: 'use_as_is', actor_id: t.users.quality.id }]),
    );
  });
});

describe('a parallel step', () => {
  let traveler: number;
  const steps: Record<number, number> = {};
  let manual: number;

  beforeAll(async () => {
    // A routing where step 30 is parallel: it may run alongside step 20, not before step 10.
    const wo = floor.workOrders.open;
    traveler = (
      await one<{ id: number }>(
        `INSERT INTO travelers (number, work_order_id, customer_id, part_id, revision_id, quantity, due_date) VALUES ('T-PAR-1', $1, $2, $3, $4, 3, DATE '2099-01-01') RETURNING id`,
        [wo.id, wo.customerId, wo.partId, floor.revisions.bracketA.id],
      )
    ).id;
    for (const [n, center, operation, parallel] of [
      [10, 'SAW', 'Cut plate', false],
      [20, 'MILL', 'Mill complete', false],
      [30, 'DEBURR', 'Deburr finished edges', true],
      [40, 'PACK', 'Pack', false],
    ] as const) {
      steps[n] = (
        await one<{ id: number }>(
          `INSERT INTO traveler_steps (traveler_id, step_number, work_center_id, operation, is_parallel) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [traveler, n, floor.centers[center].id, operation, parallel],
        )
      ).id;
    }
    manual = (
      await one<{ id: number }>(
        `INSERT INTO manual_steps (traveler_id, after_step_number, work_center_id, operation, reason, added_by_id)
         VALUES ($1, 40, $2, 'Label the crate', 'Customer asked for crate labels', $3) RETURNING id`,
        [traveler, floor.centers.PACK.id, t.users.engineer.id],
      )
    ).id;
    await t.db.query(`UPDATE travelers SET status = 'released' WHERE id = $1`, [traveler]);
  });

  it('is refused before the steps ahead of its group are signed off, and worked alongside its predecessor after', async () => {
    const early = await act('operator', 'traveler_steps', steps[30]!, 'start');
    expect(early.status).toBe(409);
    expect(early.body.notice.message).toMatch(/^Step 30 \(Deburr finished edges\) cannot be worked before step 10 \(Cut plate\) is signed off/);
    expect((await stepState(steps[30]!)).status).toBe('pending');

    expect((await act('operator', 'traveler_steps', steps[10]!, 'start')).status).toBe(200);
    expect((await act('operator', 'traveler_steps', steps[10]!, 'signOff')).status).toBe(200);
    const s20 = await act('operator', 'traveler_steps', steps[20]!, 'start');
    expect(s20.status).toBe(200);
    expect(s20.body.notice.message).toBe('Step 20 (Mill complete) started.');
    const s30 = await act('operator2', 'traveler_steps', steps[30]!, 'start');
    expect(s30.status).toBe(200);
    expect((await stepState(steps[20]!)).status).toBe('in_progress');
    expect((await stepState(steps[30]!)).status).toBe('in_progress');

    // Starting a started step is refused: it says so rather than pretending.
    const twice = await act('operator', 'traveler_steps', steps[20]!, 'start');
    expect(twice.status).toBe(409);
    expect(twice.body.notice.message).toBe('Step 20 (Mill complete) is already started.');

    // Step 40 is not parallel: it waits for the whole group.
    const s40before = await stepState(steps[40]!);
    const s40 = await act('operator', 'traveler_steps', steps[40]!, 'start');
    expect(s40.status).toBe(409);
    expect(s40.body.notice.message).toMatch(/^Step 40 \(Pack\) cannot be worked before step 20 \(Mill complete\) is signed off/);
    expect(await stepState(steps[40]!)).toEqual(s40before);
  });

  it('the manual step after the last one is worked last; its sign-off completes the traveler', async () => {
    const early = await act('operator', 'manual_steps', manual, 'clockIn');
    expect(early.status).toBe(409);
    expect(early.body.notice.message).toMatch(/^The manual step "Label the crate" cannot be worked before step 20 \(Mill complete\) is signed off/);
    expect(await openEntries(t.users.operator.id)).toEqual([]);

    for (const n of [30, 20, 40]) expect((await act('operator', 'traveler_steps', steps[n]!, 'signOff')).status).toBe(200);
    const clockIn = await act('operator', 'manual_steps', manual, 'clockIn');
    expect(clockIn.status).toBe(200);
    expect(clockIn.body.notice.message).toBe('Clocked in on T-PAR-1 manual step after 40 (Label the crate).');
    expect((await openEntries(t.users.operator.id)).map((e) => e.manual_step_id)).toEqual([manual]);

    const signed = await act('operator', 'manual_steps', manual, 'signOff');
    expect(signed.status).toBe(200);
    expect(signed.body.notice.message).toBe('The manual step "Label the crate" signed off. That was the last step: traveler T-PAR-1 is completed.');
    expect(signed.body.redirectUrl).toBe(`/admin/resources/travelers/records/${traveler}/show`);
    expect((await travelerState(traveler)).status).toBe('completed');
    expect(await one('SELECT status, completed_by_id FROM manual_steps WHERE id = $1', [manual])).toEqual({
      status: 'completed',
      completed_by_id: t.users.operator.id,
    });
    expect(await openEntries(t.users.operator.id)).toEqual([]);
  });
});

describe('a viewer', () => {
  it('gets 403 on every step action, by GET or POST, and nothing is written', async () => {
    const step = floor.released.steps[30]!;
    const manual = floor.running.manualStepId;
    const check = floor.released.checks[30]![1]!;
    const snapshot = async () => ({
      step: await stepState(step),
      manual: await stepState(manual, 'manual_steps'),
      check: await checkState(check),
      labor: await one('SELECT count(*)::int AS n FROM labor_entries'),
      audit: await one(
        `SELECT count(*)::int AS n FROM audit_logs WHERE table_name IN ('traveler_steps', 'manual_steps', 'traveler_sub_steps', 'labor_entries', 'travelers') AND action <> 'access_denied'`,
      ),
    });
    const before = await snapshot();
    const calls: Array<[string, number, string, Record<string, unknown>]> = [
      ...['start', 'signOff', 'clockIn', 'clockOut'].map((a) => ['traveler_steps', step, a, {}] as [string, number, string, Record<string, unknown>]),
      ...['start', 'signOff', 'clockIn', 'clockOut'].map((a) => ['manual_steps', manual, a, {}] as [string, number, string, Record<string, unknown>]),
      ['traveler_sub_steps', check, 'recordCheck', { measured_value: '6.01' }],
      ['traveler_sub_steps', check, 'disposition', { disposition: 'scrap', note: 'Not mine to decide' }],
    ];
    for (const [resource, id, action, body] of calls) {
      const post = await act('viewer', resource, id, action, body);
      expect({ resource, action, status: post.status }).toEqual({ resource, action, status: 403 });
      const get = await agents.viewer.get(`/admin/api/resources/${resource}/records/${id}/${action}`);
      expect({ resource, action, status: get.status }).toEqual({ resource, action, status: 403 });
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('My work', () => {
  interface Step {
    kind: string;
    id: number;
    travelerNumber: string;
    position: string;
    status: string;
    workCenter: { code: string } | null;
    clockedIn: string[];
    meClockedIn: boolean;
    checks: Array<Record<string, unknown>>;
  }

  /** What may be worked now, straight from the tables and the database's own order rule. */
  async function expectedSteps(workCenterCode?: string) {
    return rows<{ kind: string; id: number }>(
      `SELECT kind, id FROM (
         SELECT 'routing' AS kind, s.id, t.due_date, t.number, s.step_number AS a, 0 AS b, wc.code,
                s.status, traveler_step_blocker(s.traveler_id, s.step_number, s.is_parallel, NULL) AS blocker, t.status AS ts
           FROM traveler_steps s JOIN travelers t ON t.id = s.traveler_id JOIN work_centers wc ON wc.id = s.work_center_id
         UNION ALL
         SELECT 'manual', m.id, t.due_date, t.number, m.after_step_number, 1, wc.code,
                m.status, traveler_step_blocker(m.traveler_id, m.after_step_number, false, m.id), t.status
           FROM manual_steps m JOIN travelers t ON t.id = m.traveler_id LEFT JOIN work_centers wc ON wc.id = m.work_center_id
       ) x
       WHERE ts IN ('released', 'in_progress') AND (status = 'in_progress' OR (status = 'pending' AND blocker IS NULL))
         AND ($1::text IS NULL OR code = $1)
       ORDER BY due_date NULLS LAST, number, a, b, id`,
      [workCenterCode ?? null],
    );
  }

  it('lists the steps the operator can work now, in due-date order, with who is clocked in, the checks, and their open clock-in', async () => {
    const step30 = floor.released.steps[30]!;
    const clockIn = await act('operator', 'traveler_steps', step30, 'clockIn');
    expect(clockIn.status).toBe(200);
    const entry = (await openEntries(t.users.operator.id))[0]!;

    const res = await agents.operator.get('/admin/api/pages/myWork');
    expect(res.status).toBe(200);
    const steps = res.body.steps as Step[];
    expect(steps.map((s) => ({ kind: s.kind, id: s.id }))).toEqual(await expectedSteps());

    const label = (s: Step) => `${s.travelerNumber} ${s.kind === 'routing' ? 'step' : 'manual'} ${s.position}`;
    // The floor, spelled out: the released traveler (due first) at step 30, where this operator is
    // now; the running traveler's step 30 (the floor's operator on it) and its parallel step 40;
    // nothing from the draft or held travelers, and no step waiting behind another.
    expect(steps.map(label)).toEqual([`${floor.released.number} step 30`, `${floor.running.number} step 30`, `${floor.running.number} step 40`]);
    const [mine, running, parallel] = steps as [Step, Step, Step];
    expect(running).toMatchObject({ status: 'in_progress', clockedIn: [floor.people.operator.fullName], meClockedIn: false });
    expect(parallel).toMatchObject({ status: 'pending', clockedIn: [], meClockedIn: false, workCenter: { code: floor.centers.DEBURR.code } });
    expect(mine).toMatchObject({ status: 'in_progress', clockedIn: ['Test operator'], meClockedIn: true, workCenter: { code: floor.centers.MILL.code } });
    expect(mine.checks).toEqual([
      {
        id: floor.released.checks[30]![1],
        sequence: 1,
        description: 'Keyway width',
        requiresMeasurement: true,
        lowerLimit: 6,
        upperLimit: 6.03,
        unit: 'mm',
        measuredValue: null,
        outOfLimits: false,
        disposition: null,
        dispositionNote: null,
        done: false,
      },
    ]);
    expect(res.body.clockedIn).toEqual({
      entryId: entry.id,
      since: expect.any(String),
      travelerId: floor.released.id,
      travelerNumber: floor.released.number,
      stepKind: 'routing',
      stepId: step30,
      stepLabel: 'step 30 (Mill keyway)',
    });
    const since = await one<{ started_at: Date }>('SELECT started_at FROM labor_entries WHERE id = $1', [entry.id]);
    expect(new Date(res.body.clockedIn.since).getTime()).toBe(since.started_at.getTime());
    expect((res.body.workCenters as Array<{ code: string }>).map((w) => w.code)).toEqual(
      (['DEBURR', 'INSPECT', 'LATHE', 'MILL', 'PACK', 'SAW'] as const).map((code) => floor.centers[code].code),
    );
  });

  it('filters by work center', async () => {
    const mill = floor.centers.MILL;
    const res = await agents.operator.get(`/admin/api/pages/myWork?workCenterId=${mill.id}`);
    expect(res.status).toBe(200);
    expect(res.body.workCenterId).toBe(mill.id);
    const steps = res.body.steps as Step[];
    expect(steps.map((s) => ({ kind: s.kind, id: s.id }))).toEqual(await expectedSteps(mill.code));
    // Both steps 30 (mill), not the running traveler's deburr step 40.
    expect(steps.map((s) => s.id)).toEqual([floor.released.steps[30], floor.running.steps[30]]);
    expect(steps.every((s) => s.workCenter?.code === mill.code)).toBe(true);
    // The open clock-in is shown whatever the filter.
    expect(res.body.clockedIn.travelerNumber).toBe(floor.released.number);
  });

  it('is empty, with a reason, for a role that does not work steps', async () => {
    const res = await agents.viewer.get('/admin/api/pages/myWork');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ clockedIn: null, steps: [], note: expect.stringMatching(/^Your role \(viewer\) does not work steps/) });
  });
});

describe('the panel offers each action where it applies', () => {
  const actionsOf = async (who: Role, resource: string, id: number) => {
    const res = await agents[who].get(`/admin/api/resources/${resource}/records/${id}/show`);
    expect(res.status).toBe(200);
    return (res.body.record.recordActions as Array<{ name: string }>).map((a) => a.name);
  };

  it('by the step’s state and the person’s role', async () => {
    const work = ['start', 'signOff', 'clockIn', 'clockOut'];
    const signed = floor.released.steps[10]!;
    const pending = floor.released.steps[40]!;
    const running = floor.released.steps[30]!;
    expect((await actionsOf('operator', 'traveler_steps', signed)).filter((a) => work.includes(a))).toEqual([]);
    // Step 40 waits for step 30: nothing on it would go through, so nothing is offered (My work does not list it).
    expect((await actionsOf('operator', 'traveler_steps', pending)).filter((a) => work.includes(a))).toEqual([]);
    // The operator is clocked in on step 30: Clock out, and Sign off (its page says the check is left).
    expect((await actionsOf('operator', 'traveler_steps', running)).filter((a) => work.includes(a)).sort()).toEqual(['clockOut', 'signOff']);
    expect((await actionsOf('viewer', 'traveler_steps', running)).filter((a) => work.includes(a))).toEqual([]);
    // A draft traveler's steps are not worked: nothing is offered.
    expect((await actionsOf('operator', 'traveler_steps', floor.draft.steps[10]!)).filter((a) => work.includes(a))).toEqual([]);

    // A check out of limits offers Disposition to quality alone, until it is made.
    const check = floor.released.checks[30]![1]!;
    expect((await act('operator', 'traveler_sub_steps', check, 'recordCheck', { measured_value: '6.2' })).status).toBe(200);
    expect(await actionsOf('quality', 'traveler_sub_steps', check)).toEqual(expect.arrayContaining(['recordCheck', 'disposition']));
    expect(await actionsOf('operator', 'traveler_sub_steps', check)).not.toContain('disposition');
    expect(await actionsOf('viewer', 'traveler_sub_steps', check)).not.toContain('recordCheck');
    expect((await act('quality', 'traveler_sub_steps', check, 'disposition', { disposition: 'repair', note: 'Re-cut per procedure RP-7' })).status).toBe(200);
    expect(await actionsOf('quality', 'traveler_sub_steps', check)).not.toContain('disposition');
    // A signed-off step's checks are closed.
    const signedCheck = floor.released.checks[20]![1]!;
    expect(await actionsOf('operator', 'traveler_sub_steps', signedCheck)).not.toContain('recordCheck');
  });

  it('a GET of an action shows the record and changes nothing', async () => {
    const pending = floor.released.steps[40]!;
    const before = await stepState(pending);
    const res = await agents.operator.get(`/admin/api/resources/traveler_steps/records/${pending}/start`);
    expect(res.status).toBe(200);
    expect(String(res.body.record.id)).toBe(String(pending));
    expect(res.body.notice).toBeUndefined();
    expect(await stepState(pending)).toEqual(before);
  });
});
