import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type TestAgent from 'supertest/lib/agent.js';
import { ApprovalRefused, decide } from '../src/approvals/approval-decision.service.js';
import { systemActor, type UserActor } from '../src/audit/actor.js';
import type { Role } from '../src/auth/roles.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { User } from '../src/models/index.js';
import { startStep } from '../src/travelers/step-work.service.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, TEST_PASSWORD, testActor, type TestApp } from './support/test-app.js';

/**
 * Changes that need approval, through the panel and the services, on a test floor
 * (test/support/floor-fixtures.ts): its released traveler takes the quantity changes, its running
 * one the content changes of a traveler at work, its manifold's draft revision C the release.
 */
let t: TestApp;
let floor: Floor;
let secondAdmin: { id: number; username: string };
const agents = {} as Record<Role, TestAgent>;

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return (await one<{ n: number }>(sql, params)).n;
}

/** Edits a record through the panel API as the form would (with the version it was loaded with). */
async function edit(role: Role, resource: string, id: number, fields: Record<string, string | number>) {
  const shown = await agents[role].get(`/admin/api/resources/${resource}/records/${id}/show`);
  let req = agents[role].post(`/admin/api/resources/${resource}/records/${id}/edit`).field('version', shown.body.record.params.version);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, String(v));
  return req;
}

function decideOverHttp(role: Role, approvalId: number, action: 'approve' | 'reject' | 'withdraw', fields: Record<string, string> = {}) {
  let req = agents[role].post(`/admin/api/resources/approvals/records/${approvalId}/${action}`);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  return req;
}

/** A fresh request: the engineer changes the quantity of a released traveler. */
async function requestQuantityChange(quantity: number): Promise<number> {
  const res = await edit('engineer', 'travelers', floor.released.id, { quantity });
  expect(res.body.notice).toMatchObject({ type: 'info' });
  return Number(res.body.approvalId);
}

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  // Four eyes hold for administrators too: a second one besides the test app's one per role.
  const user = await inTransaction(t.db.sequelize, systemActor('test:setup'), (options) =>
    User.create(
      { username: 'admin2.user', email: 'admin2@test.example', full_name: 'Test admin two', role: 'admin', password: TEST_PASSWORD } as never,
      options,
    ),
  );
  secondAdmin = { id: user.id, username: user.username };
  for (const role of ['admin', 'engineer', 'approver', 'operator', 'quality'] as Role[]) agents[role] = await t.signIn(role);
});
afterAll(async () => {
  await t.close();
});

describe('a change that needs approval is not applied', () => {
  it('creates a request with the exact diff and base version, leaves the record unchanged, and queues mail for the approvers', async () => {
    const id = floor.released.id;
    const before = await one<{ quantity: number; version: number }>('SELECT quantity, version FROM travelers WHERE id = $1', [id]);
    const res = await edit('engineer', 'travelers', id, { quantity: before.quantity + 10, change_reason: 'Customer PO change 3 adds 10 pieces' });
    // Accepted, not done: the body says which request to follow.
    expect(res.status).toBe(202);
    expect(res.body.notice).toMatchObject({ type: 'info', message: expect.stringMatching(/^Submitted for approval as request #\d+/) });
    expect(res.body.redirectUrl).toMatch(/\/admin\/resources\/approvals\/records\/\d+\/show$/);

    const after = await one<{ quantity: number; version: number }>('SELECT quantity, version FROM travelers WHERE id = $1', [id]);
    expect(after).toEqual(before);
    const approval = await one<Record<string, unknown>>('SELECT * FROM approvals WHERE id = $1', [res.body.approvalId]);
    expect(approval).toMatchObject({
      status: 'pending',
      target_table: 'travelers',
      target_id: id,
      operation: 'update',
      changes: { quantity: { old: before.quantity, new: before.quantity + 10 } },
      base_version: before.version,
      requested_by_id: t.users.engineer.id,
      rule: 'traveler.locked_content',
      reason: 'Customer PO change 3 adds 10 pieces',
    });

    const mail = (
      await t.db.query<{ recipient: string; subject: string }>(
        `SELECT u.username AS recipient, m.subject FROM mail_outbox m JOIN users u ON u.id = m.recipient_id WHERE m.approval_id = $1 ORDER BY u.username`,
        [res.body.approvalId],
      )
    ).rows;
    // Every administrator and approver, nobody else (not the floor's engineer, operator or quality).
    expect(mail.map((m) => m.recipient)).toEqual(['admin.user', 'admin2.user', 'approver.user']);
    expect(mail[0]!.subject).toMatch(/approval needed/);
    // The request itself is in the audit trail, by the engineer.
    expect(
      await count(`SELECT count(*)::int AS n FROM audit_logs WHERE table_name = 'approvals' AND record_id = $1 AND action = 'create' AND actor_id = $2`, [
        String(res.body.approvalId),
        t.users.engineer.id,
      ]),
    ).toBeGreaterThan(0);
  });

  it('the record tells whoever may read approvals that a change is waiting', async () => {
    const approvalId = await requestQuantityChange(777);
    const id = floor.released.id;
    const seen = await agents.quality.get(`/admin/api/resources/travelers/records/${id}/pendingChanges`);
    expect(seen.status).toBe(200);
    expect(seen.body.pending.map((p: { id: number }) => p.id)).toContain(approvalId);
    const viewer = await t.signIn('viewer');
    const hidden = await viewer.get(`/admin/api/resources/travelers/records/${id}/pendingChanges`);
    expect(hidden.body.pending).toEqual([]);
  });

  it('changes that are work on the floor, not content, need no approval (starting a step)', async () => {
    const step = floor.released.steps[10]!;
    const requests = await count('SELECT count(*)::int AS n FROM approvals');
    await startStep(t.db.sequelize, { kind: 'routing', id: step }, testActor(t.users.operator));
    expect((await one<{ status: string }>('SELECT status FROM traveler_steps WHERE id = $1', [step])).status).toBe('in_progress');
    expect(await count('SELECT count(*)::int AS n FROM approvals')).toBe(requests);
    // The same through a generic edit form is refused on the field: work has its own actions.
    const other = floor.released.steps[50]!;
    const res = await edit('admin', 'traveler_steps', other, { status: 'in_progress', started_at: '2026-11-20T08:00:00.000Z' });
    expect(res.body.record.errors.status.message).toMatch(/started and signed off with their actions/);
    expect((await one<{ status: string }>('SELECT status FROM traveler_steps WHERE id = $1', [other])).status).toBe('pending');
  });
});

describe('approving', () => {
  it('applies exactly the diff, signed, with the change’s audit rows pointing to the request', async () => {
    const approvalId = await requestQuantityChange(275);
    const res = await decideOverHttp('approver', approvalId, 'approve', { password: TEST_PASSWORD, comment: 'OK per PO change 3' });
    expect(res.status).toBe(200);
    expect(res.body.notice).toMatchObject({ type: 'success' });

    const traveler = await one<{ quantity: number }>('SELECT quantity FROM travelers WHERE id = $1', [floor.released.id]);
    expect(traveler.quantity).toBe(275);
    const approval = await one<Record<string, unknown>>('SELECT * FROM approvals WHERE id = $1', [approvalId]);
    expect(approval).toMatchObject({
      status: 'approved',
      decided_by_id: t.users.approver.id,
      signature_name: 'Test approver',
      signature_meaning: 'approved',
      decision_comment: 'OK per PO change 3',
    });
    expect(approval.signed_at).toBeInstanceOf(Date);
    const applied = (
      await t.db.query<{ approval_id: number; actor_id: number; old_value: string; new_value: string }>(
        `SELECT approval_id, actor_id, old_value, new_value FROM audit_logs WHERE table_name = 'travelers' AND field_name = 'quantity' AND new_value = '275'`,
      )
    ).rows;
    expect(applied).toEqual([{ approval_id: approvalId, actor_id: t.users.approver.id, old_value: expect.any(String), new_value: '275' }]);
    expect(
      await count(`SELECT count(*)::int AS n FROM mail_outbox WHERE approval_id = $1 AND recipient_id = $2 AND subject LIKE '%was approved'`, [
        approvalId,
        t.users.engineer.id,
      ]),
    ).toBe(1);
  });

  it('refuses a wrong password, records the failed signature, and changes nothing', async () => {
    const approvalId = await requestQuantityChange(300);
    const res = await decideOverHttp('approver', approvalId, 'approve', { password: 'not-my-password' });
    expect(res.status).toBe(401);
    expect(res.body.notice.message).toMatch(/password is not correct/);
    expect((await one<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [approvalId])).status).toBe('pending');
    expect((await one<{ quantity: number }>('SELECT quantity FROM travelers WHERE id = $1', [floor.released.id])).quantity).not.toBe(300);
    expect(
      await count(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'signature_failed' AND record_id = $1 AND actor_id = $2`, [
        String(approvalId),
        t.users.approver.id,
      ]),
    ).toBe(1);
  });

  it('never lets the requester approve their own request: not in the panel, not in the service, not in the database', async () => {
    const approvalId = await requestQuantityChange(301);
    expect((await decideOverHttp('engineer', approvalId, 'approve', { password: TEST_PASSWORD })).status).toBe(403);
    const engineer: UserActor = {
      kind: 'user',
      userId: t.users.engineer.id,
      username: 'engineer.user',
      fullName: 'Test engineer',
      email: 'engineer@test.example',
      role: 'approver',
      ip: null,
      userAgent: null,
      requestId: 'r',
    };
    await expect(decide(t.db.sequelize, 'approve', { approvalId, actor: engineer, password: TEST_PASSWORD })).rejects.toMatchObject({
      code: 'four_eyes',
      status: 403,
    });
    await expect(
      t.db.query(
        `UPDATE approvals SET status = 'approved', decided_by_id = requested_by_id, decided_at = now(), signature_name = 'x', signature_meaning = 'approved', signed_at = now() WHERE id = $1`,
        [approvalId],
      ),
    ).rejects.toMatchObject({ code: 'NXP01', message: expect.stringMatching(/decides their own request/) });
    expect((await one<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [approvalId])).status).toBe('pending');
  });

  it('refuses a stale request (the record changed since) and marks it stale', async () => {
    const approvalId = await requestQuantityChange(7);
    // Someone edits the traveler meanwhile (its notes are not locked content).
    const id = floor.released.id;
    expect((await edit('admin', 'travelers', id, { notes: 'Customer called about the due date' })).body.notice.type).toBe('success');
    const res = await decideOverHttp('approver', approvalId, 'approve', { password: TEST_PASSWORD });
    expect(res.status).toBe(409);
    expect(res.body.notice.message).toMatch(/stale/);
    expect((await one<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [approvalId])).status).toBe('stale');
    expect((await one<{ quantity: number }>('SELECT quantity FROM travelers WHERE id = $1', [id])).quantity).not.toBe(7);
  });

  it('applies the change exactly once when two approvers approve at the same moment', async () => {
    const approvalId = await requestQuantityChange(333);
    const results = await Promise.all([
      decideOverHttp('approver', approvalId, 'approve', { password: TEST_PASSWORD }),
      decideOverHttp('admin', approvalId, 'approve', { password: TEST_PASSWORD }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.notice.message).toMatch(/already approved/);
    expect(await count(`SELECT count(*)::int AS n FROM audit_logs WHERE table_name = 'travelers' AND field_name = 'quantity' AND new_value = '333'`)).toBe(1);
    // And a second decision from outside the service is refused by the database itself.
    await expect(t.db.query(`UPDATE approvals SET status = 'rejected' WHERE id = $1`, [approvalId])).rejects.toMatchObject({ code: 'NXP01' });
  });

  it('lets an operator do none of it: approve by direct call is 403 and changes nothing', async () => {
    const approvalId = await requestQuantityChange(400);
    const res = await decideOverHttp('operator', approvalId, 'approve', { password: TEST_PASSWORD });
    expect(res.status).toBe(403);
    expect((await one<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [approvalId])).status).toBe('pending');
  });

  it('a decision that rolls back notifies nobody', async () => {
    // A request whose change can no longer be applied: the revision belongs to another part.
    const id = floor.running.id;
    const res = await edit('engineer', 'travelers', id, { revision_id: floor.revisions.bracketA.id });
    const approvalId = Number(res.body.approvalId);
    expect(approvalId).toBeGreaterThan(0);
    const mailBefore = await count('SELECT count(*)::int AS n FROM mail_outbox');
    const decision = await decideOverHttp('approver', approvalId, 'approve', { password: TEST_PASSWORD });
    expect(decision.status).toBe(409);
    expect(await count('SELECT count(*)::int AS n FROM mail_outbox')).toBe(mailBefore);
    expect((await one<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [approvalId])).status).toBe('pending');
  });
});

describe('rejecting and withdrawing', () => {
  it('needs a reason to reject, then records the signed rejection and applies nothing', async () => {
    const approvalId = await requestQuantityChange(500);
    const without = await decideOverHttp('approver', approvalId, 'reject', { password: TEST_PASSWORD });
    expect(without.status).toBe(400);
    expect(without.body.notice.message).toMatch(/reason/);
    expect((await one<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [approvalId])).status).toBe('pending');
    const rejected = await decideOverHttp('approver', approvalId, 'reject', { password: TEST_PASSWORD, comment: 'Customer PO not received yet' });
    expect(rejected.status).toBe(200);
    expect(await one('SELECT status, signature_meaning, decision_comment FROM approvals WHERE id = $1', [approvalId])).toEqual({
      status: 'rejected',
      signature_meaning: 'rejected',
      decision_comment: 'Customer PO not received yet',
    });
    expect((await one<{ quantity: number }>('SELECT quantity FROM travelers WHERE id = $1', [floor.released.id])).quantity).not.toBe(500);
  });

  it('lets only the requester withdraw', async () => {
    const approvalId = await requestQuantityChange(501);
    expect((await decideOverHttp('approver', approvalId, 'withdraw')).status).toBe(403);
    expect((await decideOverHttp('engineer', approvalId, 'withdraw')).status).toBe(200);
    expect((await one<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [approvalId])).status).toBe('withdrawn');
  });
});

describe('the default policy', () => {
  it('a manual step added to an in-progress traveler is created only when approved', async () => {
    const id = floor.running.id;
    const before = await count('SELECT count(*)::int AS n FROM manual_steps WHERE traveler_id = $1', [id]);
    const res = await agents.engineer
      .post('/admin/api/resources/manual_steps/actions/new')
      .field('traveler_id', String(id))
      .field('after_step_number', '30')
      .field('operation', 'Extra leak test')
      .field('reason', 'Porosity found in the casting lot')
      .field('added_by_id', String(t.users.engineer.id))
      .field('status', 'pending');
    expect(res.body.notice.type).toBe('info');
    expect(await count('SELECT count(*)::int AS n FROM manual_steps WHERE traveler_id = $1', [id])).toBe(before);
    const approvalId = Number(res.body.approvalId);
    expect(await one('SELECT operation, target_id, parent_table, parent_id FROM approvals WHERE id = $1', [approvalId])).toEqual({
      operation: 'create',
      target_id: null,
      parent_table: 'travelers',
      parent_id: id,
    });
    expect((await decideOverHttp('approver', approvalId, 'approve', { password: TEST_PASSWORD })).status).toBe(200);
    const created = await one<{ applied_record_id: number }>('SELECT applied_record_id FROM approvals WHERE id = $1', [approvalId]);
    expect(await one('SELECT operation, traveler_id FROM manual_steps WHERE id = $1', [created.applied_record_id])).toEqual({
      operation: 'Extra leak test',
      traveler_id: id,
    });
  });

  it('releasing a revision makes the previously released one obsolete when approved', async () => {
    const draft = { id: floor.revisions.manifoldC.id, part_id: floor.parts.manifold.id };
    // With the Release action (the status is not a field of the edit form).
    const shown = await agents.engineer.get(`/admin/api/resources/revisions/records/${draft.id}/show`);
    const res = await agents.engineer
      .post(`/admin/api/resources/revisions/records/${draft.id}/release`)
      .send({ effective_date: '2026-12-01', version: String(shown.body.record.params.version) });
    expect(res.body.notice).toMatchObject({ type: 'info' });
    expect(await one('SELECT rule, status FROM approvals WHERE id = $1', [res.body.approvalId])).toEqual({ rule: 'revision.release', status: 'pending' });
    expect((await decideOverHttp('quality', Number(res.body.approvalId), 'approve', { password: TEST_PASSWORD })).status).toBe(200);
    const revisions = (
      await t.db.query<{ revision_code: string; status: string }>('SELECT revision_code, status FROM revisions WHERE part_id = $1 ORDER BY revision_code', [
        draft.part_id,
      ])
    ).rows;
    expect(revisions).toEqual([
      { revision_code: 'A', status: 'obsolete' },
      { revision_code: 'B', status: 'obsolete' },
      { revision_code: 'C', status: 'released' },
    ]);
  });

  it('the routing of a released revision and a released traveler’s checks are locked; a measurement is work, not an edit', async () => {
    const sub = await one<{ id: number; revision_id: number }>(
      `SELECT s.id, p.revision_id FROM sub_steps s JOIN process_steps p ON p.id = s.process_step_id JOIN revisions r ON r.id = p.revision_id
        WHERE r.id = $1 AND r.status = 'released' ORDER BY s.id LIMIT 1`,
      [floor.revisions.bracketA.id],
    );
    const routing = await edit('engineer', 'sub_steps', sub.id, { description: 'Bore diameter (re-measure)' });
    expect(routing.body.notice.type).toBe('info');
    expect(await one('SELECT rule, parent_table, parent_id FROM approvals WHERE id = $1', [routing.body.approvalId])).toEqual({
      rule: 'routing.released_revision_checks',
      parent_table: 'revisions',
      parent_id: sub.revision_id,
    });

    // A measured check of the running traveler's final inspection, not yet worked.
    const check = { id: floor.running.checks[50]![1]!, traveler_id: floor.running.id };
    const content = await edit('engineer', 'traveler_sub_steps', check.id, { description: 'Changed check' });
    expect(content.body.notice.type).toBe('info');
    expect(await one('SELECT rule, parent_id FROM approvals WHERE id = $1', [content.body.approvalId])).toEqual({
      rule: 'traveler.sub_steps',
      parent_id: check.traveler_id,
    });
    // Recording a measurement is the floor's work (the check's action), never a request or a form edit.
    const requests = await one<{ n: number }>('SELECT count(*)::int AS n FROM approvals');
    const measured = await edit('admin', 'traveler_sub_steps', check.id, { measured_value: '12.010' });
    expect(measured.body.record.errors.measured_value.message).toMatch(/recorded with the check/);
    expect(await one('SELECT count(*)::int AS n FROM approvals')).toEqual(requests);
    expect(await one('SELECT measured_value FROM traveler_sub_steps WHERE id = $1', [check.id])).toEqual({ measured_value: null });
  });

  it('a role change needs another administrator', async () => {
    const res = await edit('admin', 'users', t.users.viewer.id, { role: 'quality' });
    expect(res.body.notice.type).toBe('info');
    const approvalId = Number(res.body.approvalId);
    expect((await one<{ role: string }>('SELECT role FROM users WHERE id = $1', [t.users.viewer.id])).role).toBe('viewer');
    // An approver may not decide it; the requesting admin may not either.
    expect((await decideOverHttp('approver', approvalId, 'approve', { password: TEST_PASSWORD })).status).toBe(403);
    expect((await decideOverHttp('admin', approvalId, 'approve', { password: TEST_PASSWORD })).status).toBe(403);
    // Another administrator can.
    const actor: UserActor = {
      kind: 'user',
      userId: secondAdmin.id,
      username: secondAdmin.username,
      fullName: 'Test admin two',
      email: 'admin2@test.example',
      role: 'admin',
      ip: null,
      userAgent: null,
      requestId: 'r2',
    };
    const approved = await decide(t.db.sequelize, 'approve', { approvalId, actor, password: TEST_PASSWORD });
    expect(approved.status).toBe('approved');
    expect((await one<{ role: string }>('SELECT role FROM users WHERE id = $1', [t.users.viewer.id])).role).toBe('quality');
  });

  it('the service refuses decisions by roles the rule does not name', async () => {
    const approvalId = await requestQuantityChange(502);
    const operator: UserActor = {
      kind: 'user',
      userId: t.users.operator.id,
      username: 'operator.user',
      fullName: 'Test operator',
      email: 'operator@test.example',
      role: 'operator',
      ip: null,
      userAgent: null,
      requestId: 'r3',
    };
    const refusal = await decide(t.db.sequelize, 'approve', { approvalId, actor: operator, password: TEST_PASSWORD }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ApprovalRefused);
    expect(refusal).toMatchObject({ code: 'not_allowed' });
  });
});

describe('mail after commit', () => {
  it('without SMTP settings, dispatch keeps the mail in the outbox for administrators, marked held', async () => {
    const { dispatchOutbox } = await import('../src/notifications/mail-outbox.service.js');
    await requestQuantityChange(601);
    const pending = await count(`SELECT count(*)::int AS n FROM mail_outbox WHERE status = 'pending'`);
    expect(pending).toBeGreaterThan(0);
    const result = await dispatchOutbox(t.db.sequelize, { from: 'NEXUS <nexus@test.example>', links: t.ctx.links }, 1000);
    expect(result).toEqual({ sent: 0, held: pending, failed: 0 });
    expect(await count(`SELECT count(*)::int AS n FROM mail_outbox WHERE status = 'pending'`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM mail_outbox WHERE status = 'held' AND last_error LIKE 'No SMTP server configured%'`)).toBe(pending);
    // Each state change of a mail is audited, by the mailer.
    expect(
      await count(
        `SELECT count(*)::int AS n FROM audit_logs WHERE table_name = 'mail_outbox' AND field_name = 'status' AND new_value = 'held' AND actor_username = 'system:mailer'`,
      ),
    ).toBe(pending);
  });
});

describe('raw SQL cannot skip a state', () => {
  it('refuses to re-open a decided request', async () => {
    const decided = await one<{ id: number }>(`SELECT id FROM approvals WHERE status = 'approved' LIMIT 1`);
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      await client.query(`SELECT set_config('nexus.actor', '{"kind":"system","name":"test"}', false)`);
      await expect(
        client.query(`UPDATE approvals SET status = 'pending', decided_at = NULL, decided_by_id = NULL WHERE id = $1`, [decided.id]),
      ).rejects.toMatchObject({ code: 'NXP01' });
    } finally {
      await client.end();
    }
  });
});
