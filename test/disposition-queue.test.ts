import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type TestAgent from 'supertest/lib/agent.js';
import type { Role } from '../src/auth/roles.js';
import { recordCheck, recordDisposition, signOffStep } from '../src/travelers/step-work.service.js';
import { createTravelerFromWorkOrder } from '../src/travelers/traveler-creation.service.js';
import { transitionTraveler } from '../src/travelers/traveler-lifecycle.service.js';
import { buildShop, type Shop } from './support/shop-fixtures.js';
import { createTestApp, testActor, type TestApp } from './support/test-app.js';

/**
 * Quality's disposition queue (GET /admin/api/pages/dispositionQueue) and the Disposition actions
 * around it, over HTTP as the panel calls them. The floor is built with the services as the test
 * users, so that every check's state is known:
 *   waiting:      A (a released traveler's pocket depth, measured first), B (a traveler put on hold after)
 *   not waiting:  a check within its limits, one already decided (its step then signed off), one on a
 *                 cancelled traveler, and every check not measured at all.
 */
let t: TestApp;
const agents = {} as Record<Role, TestAgent>;
let shop: Shop;
const checks = {} as Record<'A' | 'B' | 'inLimits' | 'decided' | 'cancelled', number>;
const steps = {} as Record<'A' | 'B', number>;
const travelers = {} as Record<'A' | 'B' | 'cancelled', { id: number; number: string }>;

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.query(sql, params)).rows as T[];
}
async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await rows<T>(sql, params))[0] as T;
}

const engineer = () => testActor(t.users.engineer);
const operator = () => testActor(t.users.operator);
const quality = () => testActor(t.users.quality);

/** A traveler of the shop, released, with step 10 signed off and step 20's pocket depth measured. */
async function measuredTraveler(value: string): Promise<{ id: number; number: string; step20: number; depth: number }> {
  const traveler = await createTravelerFromWorkOrder(t.db.sequelize, shop.workOrderId, { quantity: 2 }, engineer());
  await t.db.query(`UPDATE travelers SET status = 'released' WHERE id = $1`, [traveler.id]);
  const stepOf = async (n: number) =>
    (await one<{ id: number }>('SELECT id FROM traveler_steps WHERE traveler_id = $1 AND step_number = $2', [traveler.id, n])).id;
  await signOffStep(t.db.sequelize, { kind: 'routing', id: await stepOf(10) }, operator());
  const step20 = await stepOf(20);
  const depth = (await one<{ id: number }>('SELECT id FROM traveler_sub_steps WHERE traveler_step_id = $1 AND sequence = 1', [step20])).id;
  await recordCheck(t.db.sequelize, depth, { measuredValue: value }, operator());
  return { id: traveler.id, number: traveler.number, step20, depth };
}

const checkState = (id: number) =>
  one('SELECT measured_value, out_of_limits, disposition, disposition_note, disposition_by_id, disposition_at, version FROM traveler_sub_steps WHERE id = $1', [
    id,
  ]);
/** Data changes only: a refused call leaves an access_denied event, which is not a change. */
const changes = (table: string, id: number) =>
  rows<{ field_name: string; new_value: string | null; actor_id: number | null; request_id: string | null; ip: string | null }>(
    `SELECT field_name, new_value, actor_id, request_id, host(ip_address) AS ip FROM audit_logs
      WHERE table_name = $1 AND record_id = $2 AND action <> 'access_denied' ORDER BY id`,
    [table, String(id)],
  );
const deniedCount = async () => (await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access_denied'`)).n;

const queue = (who: Role, query = '') => agents[who].get(`/admin/api/pages/dispositionQueue${query}`);
const idsOf = (body: { items: Array<{ subStepId: number }> }) => body.items.map((i) => i.subStepId);

beforeAll(async () => {
  t = await createTestApp();
  shop = await buildShop(t.db);

  const a = await measuredTraveler('10.5');
  travelers.A = a;
  steps.A = a.step20;
  checks.A = a.depth;

  const held = await measuredTraveler('10.3');
  await transitionTraveler(t.db.sequelize, held.id, 'hold', quality(), { reason: 'Waiting for the CMM report' });
  travelers.B = held;
  steps.B = held.step20;
  checks.B = held.depth;

  checks.inLimits = (await measuredTraveler('10.00')).depth;

  const decided = await measuredTraveler('9.9');
  await recordDisposition(t.db.sequelize, decided.depth, { disposition: 'repair', note: 'Re-cut per RP-7' }, quality());
  const deburr = (await one<{ id: number }>('SELECT id FROM traveler_sub_steps WHERE traveler_step_id = $1 AND sequence = 2', [decided.step20])).id;
  await recordCheck(t.db.sequelize, deburr, {}, operator());
  await signOffStep(t.db.sequelize, { kind: 'routing', id: decided.step20 }, operator());
  checks.decided = decided.depth;

  const cancelled = await measuredTraveler('10.4');
  await transitionTraveler(t.db.sequelize, cancelled.id, 'cancel', engineer(), { reason: 'Customer cancelled the order' });
  travelers.cancelled = cancelled;
  checks.cancelled = cancelled.depth;

  for (const role of ['admin', 'engineer', 'quality', 'approver', 'operator', 'viewer'] as Role[]) agents[role] = await t.signIn(role);
}, 120_000);

afterAll(async () => {
  await t.close();
});

describe('the queue', () => {
  it('lists exactly the checks waiting for quality, oldest measurement first, each named fully', async () => {
    // The floor as built: every out-of-limits check, and why each is or is not waiting.
    const outOfLimits = await rows<{ id: number }>('SELECT id FROM traveler_sub_steps WHERE out_of_limits ORDER BY id');
    expect(outOfLimits.map((r) => r.id).sort((x, y) => x - y)).toEqual([checks.A, checks.B, checks.decided, checks.cancelled].sort((x, y) => x - y));

    const res = await queue('quality');
    expect(res.status).toBe(200);
    expect(idsOf(res.body)).toEqual([checks.A, checks.B]);
    expect(res.body.truncated).toBe(false);
    expect(res.body.choices).toEqual([
      { value: 'use_as_is', label: 'Use as is (deviation accepted)' },
      { value: 'repair', label: 'Repaired per an approved procedure' },
      { value: 'scrap', label: 'Scrapped (removed from the batch)' },
    ]);
    const part = await one<{ part_number: string }>('SELECT part_number FROM parts WHERE id = $1', [shop.partId]);
    const measuredAt = await one<{ completed_at: Date }>('SELECT completed_at FROM traveler_sub_steps WHERE id = $1', [checks.A]);
    expect(res.body.items[0]).toEqual({
      subStepId: checks.A,
      travelerId: travelers.A.id,
      travelerNumber: travelers.A.number,
      travelerStatus: 'in_progress',
      partNumber: part.part_number,
      revisionCode: 'A',
      stepId: steps.A,
      stepNumber: 20,
      operation: 'Mill pocket',
      workCenterCode: expect.stringMatching(/^MILL-/),
      sequence: 1,
      description: 'Pocket depth',
      lowerLimit: 9.98,
      upperLimit: 10.02,
      unit: 'mm',
      limits: '9.98 to 10.02 mm',
      measuredValue: 10.5,
      measuredBy: 'Test operator',
      measuredAt: measuredAt.completed_at.toISOString(),
    });
    // A traveler on hold still waits for the decision: quality may decide while the floor stops.
    expect(res.body.items[1]).toMatchObject({ subStepId: checks.B, travelerStatus: 'on_hold', measuredValue: 10.3 });
  });

  it('narrows to one traveler, one step or one check', async () => {
    expect(idsOf((await queue('quality', `?travelerId=${travelers.B.id}`)).body)).toEqual([checks.B]);
    expect(idsOf((await queue('quality', `?stepId=${steps.A}`)).body)).toEqual([checks.A]);
    expect(idsOf((await queue('quality', `?subStepId=${checks.A}`)).body)).toEqual([checks.A]);
    for (const id of [checks.inLimits, checks.decided, checks.cancelled]) expect(idsOf((await queue('quality', `?subStepId=${id}`)).body)).toEqual([]);
    expect(idsOf((await queue('quality', `?travelerId=${travelers.cancelled.id}`)).body)).toEqual([]);
  });

  it('is refused (403, with the reason) to every role but quality, each refusal logged and nothing else written', async () => {
    const before = { A: await checkState(checks.A), changes: (await changes('traveler_sub_steps', checks.A)).length, denied: await deniedCount() };
    const refused: Role[] = ['admin', 'engineer', 'approver', 'operator', 'viewer'];
    for (const role of refused) {
      const res = await queue(role);
      expect({ role, status: res.status }).toEqual({ role, status: 403 });
      expect(res.body.items).toEqual([]);
      expect(res.body.notice).toEqual({ type: 'error', message: `Your role (${role}) does not decide dispositions: the queue is quality's.` });
    }
    expect(await deniedCount()).toBe(before.denied + refused.length);
    const logged = await rows<{ actor_id: number; denied: string }>(
      `SELECT actor_id, details->>'action' AS denied FROM audit_logs WHERE action = 'access_denied' ORDER BY id DESC LIMIT $1`,
      [refused.length],
    );
    expect(logged.map((r) => r.denied)).toEqual(refused.map(() => 'page:dispositionQueue'));
    expect(logged.map((r) => r.actor_id).sort()).toEqual(refused.map((r) => t.users[r].id).sort());
    expect(await checkState(checks.A)).toEqual(before.A);
    expect((await changes('traveler_sub_steps', checks.A)).length).toBe(before.changes);
  });
});

describe('deciding from the queue', () => {
  it('an operator posting a disposition for a queued check is refused (403) and nothing is written', async () => {
    const before = { state: await checkState(checks.A), changes: await changes('traveler_sub_steps', checks.A) };
    const res = await agents.operator
      .post(`/admin/api/resources/traveler_sub_steps/records/${checks.A}/disposition`)
      .send({ disposition: 'use_as_is', note: 'Looks fine to me' });
    expect(res.status).toBe(403);
    expect(await checkState(checks.A)).toEqual(before.state);
    expect(await changes('traveler_sub_steps', checks.A)).toEqual(before.changes);
    expect(idsOf((await queue('quality')).body)).toEqual([checks.A, checks.B]);
  });

  it('quality decides a queued check: the decision is written with its audit rows, and the check leaves the queue', async () => {
    const fresh = await measuredTraveler('10.6');
    expect(idsOf((await queue('quality')).body)).toEqual([checks.A, checks.B, fresh.depth]);
    const before = await changes('traveler_sub_steps', fresh.depth);
    const res = await agents.quality
      .post(`/admin/api/resources/traveler_sub_steps/records/${fresh.depth}/disposition`)
      .send({ disposition: 'use_as_is', note: 'MRB 201: depth accepted by the customer' });
    expect(res.status).toBe(200);
    expect(res.body.notice).toEqual({ type: 'success', message: 'Disposition "use as is" recorded for check 1.' });
    const state = await checkState(fresh.depth);
    expect(state).toMatchObject({
      disposition: 'use_as_is',
      disposition_note: 'MRB 201: depth accepted by the customer',
      disposition_by_id: t.users.quality.id,
    });
    expect(state.disposition_at).toBeInstanceOf(Date);

    const written = (await changes('traveler_sub_steps', fresh.depth)).slice(before.length);
    expect(written.map((r) => r.field_name).sort()).toEqual(['disposition', 'disposition_at', 'disposition_by_id', 'disposition_note']);
    expect(written.every((r) => r.actor_id === t.users.quality.id && r.ip !== null && r.request_id !== null)).toBe(true);
    expect(new Set(written.map((r) => r.request_id)).size).toBe(1);
    expect(written.find((r) => r.field_name === 'disposition')!.new_value).toBe('use_as_is');

    expect(idsOf((await queue('quality')).body)).toEqual([checks.A, checks.B]);
  });

  it('a second decision on a decided check is refused (409, naming the first) and changes nothing', async () => {
    const fresh = await measuredTraveler('10.7');
    await recordDisposition(t.db.sequelize, fresh.depth, { disposition: 'use_as_is', note: 'MRB 202: accepted' }, quality());
    const before = { state: await checkState(fresh.depth), changes: await changes('traveler_sub_steps', fresh.depth) };
    const res = await agents.quality
      .post(`/admin/api/resources/traveler_sub_steps/records/${fresh.depth}/disposition`)
      .send({ disposition: 'scrap', note: 'Second thoughts' });
    expect(res.status).toBe(409);
    expect(res.body.notice.message).toBe(
      `Check 1 (Pocket depth) of ${fresh.number} already has a disposition: Use as is (deviation accepted), by Test quality. A new measurement would need a new one.`,
    );
    expect(await checkState(fresh.depth)).toEqual(before.state);
    expect(await changes('traveler_sub_steps', fresh.depth)).toEqual(before.changes);
  });

  it('a cancelled traveler’s check awaits nothing: a decision is refused (409) and nothing is written', async () => {
    const before = { state: await checkState(checks.cancelled), changes: await changes('traveler_sub_steps', checks.cancelled) };
    const res = await agents.quality
      .post(`/admin/api/resources/traveler_sub_steps/records/${checks.cancelled}/disposition`)
      .send({ disposition: 'scrap', note: 'Scrap the lot' });
    expect(res.status).toBe(409);
    expect(res.body.notice.message).toBe(`Traveler ${travelers.cancelled.number} is cancelled: its checks await no disposition.`);
    expect(await checkState(checks.cancelled)).toEqual(before.state);
    expect(await changes('traveler_sub_steps', checks.cancelled)).toEqual(before.changes);
  });
});

describe('the Disposition action of a traveler step', () => {
  const stepAction = (who: Role, step: number) => agents[who].get(`/admin/api/resources/traveler_steps/records/${step}/disposition`);
  const actionsOf = async (who: Role, step: number) =>
    ((await agents[who].get(`/admin/api/resources/traveler_steps/records/${step}/show`)).body.record.recordActions as Array<{ name: string }>).map(
      (a) => a.name,
    );

  it('is offered to quality on a step in progress, shows the step, and is refused to others', async () => {
    expect(await actionsOf('quality', steps.B)).toContain('disposition');
    expect(await actionsOf('operator', steps.B)).not.toContain('disposition');
    const shown = await stepAction('quality', steps.B);
    expect(shown.status).toBe(200);
    expect(String(shown.body.record.id)).toBe(String(steps.B));
    for (const role of ['operator', 'admin', 'viewer'] as Role[])
      expect({ role, status: (await stepAction(role, steps.B)).status }).toEqual({ role, status: 403 });
  });

  it('a POST to it writes nothing and says where decisions go (405)', async () => {
    const before = {
      state: await checkState(checks.B),
      changes: await changes('traveler_sub_steps', checks.B),
      step: await changes('traveler_steps', steps.B),
    };
    const res = await agents.quality
      .post(`/admin/api/resources/traveler_steps/records/${steps.B}/disposition`)
      .send({ disposition: 'scrap', note: 'Wrong door' });
    expect(res.status).toBe(405);
    expect(res.body.notice.message).toMatch(/^Record a disposition on the check itself/);
    expect(await checkState(checks.B)).toEqual(before.state);
    expect(await changes('traveler_sub_steps', checks.B)).toEqual(before.changes);
    expect(await changes('traveler_steps', steps.B)).toEqual(before.step);
  });
});

describe('the operator waiting for the decision', () => {
  interface Decided {
    subStepId: number;
    disposition: string;
    message: string;
  }
  const myWork = async (who: Role) => {
    const res = await agents[who].get('/admin/api/pages/myWork');
    expect(res.status).toBe(200);
    return res.body as { decided: Decided[]; awaitingDisposition?: number; steps: Array<{ id: number; moves: { signOff: string | null } }> };
  };
  const noticeOf = async (who: Role, check: number) => (await myWork(who)).decided.find((d) => d.subStepId === check);

  it('sees on My work what quality accepted on their measurement, until the step is signed off', async () => {
    const fresh = await measuredTraveler('10.5');
    expect(await noticeOf('operator', fresh.depth)).toBeUndefined();
    await recordDisposition(t.db.sequelize, fresh.depth, { disposition: 'use_as_is', note: 'MRB 203: depth accepted by the customer' }, quality());

    const mine = await myWork('operator');
    expect(mine.decided.find((d) => d.subStepId === fresh.depth)).toEqual({
      subStepId: fresh.depth,
      travelerId: fresh.id,
      travelerNumber: fresh.number,
      stepId: fresh.step20,
      stepNumber: 20,
      sequence: 1,
      description: 'Pocket depth',
      disposition: 'use_as_is',
      note: 'MRB 203: depth accepted by the customer',
      decidedBy: 'Test quality',
      decidedAt: expect.any(String),
      message: `Quality accepted your measurement on ${fresh.number} step 20 check 1 (Pocket depth), 10.5 mm: Use as is (deviation accepted). Test quality: "MRB 203: depth accepted by the customer"`,
    });
    // Nobody else measured it: nobody else is told.
    expect(await noticeOf('quality', fresh.depth)).toBeUndefined();
    expect(await noticeOf('admin', fresh.depth)).toBeUndefined();
    // The step's sign-off is now held up by its other check only.
    expect(mine.steps.find((s) => s.id === fresh.step20)!.moves.signOff).toBe(
      'Step 20 (Mill pocket) cannot be signed off: check 2 (Deburr edges) is not done.',
    );

    const deburr = (await one<{ id: number }>('SELECT id FROM traveler_sub_steps WHERE traveler_step_id = $1 AND sequence = 2', [fresh.step20])).id;
    await recordCheck(t.db.sequelize, deburr, {}, operator());
    const signed = await agents.operator.post(`/admin/api/resources/traveler_steps/records/${fresh.step20}/signOff`).send({});
    expect(signed.status).toBe(200);
    expect(await noticeOf('operator', fresh.depth)).toBeUndefined();
  });

  it('is told of a rejection as a rejection', async () => {
    const fresh = await measuredTraveler('10.3');
    await recordDisposition(t.db.sequelize, fresh.depth, { disposition: 'scrap', note: 'Pocket too deep to save' }, quality());
    expect((await noticeOf('operator', fresh.depth))?.message).toBe(
      `Quality rejected your measurement on ${fresh.number} step 20 check 1 (Pocket depth), 10.3 mm: Scrapped (removed from the batch). Test quality: "Pocket too deep to save"`,
    );
  });

  it('quality’s My work counts what waits in its queue; nobody else’s does', async () => {
    const waiting = (await queue('quality')).body.items.length;
    expect(waiting).toBeGreaterThan(0);
    expect((await myWork('quality')).awaitingDisposition).toBe(waiting);
    expect((await myWork('operator')).awaitingDisposition).toBeUndefined();
    expect((await myWork('admin')).awaitingDisposition).toBeUndefined();
  });
});
