import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type TestAgent from 'supertest/lib/agent.js';
import type { Role } from '../src/auth/roles.js';
import { WorkflowRefusedError } from '../src/records/record-errors.js';
import { MOVE_ROLES, stepKey, stepMovesFor, type StepKind, type StepMove, type StepMoves } from '../src/travelers/step-moves.js';
import { recordCheck, signOffStep } from '../src/travelers/step-work.service.js';
import { createTravelerFromWorkOrder } from '../src/travelers/traveler-creation.service.js';
import { transitionTraveler } from '../src/travelers/traveler-lifecycle.service.js';
import { buildShop, type Shop } from './support/shop-fixtures.js';
import { createTestApp, testActor, type TestApp } from './support/test-app.js';

/**
 * What a step allows next is answered once (src/travelers/step-moves.ts), and every place that
 * shows or does a move agrees with that answer: the panel's record actions offered on the step,
 * the moves My work sends for it, the reason the action's page disables its button with, and the
 * refusal of the write itself (409, the same words, nothing changed). Each case walks one traveler
 * of the test shop (10 → 20 (pocket depth 9.98–10.02 mm, deburr) ∥ 30 → 40) through a state and
 * checks all of them against each other, and against the words a person must read.
 */
let t: TestApp;
let shop: Shop;
const agents = {} as Record<Role, TestAgent>;

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

/** The record actions of a step resource that are moves (Record check is a check's action). */
const ACTIONS: Record<StepKind, StepMove[]> = {
  routing: ['start', 'clockIn', 'clockOut', 'signOff', 'disposition'],
  manual: ['start', 'clockIn', 'clockOut', 'signOff'],
};
const resourceOf = (kind: StepKind) => (kind === 'routing' ? 'traveler_steps' : 'manual_steps');

interface Floor {
  id: number;
  number: string;
  step: Record<number, number>;
  depth: number;
  deburr: number;
}

async function releasedTraveler(): Promise<Floor> {
  const traveler = await createTravelerFromWorkOrder(t.db.sequelize, shop.workOrderId, { quantity: 2 }, testActor(t.users.engineer));
  await t.db.query(`UPDATE travelers SET status = 'released' WHERE id = $1`, [traveler.id]);
  const steps = (await t.db.query<{ id: number; step_number: number }>('SELECT id, step_number FROM traveler_steps WHERE traveler_id = $1', [traveler.id]))
    .rows;
  const step = Object.fromEntries(steps.map((s) => [s.step_number, s.id]));
  const check = async (sequence: number) =>
    (await one<{ id: number }>('SELECT id FROM traveler_sub_steps WHERE traveler_step_id = $1 AND sequence = $2', [step[20], sequence])).id;
  return { id: traveler.id, number: traveler.number, step, depth: await check(1), deburr: await check(2) };
}

/** Everything a refused move must leave as it was. */
const floorState = async (kind: StepKind, id: number) => ({
  step: await one(`SELECT status, started_at, completed_at, completed_by_id, version FROM ${resourceOf(kind)} WHERE id = $1`, [id]),
  open: (await t.db.query('SELECT id, user_id FROM labor_entries WHERE ended_at IS NULL ORDER BY id')).rows,
});

const post = (who: Role, resource: string, id: number, action: string, body: Record<string, unknown> = {}) =>
  agents[who].post(`/admin/api/resources/${resource}/records/${id}/${action}`).send(body);

/**
 * The step's moves for the person, checked against every place that shows or does them; returns
 * the moves for the case to assert what a person reads. `listed` says whether My work lists it.
 */
async function agree(who: Role, kind: StepKind, id: number, options: { listed: boolean }): Promise<StepMoves> {
  const user = t.users[who];
  const moves = (await stepMovesFor(t.db.sequelize, [{ kind, id }], user)).get(stepKey({ kind, id }))!;
  expect(moves).toBeDefined();
  const resource = resourceOf(kind);

  // The panel offers exactly the moves offered.
  const shown = await agents[who].get(`/admin/api/resources/${resource}/records/${id}/show`);
  expect(shown.status).toBe(200);
  const offered = (shown.body.record.recordActions as Array<{ name: string }>).map((a) => a.name).filter((name) => ACTIONS[kind].includes(name as StepMove));
  expect(offered.sort()).toEqual(moves.offered.filter((m) => ACTIONS[kind].includes(m)).sort());

  // My work sends the same answer for a step it lists.
  const page = await agents[who].get('/admin/api/pages/myWork');
  expect(page.status).toBe(200);
  const onMyWork = (page.body.steps as Array<{ kind: StepKind; id: number; moves: StepMoves }>).find((s) => s.kind === kind && s.id === id);
  expect(onMyWork?.moves).toEqual(options.listed ? moves : undefined);

  // Each move refused for its state (not its role): the action's page says why, and the write refuses in those words.
  for (const move of ACTIONS[kind].filter((m) => m !== 'disposition' && moves[m] !== null && MOVE_ROLES[m]({ ...user, email: '', title: '' }))) {
    const form = await agents[who].get(`/admin/api/resources/${resource}/records/${id}/${move}`);
    expect({ move, status: form.status, refusal: form.body.record.params.move_refusal }).toEqual({ move, status: 200, refusal: moves[move] });
    const before = await floorState(kind, id);
    const res = await post(who, resource, id, move);
    expect({ move, status: res.status, notice: res.body.notice }).toEqual({ move, status: 409, notice: { type: 'error', message: moves[move] } });
    expect(await floorState(kind, id)).toEqual(before);
  }
  return moves;
}

/** The check actions offered to the person on one check. */
async function checkActions(who: Role, check: number): Promise<string[]> {
  const res = await agents[who].get(`/admin/api/resources/traveler_sub_steps/records/${check}/show`);
  expect(res.status).toBe(200);
  return (res.body.record.recordActions as Array<{ name: string }>).map((a) => a.name).filter((name) => name === 'recordCheck' || name === 'disposition');
}

beforeAll(async () => {
  t = await createTestApp();
  shop = await buildShop(t.db);
  for (const role of ['engineer', 'operator', 'quality', 'viewer'] as Role[]) agents[role] = await t.signIn(role);
}, 120_000);

afterAll(async () => {
  await t.close();
});

describe('the panel, My work and the write agree on what a step allows next', () => {
  let f: Floor;
  beforeAll(async () => {
    f = await releasedTraveler();
  });

  it('a ready first step offers Start, Clock in and Sign off; the step behind it offers nothing and every write on it is refused with the order rule', async () => {
    const first = await agree('operator', 'routing', f.step[10]!, { listed: true });
    expect(first).toEqual({
      start: null,
      recordCheck: null,
      clockIn: null,
      clockOut: 'You are not clocked in on step 10 (Saw blank).',
      signOff: null,
      disposition: 'Only quality records a disposition.',
      offered: ['start', 'recordCheck', 'clockIn', 'signOff'],
    });

    const waiting = `Step 20 (Mill pocket) cannot be worked before step 10 (Saw blank) is signed off: steps are worked in order unless the routing marks them parallel.`;
    const behind = await agree('operator', 'routing', f.step[20]!, { listed: false });
    expect(behind).toMatchObject({ start: waiting, clockIn: waiting, signOff: waiting, recordCheck: waiting, offered: [] });
    // Its checks are not offered either, and recording one is refused the same way.
    expect(await checkActions('operator', f.deburr)).toEqual([]);
    const tick = await post('operator', 'traveler_sub_steps', f.deburr, 'recordCheck');
    expect({ status: tick.status, message: tick.body.notice.message }).toEqual({ status: 409, message: waiting });

    // A viewer is offered nothing on either, and the action answers 403 (role), not a reason.
    expect((await agree('viewer', 'routing', f.step[10]!, { listed: false })).offered).toEqual([]);
    expect((await post('viewer', 'traveler_steps', f.step[10]!, 'start')).status).toBe(403);
  });

  it('a step whose checks are not done: Sign off is offered disabled, with the reason the action and the write refuse with', async () => {
    expect((await post('operator', 'traveler_steps', f.step[10]!, 'start')).status).toBe(200);
    const started = await agree('operator', 'routing', f.step[10]!, { listed: true });
    expect(started).toMatchObject({ start: 'Step 10 (Saw blank) is already started.', signOff: null, offered: ['recordCheck', 'clockIn', 'signOff'] });
    expect((await post('operator', 'traveler_steps', f.step[10]!, 'signOff')).status).toBe(200);
    expect((await agree('operator', 'routing', f.step[10]!, { listed: false })).offered).toEqual([]);

    const moves = await agree('operator', 'routing', f.step[20]!, { listed: true });
    const reason = 'Step 20 (Mill pocket) cannot be signed off: check 1 (Pocket depth) is not done; check 2 (Deburr edges) is not done.';
    expect(moves).toMatchObject({ start: null, signOff: reason, offered: ['start', 'recordCheck', 'clockIn', 'signOff'] });
    // The service itself, called directly, refuses with the same words.
    await expect(signOffStep(t.db.sequelize, { kind: 'routing', id: f.step[20]! }, testActor(t.users.operator))).rejects.toEqual(
      new WorkflowRefusedError(reason),
    );
    expect(await checkActions('operator', f.depth)).toEqual(['recordCheck']);
  });

  it('clocked in on one step: Clock in elsewhere is offered disabled with where, Clock out is offered where they are', async () => {
    expect((await post('operator', 'traveler_steps', f.step[20]!, 'clockIn')).status).toBe(200);
    const here = await agree('operator', 'routing', f.step[20]!, { listed: true });
    expect(here).toMatchObject({ clockOut: null, offered: ['recordCheck', 'clockOut', 'signOff'] });
    expect(here.clockIn).toBe(`You are already clocked in on ${f.number} step 20 (Mill pocket): clock out there first.`);

    // Step 30 runs alongside step 20 (parallel): workable, but the operator is clocked in on 20.
    const parallel = await agree('operator', 'routing', f.step[30]!, { listed: true });
    expect(parallel).toMatchObject({ start: null, clockIn: `You are already clocked in on ${f.number} step 20 (Mill pocket): clock out there first.` });
    expect(parallel.offered).toEqual(['start', 'recordCheck', 'clockIn', 'signOff']);
  });

  it('a measurement outside its limits: quality is offered the disposition, the operator’s sign-off waits for it', async () => {
    await recordCheck(t.db.sequelize, f.depth, { measuredValue: '10.5' }, testActor(t.users.operator));
    await recordCheck(t.db.sequelize, f.deburr, {}, testActor(t.users.operator));
    const operator = await agree('operator', 'routing', f.step[20]!, { listed: true });
    expect(operator.signOff).toBe(
      'Step 20 (Mill pocket) cannot be signed off: check 1 (Pocket depth) measured 10.5, outside its limits: quality must record a disposition.',
    );

    const quality = await agree('quality', 'routing', f.step[20]!, { listed: true });
    expect(quality).toMatchObject({ disposition: null });
    expect(quality.offered).toContain('disposition');
    expect(await checkActions('quality', f.depth)).toEqual(['recordCheck', 'disposition']);
    // The check within its limits has nothing to decide: it is not offered one.
    expect(await checkActions('quality', f.deburr)).toEqual(['recordCheck']);
  });

  it('a traveler on hold (which closed the open clock-in): nothing is offered to the operator, every write says why; quality may still decide', async () => {
    await transitionTraveler(t.db.sequelize, f.id, 'hold', testActor(t.users.quality), { reason: 'Waiting for the CMM report' });
    const held = `Traveler ${f.number} is on hold: its steps are worked only while it is released or in progress.`;
    const operator = await agree('operator', 'routing', f.step[20]!, { listed: false });
    expect(operator).toEqual({
      start: 'Step 20 (Mill pocket) is already started.',
      recordCheck: held,
      clockIn: held,
      clockOut: 'You are not clocked in on step 20 (Mill pocket).',
      signOff: held,
      disposition: 'Only quality records a disposition.',
      offered: [],
    });
    expect(await checkActions('operator', f.depth)).toEqual([]);
    expect((await agree('quality', 'routing', f.step[20]!, { listed: false })).offered).toEqual(['disposition']);
    expect(await checkActions('quality', f.depth)).toEqual(['disposition']);
  });

  it('a cancelled traveler: its check awaits no disposition, so none is offered, and the write refuses it in those words', async () => {
    await transitionTraveler(t.db.sequelize, f.id, 'cancel', testActor(t.users.engineer), { reason: 'Customer cancelled the order' });
    const quality = await agree('quality', 'routing', f.step[20]!, { listed: false });
    const reason = `Traveler ${f.number} is cancelled: its checks await no disposition.`;
    expect(quality).toMatchObject({ disposition: reason, offered: [] });
    expect(await checkActions('quality', f.depth)).toEqual([]);
    const res = await post('quality', 'traveler_sub_steps', f.depth, 'disposition', { disposition: 'scrap', note: 'Scrap the lot' });
    expect({ status: res.status, message: res.body.notice.message }).toEqual({ status: 409, message: reason });
  });
});
