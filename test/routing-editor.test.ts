import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type TestAgent from 'supertest/lib/agent.js';
import { decide } from '../src/approvals/approval-decision.service.js';
import type { Role } from '../src/auth/roles.js';
import { revisionResource } from '../src/resources/revision.resource.js';
import { buildShop, type Shop } from './support/shop-fixtures.js';
import { createTestApp, TEST_PASSWORD, testActor, type TestApp } from './support/test-app.js';

/**
 * A routing written on its revision's page (panel/components/routing-editor.tsx) through the
 * routing API (http/routes/routing.routes.ts), a part's revisions and a work order's travelers on their
 * pages, and the Release and Make obsolete actions of a revision. Over HTTP as each role, with the
 * database checked for what was written, what was not, and who the audit trail says did it.
 */
let t: TestApp;
let shop: Shop;
const agents = {} as Record<Role, TestAgent>;

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.query(sql, params)).rows as T[];
}
async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await rows<T>(sql, params))[0] as T;
}
async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await one<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) AS x`, params)).n);
}

/** A draft revision of the shop's part with no routing yet (made by the test system). */
async function draftRevision(code: string, partId = shop.partId): Promise<number> {
  return (await one<{ id: number }>(`INSERT INTO revisions (part_id, revision_code, status) VALUES ($1, $2, 'draft') RETURNING id`, [partId, code])).id;
}

/** A revision released by the test system: made a draft (the only start the database allows), then moved. */
async function releasedRevision(partId: number, code: string): Promise<number> {
  const { id } = await one<{ id: number }>(`INSERT INTO revisions (part_id, revision_code, effective_date) VALUES ($1, $2, '2025-01-01') RETURNING id`, [
    partId,
    code,
  ]);
  await t.db.query(`UPDATE revisions SET status = 'released' WHERE id = $1`, [id]);
  return id;
}

const post = (role: Role, path: string, body: Record<string, unknown> = {}) => agents[role].post(`/admin/api/${path}`).send(body);
const get = (role: Role, path: string) => agents[role].get(`/admin/api/${path}`);

/** Data changes written by a user (not access_denied events) on a table. */
const changesBy = (userId: number, table: string) =>
  count(`SELECT 1 FROM audit_logs WHERE actor_id = $1 AND table_name = $2 AND action IN ('create', 'update', 'delete')`, [userId, table]);
const deniedRows = (userId: number) =>
  rows<{ table_name: string; record_id: string; details: { path?: string } }>(
    `SELECT table_name, record_id, details FROM audit_logs WHERE actor_id = $1 AND action = 'access_denied' ORDER BY id`,
    [userId],
  );

beforeAll(async () => {
  t = await createTestApp();
  shop = await buildShop(t.db, 'RE');
  for (const role of ['admin', 'engineer', 'quality', 'approver', 'operator', 'viewer'] as Role[]) agents[role] = await t.signIn(role);
}, 120_000);

afterAll(async () => {
  await t.close();
});

describe('writing a routing in place on its revision', () => {
  it('an engineer adds three steps and four checks: numbered in order, limits kept, every row audited as theirs', async () => {
    const revision = await draftRevision('B');
    const engineer = t.users.engineer.id;
    const steps: number[] = [];
    for (const [operation, center, hours] of [
      ['Cut blank', shop.centers.mill, '0.3'],
      ['Mill bore', shop.centers.mill, '1.5'],
      ['Inspect', shop.centers.inspect, ''],
    ] as const) {
      const res = await post('engineer', `routing/revisions/${revision}/steps`, {
        operation,
        work_center_id: String(center),
        estimated_hours: hours,
        instructions: '',
      });
      expect(res.status).toBe(201);
      steps.push(res.body.id);
    }
    const checks = [
      [steps[1], { description: 'Bore diameter', lower_limit: '9.98', upper_limit: '10.02', unit: 'mm' }],
      [steps[1], { description: 'Deburr bore edge' }],
      [steps[2], { description: 'Overall length', lower_limit: '40', upper_limit: '40.2', unit: 'mm', requires_measurement: true }],
      [steps[2], { description: 'Visual: no burrs', requires_measurement: false }],
    ] as const;
    for (const [step, body] of checks) {
      const res = await post('engineer', `routing/process_steps/${step}/checks`, body);
      expect(res.status).toBe(201);
    }

    const routing = await get('engineer', `routing/revisions/${revision}`);
    expect(routing.status).toBe(200);
    expect(routing.body.revision).toMatchObject({ id: revision, title: 'P-RE rev B', status: 'draft' });
    expect(routing.body.steps.map((s: { step_number: number; operation: string; work_center: string }) => [s.step_number, s.operation, s.work_center])).toEqual(
      [
        [10, 'Cut blank', 'MILL-RE — Milling'],
        [20, 'Mill bore', 'MILL-RE — Milling'],
        [30, 'Inspect', 'QC-RE — Inspection'],
      ],
    );
    expect(routing.body.steps[1].checks).toEqual([
      expect.objectContaining({ sequence: 1, description: 'Bore diameter', requires_measurement: true, lower_limit: 9.98, upper_limit: 10.02, unit: 'mm' }),
      expect.objectContaining({ sequence: 2, description: 'Deburr bore edge', requires_measurement: false, lower_limit: null, upper_limit: null }),
    ]);
    expect(routing.body.steps[2].checks.map((c: { sequence: number }) => c.sequence)).toEqual([1, 2]);
    expect(routing.body).toMatchObject({ nextStepNumber: 40, approval: { steps: null, checks: null } });
    expect(routing.body.may).toEqual({ addStep: true, editStep: true, removeStep: true, addCheck: true, editCheck: true, removeCheck: true });

    // Each row's creation is in the audit trail, by the engineer, from this request's address.
    const created = await rows<{ table_name: string; record_id: string; actor_id: number; ip_address: string | null; request_id: string | null }>(
      `SELECT DISTINCT table_name, record_id, actor_id, ip_address, request_id FROM audit_logs
        WHERE action = 'create' AND ((table_name = 'process_steps' AND record_id = ANY($1)) OR (table_name = 'sub_steps' AND record_id IN (SELECT id::text FROM sub_steps WHERE process_step_id = ANY($2::int[]))))`,
      [steps.map(String), steps],
    );
    expect(created).toHaveLength(7);
    for (const row of created) expect(row).toMatchObject({ actor_id: engineer, ip_address: expect.any(String), request_id: expect.any(String) });
  });

  it('a step page shows that step with its checks; a viewer reads the routing and may change nothing', async () => {
    const step = await get('viewer', `routing/process_steps/${shop.routing[20]}`);
    expect(step.status).toBe(200);
    expect(step.body.stepId).toBe(shop.routing[20]);
    expect(step.body.steps).toHaveLength(1);
    expect(step.body.steps[0].checks.map((c: { description: string }) => c.description)).toEqual(['Pocket depth', 'Deburr edges']);
    expect(step.body.may).toEqual({ addStep: false, editStep: false, removeStep: false, addCheck: false, editCheck: false, removeCheck: false });
    const whole = await get('viewer', `routing/revisions/${shop.revisionId}`);
    expect(whole.body.steps.map((s: { step_number: number }) => s.step_number)).toEqual([10, 20, 30, 40]);
  });

  it.each(['viewer', 'operator', 'quality', 'approver'] as const)(
    '%s: adding, changing or removing steps and checks is refused with 403, nothing written, the refusals audited',
    async (role) => {
      const revision = await draftRevision(`X${role.slice(0, 3).toUpperCase()}`);
      const step = shop.routing[20]!;
      const check = await one<{ id: number; version: number }>('SELECT id, version FROM sub_steps WHERE process_step_id = $1 AND sequence = 1', [step]);
      const stepVersion = (await one<{ version: number }>('SELECT version FROM process_steps WHERE id = $1', [step])).version;
      const before = {
        steps: await count('SELECT 1 FROM process_steps'),
        checks: await count('SELECT 1 FROM sub_steps'),
        step: await one('SELECT operation, version FROM process_steps WHERE id = $1', [step]),
        check: await one('SELECT description, version FROM sub_steps WHERE id = $1', [check.id]),
      };
      const user = t.users[role].id;
      const deniedBefore = (await deniedRows(user)).length;

      const answers = [
        await post(role, `routing/revisions/${revision}/steps`, { operation: 'Sneak in', work_center_id: String(shop.centers.mill) }),
        await post(role, `routing/process_steps/${step}/checks`, { description: 'Sneak in' }),
        await post(role, `routing/process_steps/${step}`, { operation: 'Renamed', version: String(stepVersion) }),
        await post(role, `routing/sub_steps/${check.id}`, { description: 'Renamed', version: String(check.version) }),
        await post(role, `routing/sub_steps/${check.id}/delete`),
        await post(role, `routing/process_steps/${step}/delete`),
      ];
      for (const res of answers) {
        expect(res.status).toBe(403);
        expect(res.body.error).toMatch(new RegExp(`Your role \\(${role}\\) may not`));
      }
      expect({
        steps: await count('SELECT 1 FROM process_steps'),
        checks: await count('SELECT 1 FROM sub_steps'),
        step: await one('SELECT operation, version FROM process_steps WHERE id = $1', [step]),
        check: await one('SELECT description, version FROM sub_steps WHERE id = $1', [check.id]),
      }).toEqual(before);
      expect(await changesBy(user, 'process_steps')).toBe(0);
      expect(await changesBy(user, 'sub_steps')).toBe(0);
      const denied = (await deniedRows(user)).slice(deniedBefore);
      expect(denied.map((d) => [d.table_name, d.record_id])).toEqual([
        ['revisions', String(revision)],
        ['process_steps', String(step)],
        ['process_steps', String(step)],
        ['sub_steps', String(check.id)],
        ['sub_steps', String(check.id)],
        ['process_steps', String(step)],
      ]);
    },
  );

  it('bad input comes back per field, with the form’s words, and nothing is written', async () => {
    const revision = await draftRevision('C');
    const before = {
      steps: await count('SELECT 1 FROM process_steps'),
      checks: await count('SELECT 1 FROM sub_steps'),
      audit: await count('SELECT 1 FROM audit_logs WHERE action IN ($1, $2)', ['create', 'update']),
    };

    const empty = await post('engineer', `routing/revisions/${revision}/steps`, { operation: '', work_center_id: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.fields).toEqual({ operation: 'Operation is required', work_center_id: 'Work center is required' });

    const hours = await post('engineer', `routing/revisions/${revision}/steps`, {
      operation: 'Saw',
      work_center_id: String(shop.centers.mill),
      estimated_hours: 'two',
    });
    expect(hours.status).toBe(400);
    expect(hours.body.fields).toEqual({ estimated_hours: expect.stringMatching(/^Estimated hours must be a number/) });

    const taken = await post('engineer', `routing/revisions/${shop.revisionId}/steps`, {
      step_number: '20',
      operation: 'Again',
      work_center_id: String(shop.centers.mill),
    });
    // On a released revision this would be held for approval; the duplicate number is refused before that.
    expect(taken.status).toBe(400);
    expect(taken.body.fields).toEqual({ step_number: expect.stringMatching(/already has a step with th(at|is) number/) });

    const step = (await post('engineer', `routing/revisions/${revision}/steps`, { operation: 'Mill', work_center_id: String(shop.centers.mill) })).body
      .id as number;
    const afterStep = { steps: await count('SELECT 1 FROM process_steps'), checks: await count('SELECT 1 FROM sub_steps') };

    const reversed = await post('engineer', `routing/process_steps/${step}/checks`, { description: 'Width', lower_limit: '5', upper_limit: '4', unit: 'mm' });
    expect(reversed.status).toBe(400);
    expect(reversed.body.fields).toEqual({ upper_limit: 'Lower limit must not be greater than upper limit' });

    const unmeasured = await post('engineer', `routing/process_steps/${step}/checks`, { description: 'Width', requires_measurement: false, upper_limit: '4' });
    expect(unmeasured.status).toBe(400);
    expect(unmeasured.body.fields).toEqual({ requires_measurement: 'Limits can only be set on a sub-step that requires a measurement' });

    const blank = await post('engineer', `routing/process_steps/${step}/checks`, { description: '   ' });
    expect(blank.status).toBe(400);
    expect(Object.keys(blank.body.fields)).toEqual(['description']);

    expect({ steps: await count('SELECT 1 FROM process_steps'), checks: await count('SELECT 1 FROM sub_steps') }).toEqual(afterStep);
    expect(afterStep.steps).toBe(before.steps + 1);
    // The one step that was saved wrote its own rows; the refusals wrote none.
    const writes = await count('SELECT 1 FROM audit_logs WHERE action IN ($1, $2)', ['create', 'update']);
    expect(writes - before.audit).toBe(
      await count(`SELECT 1 FROM audit_logs WHERE action = 'create' AND table_name = 'process_steps' AND record_id = $1`, [String(step)]),
    );
  });

  it('the parent is the one in the address: a body that names another revision or step changes nothing about where the row goes', async () => {
    const revision = await draftRevision('D');
    const res = await post('engineer', `routing/revisions/${revision}/steps`, {
      operation: 'Saw',
      work_center_id: String(shop.centers.mill),
      revision_id: String(shop.revisionId),
    });
    expect(res.status).toBe(201);
    expect(await one('SELECT revision_id FROM process_steps WHERE id = $1', [res.body.id])).toEqual({ revision_id: revision });
    const check = await post('engineer', `routing/process_steps/${res.body.id}/checks`, { description: 'Length', process_step_id: String(shop.routing[20]) });
    expect(check.status).toBe(201);
    expect(await one('SELECT process_step_id FROM sub_steps WHERE id = $1', [check.body.id])).toEqual({ process_step_id: res.body.id });
  });

  it('changes and removes rows in place, with the version read: a stale change is refused, a removed step takes its checks along, audited', async () => {
    const revision = await draftRevision('E');
    const step = (await post('engineer', `routing/revisions/${revision}/steps`, { operation: 'Turn', work_center_id: String(shop.centers.mill) })).body
      .id as number;
    const first = (await post('engineer', `routing/process_steps/${step}/checks`, { description: 'OD', lower_limit: '24.98', upper_limit: '25' })).body
      .id as number;
    const second = (await post('engineer', `routing/process_steps/${step}/checks`, { description: 'Chamfer' })).body.id as number;
    const { version } = await one<{ version: number }>('SELECT version FROM process_steps WHERE id = $1', [step]);

    const renamed = await post('engineer', `routing/process_steps/${step}`, {
      operation: 'Turn OD and face',
      work_center_id: String(shop.centers.inspect),
      version: String(version),
    });
    expect(renamed.status).toBe(200);
    expect(await one('SELECT operation, work_center_id FROM process_steps WHERE id = $1', [step])).toEqual({
      operation: 'Turn OD and face',
      work_center_id: shop.centers.inspect,
    });

    const stale = await post('engineer', `routing/process_steps/${step}`, { operation: 'Lost update', version: String(version) });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/changed by someone else/);
    expect(await one('SELECT operation FROM process_steps WHERE id = $1', [step])).toEqual({ operation: 'Turn OD and face' });

    const unversioned = await post('engineer', `routing/sub_steps/${first}`, { upper_limit: '25.01' });
    expect(unversioned.status).toBe(400);
    expect(Object.keys(unversioned.body.fields)).toEqual(['version']);

    const checkVersion = (await one<{ version: number }>('SELECT version FROM sub_steps WHERE id = $1', [first])).version;
    const limit = await post('engineer', `routing/sub_steps/${first}`, { upper_limit: '25.01', version: String(checkVersion) });
    expect(limit.status).toBe(200);
    expect(await one('SELECT upper_limit::text AS upper FROM sub_steps WHERE id = $1', [first])).toEqual({ upper: '25.0100' });

    expect((await post('engineer', `routing/sub_steps/${second}/delete`)).status).toBe(200);
    expect(await count('SELECT 1 FROM sub_steps WHERE id = $1', [second])).toBe(0);
    expect((await post('engineer', `routing/process_steps/${step}/delete`)).status).toBe(200);
    expect(await count('SELECT 1 FROM process_steps WHERE id = $1', [step])).toBe(0);
    expect(await count('SELECT 1 FROM sub_steps WHERE id = $1', [first])).toBe(0);
    const deletions = await rows<{ table_name: string; record_id: string; actor_id: number }>(
      `SELECT DISTINCT table_name, record_id, actor_id FROM audit_logs WHERE action = 'delete' AND ((table_name = 'sub_steps' AND record_id = ANY($1)) OR (table_name = 'process_steps' AND record_id = $2)) ORDER BY table_name, record_id`,
      [[String(first), String(second)], String(step)],
    );
    expect(deletions).toHaveLength(3);
    expect(deletions).toEqual(
      expect.arrayContaining([
        { table_name: 'process_steps', record_id: String(step), actor_id: t.users.engineer.id },
        { table_name: 'sub_steps', record_id: String(first), actor_id: t.users.engineer.id },
        { table_name: 'sub_steps', record_id: String(second), actor_id: t.users.engineer.id },
      ]),
    );
    expect((await post('engineer', `routing/process_steps/${step}/delete`)).status).toBe(404);
  });

  it('on a released revision a new step or check is held for approval, and the answer says so with the request', async () => {
    const routing = await get('engineer', `routing/revisions/${shop.revisionId}`);
    expect(routing.body.approval.steps).toMatch(/Editing the routing of a released revision needs approval/);
    expect(routing.body.approval.checks).toMatch(/Editing the checks in the routing of a released revision needs approval/);
    const before = {
      steps: await count('SELECT 1 FROM process_steps WHERE revision_id = $1', [shop.revisionId]),
      checks: await count('SELECT 1 FROM sub_steps WHERE process_step_id = $1', [shop.routing[40]]),
    };

    const step = await post('engineer', `routing/revisions/${shop.revisionId}/steps`, {
      operation: 'Passivate',
      work_center_id: String(shop.centers.mill),
      change_reason: 'Customer spec change',
    });
    expect(step.status).toBe(202);
    expect(step.body).toMatchObject({
      status: 'submitted',
      message: expect.stringMatching(/Submitted for approval as request #\d+/),
      approvalId: expect.any(Number),
    });
    expect(
      await one('SELECT status, rule, target_table, parent_table, parent_id, reason, requested_by_id FROM approvals WHERE id = $1', [step.body.approvalId]),
    ).toEqual({
      status: 'pending',
      rule: 'routing.released_revision',
      target_table: 'process_steps',
      parent_table: 'revisions',
      parent_id: shop.revisionId,
      reason: 'Customer spec change',
      requested_by_id: t.users.engineer.id,
    });

    const check = await post('engineer', `routing/process_steps/${shop.routing[40]}/checks`, { description: 'Thread gauge' });
    expect(check.status).toBe(202);
    expect(await one('SELECT rule FROM approvals WHERE id = $1', [check.body.approvalId])).toEqual({ rule: 'routing.released_revision_checks' });
    expect({
      steps: await count('SELECT 1 FROM process_steps WHERE revision_id = $1', [shop.revisionId]),
      checks: await count('SELECT 1 FROM sub_steps WHERE process_step_id = $1', [shop.routing[40]]),
    }).toEqual(before);
  });
});

describe('additions held for approval are numbered past each other', () => {
  it('two held checks get sequences 2 and 3, two held steps 50 and 60; the editor offers the next free ones; approved, a check lands with its own number', async () => {
    const held = await buildShop(t.db, 'HN');
    const step40 = held.routing[40]!;
    const requested = async (res: { status: number; body: { approvalId?: number } }) => {
      expect(res.status).toBe(202);
      return one<{ id: number; changes: Record<string, { new: unknown }> }>('SELECT id, changes FROM approvals WHERE id = $1', [res.body.approvalId]);
    };
    const firstCheck = await requested(await post('engineer', `routing/process_steps/${step40}/checks`, { description: 'Thread gauge' }));
    const secondCheck = await requested(await post('engineer', `routing/process_steps/${step40}/checks`, { description: 'Torque check' }));
    expect([firstCheck.changes.sequence?.new, secondCheck.changes.sequence?.new]).toEqual([2, 3]);
    const firstStep = await requested(
      await post('engineer', `routing/revisions/${held.revisionId}/steps`, { operation: 'Passivate', work_center_id: String(held.centers.mill) }),
    );
    const secondStep = await requested(
      await post('engineer', `routing/revisions/${held.revisionId}/steps`, { operation: 'Laser mark', work_center_id: String(held.centers.mill) }),
    );
    expect([firstStep.changes.step_number?.new, secondStep.changes.step_number?.new]).toEqual([50, 60]);

    // The editor's next numbers step over them; a number a request already gives is refused at the field.
    const routing = await get('engineer', `routing/revisions/${held.revisionId}`);
    expect(routing.body.nextStepNumber).toBe(70);
    expect(routing.body.steps.find((s: { id: number }) => s.id === step40).nextSequence).toBe(4);
    const requests = await count('SELECT 1 FROM approvals');
    const taken = await post('engineer', `routing/process_steps/${step40}/checks`, { description: 'Again', sequence: '3' });
    expect(taken.status).toBe(400);
    expect(taken.body.fields).toEqual({
      sequence: `A change waiting for approval (request #${secondCheck.id}) already gives that number (the next free one is 4)`,
    });
    const takenStep = await post('engineer', `routing/revisions/${held.revisionId}/steps`, {
      operation: 'Again',
      work_center_id: String(held.centers.mill),
      step_number: '50',
    });
    expect(takenStep.status).toBe(400);
    expect(takenStep.body.fields).toEqual({
      step_number: `A change waiting for approval (request #${firstStep.id}) already gives that number (the next free one is 70)`,
    });
    expect(await count('SELECT 1 FROM approvals')).toBe(requests);

    // Another step's checks and another revision's steps are numbered on their own.
    const other = await buildShop(t.db, 'HO');
    expect((await get('engineer', `routing/revisions/${other.revisionId}`)).body.nextStepNumber).toBe(50);
    expect(routing.body.steps.find((s: { step_number: number }) => s.step_number === 20).nextSequence).toBe(3);

    // Approved, a held check lands with the number it was asked with: 3, while 2 is still asked for.
    await decide(t.db.sequelize, 'approve', { approvalId: secondCheck.id, actor: testActor(t.users.quality), password: TEST_PASSWORD });
    expect(await rows('SELECT sequence, description FROM sub_steps WHERE process_step_id = $1 ORDER BY sequence', [step40])).toEqual([
      { sequence: 1, description: 'Visual check' },
      { sequence: 3, description: 'Torque check' },
    ]);
    // Each request binds to the whole routing of the released revision as it was asked on
    // (approval_content_hash): once one is applied, the others are refused as stale, by that rule.
    for (const request of [firstCheck, firstStep, secondStep]) {
      await expect(
        decide(t.db.sequelize, 'approve', { approvalId: request.id, actor: testActor(t.users.quality), password: TEST_PASSWORD }),
      ).rejects.toMatchObject({ code: 'stale' });
    }
    expect(await count('SELECT 1 FROM process_steps WHERE revision_id = $1', [held.revisionId])).toBe(4);
    // Asked again, nothing pending: the next free numbers after what the routing holds.
    const again = await requested(await post('engineer', `routing/process_steps/${step40}/checks`, { description: 'Thread gauge' }));
    expect(again.changes.sequence?.new).toBe(4);
    await decide(t.db.sequelize, 'approve', { approvalId: again.id, actor: testActor(t.users.quality), password: TEST_PASSWORD });
    expect(await rows('SELECT sequence FROM sub_steps WHERE process_step_id = $1 ORDER BY sequence', [step40])).toEqual([
      { sequence: 1 },
      { sequence: 3 },
      { sequence: 4 },
    ]);
  });
});

describe('a part’s revisions and a work order’s travelers on their pages', () => {
  it('lists a part’s revisions with their routing size; an engineer adds a draft revision in place; bad codes and other roles are refused', async () => {
    const list = await get('viewer', `children/parts/${shop.partId}`);
    expect(list.status).toBe(200);
    expect(list.body.may).toEqual({ addRevision: false });
    const released = list.body.revisions.find((r: { revision_code: string }) => r.revision_code === 'A');
    expect(released).toMatchObject({ status: 'released', steps: 4, checks: 3 });

    const added = await post('engineer', `children/parts/${shop.partId}/revisions`, { revision_code: 'k', notes: 'ECO-9', status: 'released', part_id: '999' });
    expect(added.status).toBe(201);
    expect(await one('SELECT part_id, revision_code, status, notes FROM revisions WHERE id = $1', [added.body.id])).toEqual({
      part_id: shop.partId,
      revision_code: 'K',
      status: 'draft',
      notes: 'ECO-9',
    });

    const bad = await post('engineer', `children/parts/${shop.partId}/revisions`, { revision_code: 'K' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual({ revision_code: expect.stringMatching(/already has a revision with th(at|is) code/) });

    const revisions = await count('SELECT 1 FROM revisions');
    const viewer = await post('viewer', `children/parts/${shop.partId}/revisions`, { revision_code: 'Z' });
    expect(viewer.status).toBe(403);
    expect(await count('SELECT 1 FROM revisions')).toBe(revisions);
    expect((await deniedRows(t.users.viewer.id)).at(-1)).toMatchObject({ table_name: 'parts', record_id: String(shop.partId) });
  });

  it('lists a work order’s travelers; Create traveler is offered to planners only', async () => {
    const { createTravelerFromWorkOrder } = await import('../src/travelers/traveler-creation.service.js');
    const traveler = await createTravelerFromWorkOrder(t.db.sequelize, shop.workOrderId, { quantity: 5 }, testActor(t.users.engineer));
    const engineer = await get('engineer', `children/work_orders/${shop.workOrderId}`);
    expect(engineer.status).toBe(200);
    expect(engineer.body).toMatchObject({ remainingQuantity: 15, more: false, may: { createTraveler: true } });
    expect(engineer.body.travelers).toEqual([
      expect.objectContaining({ id: traveler.id, number: traveler.number, status: 'draft', quantity: 5, revision: 'P-RE rev A', steps: 4, steps_done: 0 }),
    ]);
    const viewer = await get('viewer', `children/work_orders/${shop.workOrderId}`);
    expect(viewer.body.may).toEqual({ createTraveler: false });
    expect((await get('viewer', 'children/work_orders/2147483647')).status).toBe(404);
  });
});

describe('Release and Make obsolete', () => {
  it('the edit form no longer offers the status: it moves with the actions', () => {
    const { options } = revisionResource(t.ctx);
    expect(options.editProperties).not.toContain('status');
    expect(Object.keys(options.actions ?? {})).toEqual(expect.arrayContaining(['release', 'obsolete']));
  });

  it('the generic edit and create refuse a status at the field (400), writing nothing, asking nothing, auditing no change', async () => {
    const revision = await draftRevision('GE');
    const before = await one('SELECT status, notes, effective_date, version FROM revisions WHERE id = $1', [revision]);
    const requests = await count('SELECT 1 FROM approvals');
    const changes = () => count(`SELECT 1 FROM audit_logs WHERE table_name = 'revisions' AND action IN ('create', 'update')`);
    const audited = await changes();
    for (const role of ['engineer', 'admin'] as const) {
      for (const status of ['released', 'obsolete']) {
        const res = await agents[role]
          .post(`/admin/api/resources/revisions/records/${revision}/edit`)
          .field('version', String(before.version))
          .field('status', status)
          .field('effective_date', '2031-02-03')
          .field('notes', 'Typed with the status');
        expect(res.status).toBe(400);
        expect(res.body.record.errors.status.message).toBe('The status changes through Release and Make obsolete, not by editing');
      }
    }
    const created = await agents.engineer
      .post('/admin/api/resources/revisions/actions/new')
      .field('part_id', String(shop.partId))
      .field('revision_code', 'GN')
      .field('status', 'released')
      .field('effective_date', '2031-02-03');
    expect(created.status).toBe(400);
    expect(created.body.record.errors.status.message).toBe('The status changes through Release and Make obsolete, not by editing');
    expect(await one('SELECT status, notes, effective_date, version FROM revisions WHERE id = $1', [revision])).toEqual(before);
    expect(await count(`SELECT 1 FROM revisions WHERE part_id = $1 AND revision_code = 'GN'`, [shop.partId])).toBe(0);
    expect(await count('SELECT 1 FROM approvals')).toBe(requests);
    expect(await changes()).toBe(audited);

    // The form's echo of the status it showed changes nothing and is let through with the rest.
    const echoed = await agents.engineer
      .post(`/admin/api/resources/revisions/records/${revision}/edit`)
      .field('version', String(before.version))
      .field('status', 'draft')
      .field('notes', 'ECO-12');
    expect(echoed.status).toBe(200);
    expect(await one('SELECT status, notes FROM revisions WHERE id = $1', [revision])).toEqual({ status: 'draft', notes: 'ECO-12' });

    // Scripts are held to the workflow too, and the model refuses a revision made anything but a draft.
    const { createRecord } = await import('../src/records/record.service.js');
    const { systemActor } = await import('../src/audit/actor.js');
    const { Revision } = await import('../src/models/index.js');
    await expect(
      createRecord(
        Revision as never,
        { part_id: shop.partId, revision_code: 'GS', status: 'released', effective_date: '2031-02-03' },
        systemActor('test:script'),
      ),
    ).rejects.toMatchObject({
      fields: { status: 'The status changes through Release and Make obsolete, not by editing' },
    });
    await expect(Revision.create({ part_id: shop.partId, revision_code: 'GM', status: 'obsolete' } as never)).rejects.toMatchObject({
      errors: [expect.objectContaining({ path: 'status', message: expect.stringMatching(/^A new revision starts as a draft, not obsolete/) })],
    });
    expect(await count(`SELECT 1 FROM revisions WHERE part_id = $1 AND revision_code IN ('GS', 'GM')`, [shop.partId])).toBe(0);
  });

  it('the database refuses a revision inserted released or obsolete by raw SQL as the runtime role; a draft inserted then released is let through', async () => {
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    const asRuntime = async (statements: Array<[string, unknown[]]>) => {
      const role = (await client.query<{ app_role: string }>('SELECT app_role FROM nexus_roles')).rows[0]!.app_role;
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL ROLE ${role}`);
        await client.query(`SELECT set_config('nexus.actor', $1, true)`, [JSON.stringify({ kind: 'system', name: 'psql' })]);
        for (const [sql, params] of statements) await client.query(sql, params);
        await client.query('COMMIT');
        return null;
      } catch (error) {
        await client.query('ROLLBACK');
        return error as { code?: string; message: string };
      }
    };
    try {
      const part = (await one<{ id: number }>(`INSERT INTO parts (part_number, description) VALUES ('RAW-1', 'Raw insert test') RETURNING id`)).id;
      const audited = await count(`SELECT 1 FROM audit_logs WHERE table_name = 'revisions'`);
      for (const status of ['released', 'obsolete']) {
        expect(
          await asRuntime([[`INSERT INTO revisions (part_id, revision_code, status, effective_date) VALUES ($1, 'A', $2, '2031-02-03')`, [part, status]]]),
        ).toMatchObject({
          code: 'NXT01',
          message: `A new revision starts as a draft, not ${status}`,
        });
      }
      expect(await count('SELECT 1 FROM revisions WHERE part_id = $1', [part])).toBe(0);
      expect(await count(`SELECT 1 FROM audit_logs WHERE table_name = 'revisions'`)).toBe(audited);
      expect(
        await asRuntime([
          [`INSERT INTO revisions (part_id, revision_code, effective_date) VALUES ($1, 'A', '2031-02-03')`, [part]],
          [`UPDATE revisions SET status = 'released' WHERE part_id = $1`, [part]],
        ]),
      ).toBeNull();
    } finally {
      await client.end();
    }
    expect(await rows(`SELECT r.status FROM revisions r JOIN parts p ON p.id = r.part_id WHERE p.part_number = 'RAW-1'`)).toEqual([{ status: 'released' }]);
  });

  it('an engineer asks for a release: a request, not a change; approved, the revision is released and the one before becomes obsolete; all audited', async () => {
    const part = (await one<{ id: number }>(`INSERT INTO parts (part_number, description) VALUES ('REL-1', 'Release test') RETURNING id`)).id;
    const old = await releasedRevision(part, 'A');
    const revision = await draftRevision('B', part);
    await post('engineer', `routing/revisions/${revision}/steps`, { operation: 'Saw', work_center_id: String(shop.centers.mill) });
    const { version } = await one<{ version: number }>('SELECT version FROM revisions WHERE id = $1', [revision]);

    const form = await agents.engineer.get(`/admin/api/resources/revisions/records/${revision}/release`);
    expect(form.status).toBe(200);
    expect(form.body.plan).toMatchObject({
      title: 'REL-1 rev B',
      steps: 1,
      released: 'REL-1 rev A',
      refusal: null,
      approval: expect.stringMatching(/^Releasing a part revision.*needs a second person's signature \(approver, quality or admin\)/),
    });
    expect(await one('SELECT status FROM revisions WHERE id = $1', [revision])).toEqual({ status: 'draft' });

    const asked = await agents.engineer
      .post(`/admin/api/resources/revisions/records/${revision}/release`)
      .send({ effective_date: '2031-02-03', reason: 'ECO-77 approved by customer', version: String(version) });
    expect(asked.status).toBe(200);
    expect(asked.body.notice).toMatchObject({ type: 'info', message: expect.stringMatching(/Submitted for approval as request #\d+/) });
    const request = await one<{ id: number; rule: string; status: string; changes: unknown; reason: string; parent_table: string; parent_id: number }>(
      'SELECT id, rule, status, changes, reason, parent_table, parent_id FROM approvals WHERE id = $1',
      [asked.body.approvalId],
    );
    expect(request).toMatchObject({
      rule: 'revision.release',
      status: 'pending',
      changes: { status: { old: 'draft', new: 'released' }, effective_date: { old: null, new: '2031-02-03' } },
      reason: 'ECO-77 approved by customer',
      parent_table: 'parts',
      parent_id: part,
    });
    expect(await one('SELECT status, effective_date FROM revisions WHERE id = $1', [revision])).toEqual({ status: 'draft', effective_date: null });
    expect(await count(`SELECT 1 FROM audit_logs WHERE table_name = 'revisions' AND record_id = $1 AND action = 'update'`, [String(revision)])).toBe(0);

    // Asked twice: refused while the first request waits.
    const again = await agents.engineer
      .post(`/admin/api/resources/revisions/records/${revision}/release`)
      .send({ effective_date: '2031-02-03', version: String(version) });
    expect(again.status).toBe(409);
    expect(again.body.notice.message).toMatch(new RegExp(`already waiting for approval \\(request #${request.id}\\)`));

    await decide(t.db.sequelize, 'approve', { approvalId: request.id, actor: testActor(t.users.approver), password: TEST_PASSWORD });
    expect(await rows('SELECT id, status FROM revisions WHERE part_id = $1 ORDER BY id', [part])).toEqual([
      { id: old, status: 'obsolete' },
      { id: revision, status: 'released' },
    ]);
    const audit = await rows<{ record_id: string; field_name: string; new_value: string; actor_id: number; approval_id: number | null }>(
      // The people's changes, not the test system's release of rev A in the setup.
      `SELECT record_id, field_name, new_value, actor_id, approval_id FROM audit_logs WHERE table_name = 'revisions' AND action = 'update' AND record_id = ANY($1) AND field_name IN ('status', 'effective_date') AND actor_id IS NOT NULL ORDER BY record_id, field_name`,
      [[String(old), String(revision)]],
    );
    expect(audit).toEqual([
      { record_id: String(old), field_name: 'status', new_value: 'obsolete', actor_id: t.users.approver.id, approval_id: request.id },
      { record_id: String(revision), field_name: 'effective_date', new_value: '2031-02-03', actor_id: t.users.approver.id, approval_id: request.id },
      { record_id: String(revision), field_name: 'status', new_value: 'released', actor_id: t.users.approver.id, approval_id: request.id },
    ]);
  });

  it('refuses a release without an effective date at the field, without a routing, or from obsolete; nothing asked', async () => {
    const revision = await draftRevision('F');
    const requests = await count('SELECT 1 FROM approvals');
    const empty = await agents.engineer.post(`/admin/api/resources/revisions/records/${revision}/release`).send({ effective_date: '' });
    expect(empty.status).toBe(409);
    expect(empty.body.notice.message).toMatch(/has no routing steps/);

    await post('engineer', `routing/revisions/${revision}/steps`, { operation: 'Saw', work_center_id: String(shop.centers.mill) });
    const undated = await agents.engineer.post(`/admin/api/resources/revisions/records/${revision}/release`).send({ effective_date: '' });
    expect(undated.status).toBe(400);
    expect(undated.body.record.errors.effective_date.message).toMatch(/needs an effective date/);
    const badDate = await agents.engineer.post(`/admin/api/resources/revisions/records/${revision}/release`).send({ effective_date: '2031-02-30' });
    expect(badDate.status).toBe(400);
    expect(badDate.body.record.errors.effective_date.message).toMatch(/must be a date/);

    await t.db.query(`UPDATE revisions SET status = 'obsolete' WHERE id = $1`, [revision]);
    const obsolete = await agents.engineer.post(`/admin/api/resources/revisions/records/${revision}/release`).send({ effective_date: '2031-02-03' });
    expect(obsolete.status).toBe(409);
    expect(obsolete.body.notice.message).toMatch(/is obsolete: it is not released again/);
    expect(await count('SELECT 1 FROM approvals')).toBe(requests);
    expect(await one('SELECT status FROM revisions WHERE id = $1', [revision])).toEqual({ status: 'obsolete' });
  });

  it.each(['viewer', 'operator', 'quality', 'approver'] as const)('%s may not release or make obsolete (403, audited, nothing changed)', async (role) => {
    const revision = await draftRevision(`R${role.slice(0, 3).toUpperCase()}`);
    await post('engineer', `routing/revisions/${revision}/steps`, { operation: 'Saw', work_center_id: String(shop.centers.mill) });
    const requests = await count('SELECT 1 FROM approvals');
    const before = await one('SELECT status, version FROM revisions WHERE id = $1', [revision]);
    const deniedBefore = (await deniedRows(t.users[role].id)).length;
    for (const action of ['release', 'obsolete']) {
      const res = await agents[role].post(`/admin/api/resources/revisions/records/${revision}/${action}`).send({ effective_date: '2031-02-03' });
      expect(res.status).toBe(403);
    }
    expect(await one('SELECT status, version FROM revisions WHERE id = $1', [revision])).toEqual(before);
    expect(await count('SELECT 1 FROM approvals')).toBe(requests);
    expect(await count(`SELECT 1 FROM audit_logs WHERE table_name = 'revisions' AND record_id = $1 AND action = 'update'`, [String(revision)])).toBe(0);
    const denied = (await deniedRows(t.users[role].id)).slice(deniedBefore);
    expect(denied.map((d) => [d.table_name, d.record_id])).toEqual([
      ['revisions', String(revision)],
      ['revisions', String(revision)],
    ]);
  });

  it('Make obsolete applies at once (no rule holds it), audited as the engineer’s; a second time is refused', async () => {
    const part = (await one<{ id: number }>(`INSERT INTO parts (part_number, description) VALUES ('OBS-1', 'Obsolete test') RETURNING id`)).id;
    const revision = await one<{ id: number; version: number }>('SELECT id, version FROM revisions WHERE id = $1', [await releasedRevision(part, 'A')]);
    const res = await agents.engineer
      .post(`/admin/api/resources/revisions/records/${revision.id}/obsolete`)
      .send({ reason: 'Part discontinued', version: String(revision.version) });
    expect(res.status).toBe(200);
    expect(res.body.notice).toMatchObject({ type: 'success', message: 'Revision OBS-1 rev A is obsolete: no new work is made from it.' });
    expect(await one('SELECT status FROM revisions WHERE id = $1', [revision.id])).toEqual({ status: 'obsolete' });
    // After the test system's release in the setup (no actor id), the engineer's.
    expect(
      await rows(
        `SELECT field_name, old_value, new_value, actor_id FROM audit_logs WHERE table_name = 'revisions' AND record_id = $1 AND action = 'update' AND field_name = 'status' ORDER BY id`,
        [String(revision.id)],
      ),
    ).toEqual([
      { field_name: 'status', old_value: 'draft', new_value: 'released', actor_id: null },
      { field_name: 'status', old_value: 'released', new_value: 'obsolete', actor_id: t.users.engineer.id },
    ]);
    const twice = await agents.engineer.post(`/admin/api/resources/revisions/records/${revision.id}/obsolete`).send({});
    expect(twice.status).toBe(409);
    const stale = await agents.engineer.post(`/admin/api/resources/revisions/records/${revision.id}/release`).send({ version: String(revision.version) });
    expect(stale.status).toBe(409);
  });
});
