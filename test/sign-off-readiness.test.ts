import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type TestAgent from 'supertest/lib/agent.js';
import { systemActor } from '../src/audit/actor.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { SubStep, User } from '../src/models/index.js';
import { coerceInput } from '../src/records/input-coercion.js';
import { RecordValidationError } from '../src/records/record-errors.js';
import { clockIn, clockOutOfStep } from '../src/travelers/labor.service.js';
import { stepKey, stepMovesFor, type StepRef } from '../src/travelers/step-moves.js';
import { recordCheck, recordDisposition, type StepKind } from '../src/travelers/step-work.service.js';
import { createTravelerFromWorkOrder } from '../src/travelers/traveler-creation.service.js';
import { transitionTraveler } from '../src/travelers/traveler-lifecycle.service.js';
import { buildShop, type Shop } from './support/shop-fixtures.js';
import { createTestApp, TEST_PASSWORD, testActor, type TestApp, type TestUser } from './support/test-app.js';

/**
 * Sign off is disabled, with a reason, while it would be refused: the reason My work shows (and
 * the Sign off page, via the step's moves) must be the very words the server refuses with, in
 * every state a step can be in. Each case reads the reason both ways, then POSTs the sign-off as
 * the panel does and compares; a refused POST must leave the step as it was.
 *
 * The routing (test/support/shop-fixtures.ts): 10 → 20 (pocket depth 9.98–10.02 mm, deburr) ∥ 30 → 40 (visual check).
 */
let t: TestApp;
let operator: TestAgent;
let shop: Shop;
let operatorTwo: TestUser;

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

interface Floor {
  id: number;
  number: string;
  step: Record<number, number>;
  check: { depth: number; deburr: number; visual: number };
  manual: number;
}

/** A released traveler of the shop, with a manual step after 40. */
async function floor(): Promise<Floor> {
  const traveler = await createTravelerFromWorkOrder(t.db.sequelize, shop.workOrderId, { quantity: 2 }, testActor(t.users.engineer));
  const manual = await one<{ id: number }>(
    `INSERT INTO manual_steps (traveler_id, after_step_number, work_center_id, operation, reason, added_by_id)
     VALUES ($1, 40, $2, 'Label the box', 'Customer asked for labels', $3) RETURNING id`,
    [traveler.id, shop.centers.inspect, t.users.engineer.id],
  );
  await t.db.query(`UPDATE travelers SET status = 'released' WHERE id = $1`, [traveler.id]);
  const steps = (await t.db.query<{ id: number; step_number: number }>('SELECT id, step_number FROM traveler_steps WHERE traveler_id = $1', [traveler.id]))
    .rows;
  const step = Object.fromEntries(steps.map((s) => [s.step_number, s.id]));
  const checkOf = async (n: number, sequence: number) =>
    (await one<{ id: number }>('SELECT id FROM traveler_sub_steps WHERE traveler_step_id = $1 AND sequence = $2', [step[n], sequence])).id;
  return {
    id: traveler.id,
    number: traveler.number,
    step,
    check: { depth: await checkOf(20, 1), deburr: await checkOf(20, 2), visual: await checkOf(40, 1) },
    manual: manual.id,
  };
}

/** Why the operator's sign-off would be refused now: the step's moves, as the panel and My work read them. */
const signOffReadiness = async (sequelize: TestApp['db']['sequelize'], ref: StepRef, user: { id: number }) =>
  (await stepMovesFor(sequelize, [ref], { ...user, role: 'operator' })).get(stepKey(ref))!.signOff;

const stepState = (kind: StepKind, id: number) =>
  one(`SELECT status, started_at, completed_at, completed_by_id, version FROM ${kind === 'routing' ? 'traveler_steps' : 'manual_steps'} WHERE id = $1`, [id]);

/** What My work says of the step for the operator; undefined when it does not list it. */
async function listed(kind: StepKind, id: number): Promise<string | null | undefined> {
  const res = await operator.get('/admin/api/pages/myWork');
  expect(res.status).toBe(200);
  const step = (res.body.steps as Array<{ kind: StepKind; id: number; moves: { signOff: string | null } }>).find((s) => s.kind === kind && s.id === id);
  return step === undefined ? undefined : step.moves.signOff;
}

/**
 * The reason from both readings and from the server's refusal, which must all be the same; the
 * step is unchanged after the refused POST. Returns the reason.
 */
async function expectRefused(kind: StepKind, id: number, options: { listed: boolean }): Promise<string> {
  const readiness = await signOffReadiness(t.db.sequelize, { kind, id }, { id: t.users.operator.id });
  expect(readiness).toEqual(expect.any(String));
  const onMyWork = await listed(kind, id);
  expect(onMyWork).toBe(options.listed ? readiness : undefined);
  // The Sign off page gets the same reason with its record.
  const page = await operator.get(`/admin/api/resources/${kind === 'routing' ? 'traveler_steps' : 'manual_steps'}/records/${id}/signOff`);
  expect(page.status).toBe(200);
  expect(page.body.record.params.move_refusal).toBe(readiness);

  const before = await stepState(kind, id);
  const res = await operator.post(`/admin/api/resources/${kind === 'routing' ? 'traveler_steps' : 'manual_steps'}/records/${id}/signOff`).send({});
  expect(res.status).toBe(409);
  expect(res.body.notice).toEqual({ type: 'error', message: readiness });
  expect(await stepState(kind, id)).toEqual(before);
  return readiness!;
}

beforeAll(async () => {
  t = await createTestApp();
  shop = await buildShop(t.db);
  const created = await inTransaction(t.db.sequelize, systemActor('test:setup'), (options) =>
    User.create(
      { username: 'operator.two', email: 'operator2@test.example', full_name: 'Test operator two', role: 'operator', password: TEST_PASSWORD } as never,
      options,
    ),
  );
  operatorTwo = { id: created.id, username: created.username, role: 'operator' };
  operator = await t.signIn('operator');
}, 120_000);

afterAll(async () => {
  await t.close();
});

describe('the reason Sign off is disabled is the reason the server refuses it', () => {
  it('a step not started with its checks not done; a step behind another; a manual step at the end', async () => {
    const f = await floor();
    // Step 10 has no checks and nothing before it: its sign-off would go through (and start it).
    expect(await signOffReadiness(t.db.sequelize, { kind: 'routing', id: f.step[10]! }, { id: t.users.operator.id })).toBeNull();
    expect(await listed('routing', f.step[10]!)).toBeNull();
    const signed = await operator.post(`/admin/api/resources/traveler_steps/records/${f.step[10]}/signOff`).send({});
    expect(signed.status).toBe(200);
    expect(signed.body.notice.message).toBe('Step 10 (Saw blank) signed off.');

    expect(await expectRefused('routing', f.step[20]!, { listed: true })).toBe(
      'Step 20 (Mill pocket) cannot be signed off: check 1 (Pocket depth) is not done; check 2 (Deburr edges) is not done.',
    );
    expect(await expectRefused('routing', f.step[40]!, { listed: false })).toMatch(
      /^Step 40 \(Final inspection\) cannot be worked before step 20 \(Mill pocket\) is signed off: steps are worked in order unless the routing marks them parallel\.$/,
    );
    expect(await expectRefused('manual', f.manual, { listed: false })).toMatch(
      /^The manual step "Label the box" cannot be worked before step 20 \(Mill pocket\) is signed off/,
    );
    expect(await expectRefused('routing', f.step[10]!, { listed: false })).toBe('Step 10 (Saw blank) is already signed off.');
  });

  it('a step in progress with a check left, then a measurement outside its limits awaiting quality', async () => {
    const f = await floor();
    await operator.post(`/admin/api/resources/traveler_steps/records/${f.step[10]}/signOff`).send({}).expect(200);
    await recordCheck(t.db.sequelize, f.check.depth, { measuredValue: '10.01' }, testActor(t.users.operator));
    expect(await expectRefused('routing', f.step[20]!, { listed: true })).toBe(
      'Step 20 (Mill pocket) cannot be signed off: check 2 (Deburr edges) is not done.',
    );

    await recordCheck(t.db.sequelize, f.check.deburr, {}, testActor(t.users.operator));
    await recordCheck(t.db.sequelize, f.check.depth, { measuredValue: '10.5' }, testActor(t.users.operator));
    expect(await expectRefused('routing', f.step[20]!, { listed: true })).toBe(
      'Step 20 (Mill pocket) cannot be signed off: check 1 (Pocket depth) measured 10.5, outside its limits: quality must record a disposition.',
    );
  });

  it('others still clocked in (one, then two, earliest first), then nothing in the way: the sign-off goes through', async () => {
    const f = await floor();
    await operator.post(`/admin/api/resources/traveler_steps/records/${f.step[10]}/signOff`).send({}).expect(200);
    await recordCheck(t.db.sequelize, f.check.depth, { measuredValue: '9.9' }, testActor(t.users.operator));
    await recordCheck(t.db.sequelize, f.check.deburr, {}, testActor(t.users.operator));
    await recordDisposition(t.db.sequelize, f.check.depth, { disposition: 'repair', note: 'Re-cut per RP-7' }, testActor(t.users.quality));

    const ref = { kind: 'routing' as const, id: f.step[20]! };
    await clockIn(t.db.sequelize, ref, testActor(operatorTwo));
    expect(await expectRefused('routing', ref.id, { listed: true })).toBe(
      'Step 20 (Mill pocket) cannot be signed off while Test operator two is still clocked in on it: they clock out first.',
    );
    await clockIn(t.db.sequelize, ref, testActor(t.users.quality));
    // The signer's own clock-in does not stop them: it closes with the sign-off.
    await clockIn(t.db.sequelize, ref, testActor(t.users.operator));
    expect(await expectRefused('routing', ref.id, { listed: true })).toBe(
      'Step 20 (Mill pocket) cannot be signed off while Test operator two, Test quality are still clocked in on it: they clock out first.',
    );

    await clockOutOfStep(t.db.sequelize, ref, testActor(operatorTwo));
    await clockOutOfStep(t.db.sequelize, ref, testActor(t.users.quality));
    expect(await signOffReadiness(t.db.sequelize, ref, { id: t.users.operator.id })).toBeNull();
    expect(await listed('routing', ref.id)).toBeNull();
    const page = await operator.get(`/admin/api/resources/traveler_steps/records/${ref.id}/signOff`);
    expect(page.body.record.params.move_refusal).toBeNull();
    const res = await operator.post(`/admin/api/resources/traveler_steps/records/${ref.id}/signOff`).send({});
    expect(res.status).toBe(200);
    expect(await stepState('routing', ref.id)).toMatchObject({ status: 'completed', completed_by_id: t.users.operator.id });
  });

  it('a traveler on hold: its steps are not listed, and the reason is the hold', async () => {
    const f = await floor();
    await operator.post(`/admin/api/resources/traveler_steps/records/${f.step[10]}/signOff`).send({}).expect(200);
    await transitionTraveler(t.db.sequelize, f.id, 'hold', testActor(t.users.quality), { reason: 'Saw blade changed mid-lot' });
    expect(await expectRefused('routing', f.step[20]!, { listed: false })).toBe(
      `Traveler ${f.number} is on hold: its steps are worked only while it is released or in progress.`,
    );
  });
});

describe('a decimal comma', () => {
  const record = (check: number, value: string) =>
    operator.post(`/admin/api/resources/traveler_sub_steps/records/${check}/recordCheck`).send({ measured_value: value });
  const checkState = (id: number) =>
    one('SELECT measured_value, completed_at, completed_by_id, out_of_limits, version FROM traveler_sub_steps WHERE id = $1', [id]);

  it('is read as the decimal separator of a measurement, and said back with the value stored', async () => {
    const f = await floor();
    await operator.post(`/admin/api/resources/traveler_steps/records/${f.step[10]}/signOff`).send({}).expect(200);
    const ok = await record(f.check.depth, '10,01');
    expect(ok.status).toBe(200);
    expect(ok.body.notice).toEqual({ type: 'success', message: 'Check 1 recorded: 10.01 mm (typed 10,01).' });
    expect(await checkState(f.check.depth)).toMatchObject({ measured_value: 10.01, out_of_limits: false });

    const out = await record(f.check.depth, ' 10,5 ');
    expect(out.status).toBe(200);
    expect(out.body.notice.message).toBe(
      'Check 1 recorded: 10.5 (typed 10,5) is outside its limits (9.98 to 10.02 mm). The step cannot be signed off until quality records a disposition.',
    );
    expect(await checkState(f.check.depth)).toMatchObject({ measured_value: 10.5, out_of_limits: true });
    // A point reads as before.
    expect((await record(f.check.depth, '10.00')).body.notice.message).toBe('Check 1 recorded.');
  });

  it('with grouping or a second separator is refused at the field (400), naming what was typed, and nothing is written', async () => {
    const f = await floor();
    await operator.post(`/admin/api/resources/traveler_steps/records/${f.step[10]}/signOff`).send({}).expect(200);
    const before = await checkState(f.check.depth);
    for (const typed of ['1.250,5', '1,250.5', '10,0,1', '10 01', '10,,0', ',']) {
      const res = await record(f.check.depth, typed);
      expect({ typed, status: res.status }).toEqual({ typed, status: 400 });
      expect(res.body.record.errors.measured_value.message).toBe(
        `Measured value must be a number, with a point or a comma before the decimals (12.5 or 12,5) and no thousands separators (you typed "${typed}")`,
      );
      expect(res.body.notice.message).toBe(res.body.record.errors.measured_value.message);
    }
    expect(await checkState(f.check.depth)).toEqual(before);
    expect(await stepState('routing', f.step[20]!)).toMatchObject({ status: 'pending', started_at: null });
  });

  it('is read the same way in every decimal field of a form (the one coercion of the server)', () => {
    expect(coerceInput(SubStep, { lower_limit: '9,98', upper_limit: '10.02' }, 'update').values).toEqual({ lower_limit: 9.98, upper_limit: 10.02 });
    expect(coerceInput(SubStep, { lower_limit: ',5' }, 'update').values).toEqual({ lower_limit: 0.5 });
    let refused: unknown;
    try {
      coerceInput(SubStep, { lower_limit: '1.250,5', upper_limit: '2,5' }, 'update');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RecordValidationError);
    expect((refused as RecordValidationError).fields).toEqual({
      lower_limit: 'Lower limit must be a number, with a point or a comma before the decimals (12.5 or 12,5) and no thousands separators',
    });
  });
});
