import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { APPROVAL_POLICY } from '../src/approvals/approval-policy.js';
import { decide } from '../src/approvals/approval-decision.service.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import { createRecord, updateRecord } from '../src/records/record.service.js';
import { User } from '../src/models/index.js';
import { ApprovalRequired } from '../src/approvals/approval-request.service.js';
import { transitionTraveler } from '../src/travelers/traveler-lifecycle.service.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, testActor, type TestApp } from './support/test-app.js';
import { TEST_PASSWORD } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { sealAllAuditRows } from './support/audit-seal.js';

/**
 * The database stands behind the app. Each check runs as the runtime login would (SET ROLE to
 * the database's group role: no owner rights), with psql-like raw SQL, claiming whichever user it likes in
 * nexus.actor; and asserts what did not happen.
 */

let t: TestApp;
let floor: Floor;
/** A second floor, for a draft no earlier test has asked to release. */
let other: Floor;
const one = async <T>(sql: string, params: unknown[] = []) => (await t.db.query(sql, params)).rows[0] as T;

async function appRoleOf(client: pg.Client): Promise<string> {
  return (await client.query<{ app_role: string }>('SELECT app_role FROM nexus_roles')).rows[0]!.app_role;
}

/** Runs statements in one transaction as the runtime role, acting as the given user; the error, or null. */
async function asRuntime(url: string, userId: number | null, statements: Array<[string, unknown[]?]>): Promise<{ code?: string; message: string } | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL ROLE ${await appRoleOf(client)}`);
    const actor = userId === null ? { kind: 'system', name: 'psql' } : { kind: 'user', userId, username: `user${userId}` };
    await client.query(`SELECT set_config('nexus.actor', $1, true)`, [JSON.stringify(actor)]);
    for (const [sql, params] of statements) await client.query(sql, params as unknown[]);
    await client.query('COMMIT');
    return null;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const e = error as { code?: string; message: string };
    return { code: e.code, message: e.message };
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  other = await buildFloor(t.db);
});
afterAll(async () => {
  await t.close();
});

describe('approved changes, as the runtime login sees them', () => {
  it('naming some other approval in nexus.approval_id does not unlock a released traveler, nor does a used or pending one', async () => {
    // Released, quantity 250, with a pending request of its own (250 → 260).
    const traveler = floor.released;
    const revision = floor.revisions.manifoldC;
    // An approved and applied request about something else, and one about this traveler already applied.
    const unrelated = await one<{ id: number }>(
      `INSERT INTO approvals (target_table, target_id, operation, changes, base_version, status, requested_by_id, decided_by_id, decided_at, signature_name, signature_meaning, signed_at, rule, applied_at)
       VALUES ('revisions', $1, 'update', '{"notes": {"old": null, "new": "x"}}', 0, 'approved', $2, $3, now(), 'Test approver', 'approved', now(), 'revision.release', now()) RETURNING id`,
      [revision.id, t.users.engineer.id, t.users.approver.id],
    );
    const used = await one<{ id: number }>(
      `INSERT INTO approvals (target_table, target_id, operation, changes, base_version, status, requested_by_id, decided_by_id, decided_at, signature_name, signature_meaning, signed_at, rule, applied_at)
       VALUES ('travelers', $1, 'update', '{"quantity": {"old": 1, "new": 2}}', 0, 'approved', $2, $3, now(), 'Test approver', 'approved', now(), 'traveler.locked_content', now()) RETURNING id`,
      [traveler.id, t.users.engineer.id, t.users.approver.id],
    );
    const auditBefore = await one<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs');
    for (const approvalId of [String(unrelated.id), String(used.id), String(floor.released.pendingApprovalId), '999999', 'x; DROP TABLE users']) {
      const refused = await asRuntime(t.db.url, t.users.engineer.id, [
        [`SELECT set_config('nexus.approval_id', $1, true)`, [approvalId]],
        ['UPDATE travelers SET quantity = quantity + 100 WHERE id = $1', [traveler.id]],
      ]);
      expect({ approvalId, code: refused?.code }).toEqual({ approvalId, code: 'NXT02' });
    }
    expect(await one(`SELECT quantity FROM travelers WHERE id = $1`, [traveler.id])).toEqual({ quantity: 250 });
    expect(await one('SELECT count(*)::int AS n FROM audit_logs')).toEqual(auditBefore);
  });

  it('a draft traveler is not released without an approved release request', async () => {
    const draft = floor.draft;
    const refused = await asRuntime(t.db.url, t.users.admin.id, [[`UPDATE travelers SET status = 'released' WHERE id = $1`, [draft.id]]]);
    expect(refused).toMatchObject({ code: 'NXT01', message: expect.stringMatching(/approved release request/) });
    expect(await one(`SELECT status FROM travelers WHERE id = $1`, [draft.id])).toEqual({ status: 'draft' });
  });

  it('every UPDATE bumps the version, whoever writes it', async () => {
    const customer = await one<{ id: number; version: number }>('SELECT id, version FROM customers WHERE id = $1', [floor.customers.aero.id]);
    expect(await asRuntime(t.db.url, t.users.engineer.id, [[`UPDATE customers SET phone = '+1 555 0199' WHERE id = $1`, [customer.id]]])).toBeNull();
    expect(await one('SELECT version FROM customers WHERE id = $1', [customer.id])).toEqual({ version: customer.version + 1 });
    // Even an UPDATE that tries to set the version back.
    expect(
      await asRuntime(t.db.url, t.users.engineer.id, [[`UPDATE customers SET version = 0, phone = '+1 555 0198' WHERE id = $1`, [customer.id]]]),
    ).toBeNull();
    expect(await one('SELECT version FROM customers WHERE id = $1', [customer.id])).toEqual({ version: customer.version + 2 });
  });
});

describe('approval requests and decisions, as the runtime login sees them', () => {
  let pendingId: number;
  beforeAll(async () => {
    const revision = await one<{ id: number }>(`INSERT INTO revisions (part_id, revision_code, status) VALUES ($1, 'GRD', 'draft') RETURNING id`, [
      floor.parts.shaft.id,
    ]);
    pendingId = (
      await one<{ id: number }>(
        `INSERT INTO approvals (target_table, target_id, operation, changes, base_version, requested_by_id, rule)
       VALUES ('revisions', $1, 'update', '{"status": {"old": "draft", "new": "released"}}', 0, $2, 'revision.release') RETURNING id`,
        [revision.id, t.users.engineer.id],
      )
    ).id;
  });

  it('a request cannot be inserted already decided, nor in someone else’s name', async () => {
    const base = `INSERT INTO approvals (target_table, target_id, operation, changes, base_version, requested_by_id, rule, status, decided_by_id, decided_at, signature_name, signature_meaning, signed_at)
                  SELECT 'customers', id, 'update', '{}', 0, $1::int, 'user.role', $2::varchar, $3::int, CASE WHEN $2::text = 'pending' THEN NULL ELSE now() END, $4::varchar, $5::varchar, CASE WHEN $2::text = 'pending' THEN NULL ELSE now() END FROM customers WHERE id = $6::int`;
    const count = () => one<{ n: number }>('SELECT count(*)::int AS n FROM approvals');
    const before = await count();
    expect(
      await asRuntime(t.db.url, t.users.engineer.id, [
        [base, [t.users.engineer.id, 'approved', t.users.admin.id, 'Test admin', 'approved', floor.customers.aero.id]],
      ]),
    ).toMatchObject({ code: 'NXP01' });
    expect(await asRuntime(t.db.url, t.users.engineer.id, [[base, [t.users.quality.id, 'pending', null, null, null, floor.customers.aero.id]]])).toMatchObject({
      code: 'NXP01',
      message: expect.stringMatching(/asked by the user making it/),
    });
    expect(await count()).toEqual(before);
  });

  it.each([
    ['by the requester', 'engineer', 'engineer', /decides their own/],
    ['by a role the rule does not name', 'operator', 'operator', /may not decide/],
    ['signed with another name', 'approver', 'Someone Else', /printed name/],
    ['by a user other than the one acting', 'admin', 'admin', /user acting/],
  ] as const)('a decision %s is refused, and the request stays pending', async (what, decider, signer, reason) => {
    const deciderId = t.users[decider].id;
    const signature = signer === 'Someone Else' ? signer : `Test ${signer}`;
    // The session claims the approver while writing the administrator's decision.
    const actingAs = what === 'by a user other than the one acting' ? t.users.approver.id : deciderId;
    const refused = await asRuntime(t.db.url, actingAs, [
      [
        `UPDATE approvals SET status = 'approved', decided_by_id = $2, decided_at = now(), signature_name = $3, signature_meaning = 'approved', signed_at = now() WHERE id = $1`,
        [pendingId, deciderId, signature],
      ],
    ]);
    expect(refused).toMatchObject({ code: 'NXP01', message: expect.stringMatching(reason) });
    expect(await one('SELECT status FROM approvals WHERE id = $1', [pendingId])).toEqual({ status: 'pending' });
  });

  it('an inactive user decides nothing', async () => {
    await t.db.query(`UPDATE users SET active = false WHERE id = $1`, [t.users.approver.id]);
    try {
      const refused = await asRuntime(t.db.url, t.users.approver.id, [
        [
          `UPDATE approvals SET status = 'rejected', decision_comment = 'nope', decided_by_id = $2, decided_at = now(), signature_name = 'Test approver', signature_meaning = 'rejected', signed_at = now() WHERE id = $1`,
          [pendingId, t.users.approver.id],
        ],
      ]);
      expect(refused).toMatchObject({ code: 'NXP01', message: expect.stringMatching(/active user/) });
    } finally {
      await t.db.query(`UPDATE users SET active = true WHERE id = $1`, [t.users.approver.id]);
    }
    expect(await one('SELECT status FROM approvals WHERE id = $1', [pendingId])).toEqual({ status: 'pending' });
  });

  it('the database names the same deciders for every rule as the policy', async () => {
    const deciders = {
      'traveler.release': ['admin', 'approver'],
      'traveler.locked_content': ['admin', 'approver'],
      'traveler.steps': ['admin', 'approver'],
      'traveler.sub_steps': ['admin', 'approver'],
      'traveler.manual_step': ['admin', 'approver'],
      'revision.release': ['admin', 'approver', 'quality'],
      'routing.released_revision': ['admin', 'approver', 'quality'],
      'routing.released_revision_checks': ['admin', 'approver', 'quality'],
      'user.role': ['admin'],
      'user.reactivate': ['admin'],
    };
    expect(Object.fromEntries(APPROVAL_POLICY.map((rule) => [rule.id, [...rule.approvers].sort()]))).toEqual(deciders);
    const inDatabase: Record<string, string[]> = {};
    for (const rule of Object.keys(deciders)) {
      inDatabase[rule] = [...(await one<{ roles: string[] }>('SELECT approval_rule_deciders($1) AS roles', [rule])).roles].sort();
    }
    expect(inDatabase).toEqual(deciders);
    expect(await one('SELECT approval_rule_deciders($1) AS roles', ['no.such.rule'])).toEqual({ roles: ['admin'] });
  });
});

describe('an approval approves exactly what the approver saw', () => {
  it('a release request goes stale when a check of the traveler changes in between, though the traveler itself did not', async () => {
    const draft = await one<{ id: number; version: number }>('SELECT id, version FROM travelers WHERE id = $1', [floor.draft.id]);
    const engineer = testActor(t.users.engineer);
    const submitted = await transitionTraveler(t.db.sequelize, draft.id, 'release', engineer).catch((error: unknown) => error);
    expect(submitted).toBeInstanceOf(ApprovalRequired);
    const approvalId = (submitted as ApprovalRequired).approval.id;
    // A check's limit changes (step 20's lug hole diameter, by SQL as the owner: the traveler row is not touched).
    await t.db.query('UPDATE traveler_sub_steps SET upper_limit = upper_limit + 1 WHERE id = $1', [floor.draft.checks[20]![1]]);
    expect(await one('SELECT version FROM travelers WHERE id = $1', [draft.id])).toEqual({ version: draft.version });
    const decided = await decide(t.db.sequelize, 'approve', { approvalId, actor: testActor(t.users.approver), password: TEST_PASSWORD }).catch(
      (error: unknown) => error,
    );
    expect(decided).toMatchObject({ status: 409, code: 'stale' });
    expect(await one('SELECT status FROM approvals WHERE id = $1', [approvalId])).toEqual({ status: 'stale' });
    expect(await one('SELECT status FROM travelers WHERE id = $1', [draft.id])).toEqual({ status: 'draft' });
  });
});

describe('the audit chain has one writer', () => {
  it('the runtime login cannot insert into audit_chain or audit_seals, and seals through audit_seal()', async () => {
    const forged = await asRuntime(t.db.url, null, [[`INSERT INTO audit_seals (txid_horizon, last_position, rows_sealed) VALUES ('999999999'::xid8, 0, 0)`]]);
    expect(forged).toMatchObject({ code: '42501' });
    const chained = await asRuntime(t.db.url, null, [
      [`INSERT INTO audit_chain (position, audit_id, audit_occurred_at, row_hash, chain_hash) VALUES (999999, 1, now(), '\\x00'::bytea, '\\x00'::bytea)`],
    ]);
    expect(chained).toMatchObject({ code: '42501' });
    expect(await asRuntime(t.db.url, null, [['SELECT * FROM audit_seal()']])).toBeNull();
    expect(await verifyAuditLog(t.db.sequelize)).toMatchObject({ ok: true, problem: null });
  });
});

describe('sign-in times', () => {
  it('are written by signing in only: an edit by the runtime login is refused', async () => {
    const before = await one<{ last_login_at: Date | null }>('SELECT last_login_at FROM users WHERE id = $1', [t.users.viewer.id]);
    const refused = await asRuntime(t.db.url, t.users.admin.id, [[`UPDATE users SET last_login_at = '2001-01-01' WHERE id = $1`, [t.users.viewer.id]]]);
    expect(refused).toMatchObject({ code: 'NXA03' });
    expect(await one('SELECT last_login_at FROM users WHERE id = $1', [t.users.viewer.id])).toEqual(before);
    const clock = async () => (await one<{ now: Date }>('SELECT clock_timestamp() AS now')).now.getTime();
    const signInFrom = await clock();
    await t.signIn('viewer');
    const signInTo = await clock();
    const after = await one<{ last_login_at: Date | null; version: number }>('SELECT last_login_at, version FROM users WHERE id = $1', [t.users.viewer.id]);
    // The time of this sign-in, written by the database while it ran.
    expect(after.last_login_at).toBeInstanceOf(Date);
    expect(after.last_login_at!.getTime()).toBeGreaterThanOrEqual(signInFrom);
    expect(after.last_login_at!.getTime()).toBeLessThanOrEqual(signInTo);
  });
});

describe('four eyes for administrators', () => {
  it('reactivating a user is a request for another administrator, not a change applied at once', async () => {
    const admin = testActor(t.users.admin);
    const user = (await createRecord(
      User as never,
      { username: 'gone.operator', full_name: 'Gone Operator', email: 'gone@test.example', role: 'operator', password: 'a-long-enough-secret-77' },
      admin,
    )) as unknown as { id: number };
    const deactivate = await one<{ version: number }>('SELECT version FROM users WHERE id = $1', [user.id]);
    await updateRecord(User as never, user.id, { active: false, version: deactivate.version }, admin);
    const reactivate = await one<{ version: number }>('SELECT version FROM users WHERE id = $1', [user.id]);
    const asked = await updateRecord(User as never, user.id, { active: true, version: reactivate.version }, admin).catch((error: unknown) => error);
    expect(asked).toBeInstanceOf(ApprovalRequired);
    expect((asked as ApprovalRequired).rule.id).toBe('user.reactivate');
    expect(await one('SELECT active FROM users WHERE id = $1', [user.id])).toEqual({ active: false });
  });
});

describe('the approver sees what will be approved', () => {
  it('a release request’s page lists the traveler’s steps and checks, and says when that content changed since', async () => {
    // The other floor's draft (bracket rev A): nobody has asked to release it yet.
    const draft = other.draft;
    const submitted = await transitionTraveler(t.db.sequelize, draft.id, 'release', testActor(t.users.engineer)).catch((error: unknown) => error);
    expect(submitted).toBeInstanceOf(ApprovalRequired);
    const approvalId = (submitted as ApprovalRequired).approval.id;
    const approver = await t.signIn('approver');
    const shown = await approver.get(`/admin/api/resources/approvals/records/${approvalId}/subject`);
    expect(shown.status).toBe(200);
    expect(shown.body.subject).toMatchObject({ kind: 'traveler', id: draft.id, title: expect.stringContaining(draft.number), unchanged: true });
    expect(shown.body.subject.steps.map((s: { operation: string; checks: unknown[] }) => [s.operation, s.checks.length])).toEqual([
      ['Cut 7075-T7351 plate', 0],
      ['5-axis mill complete', 1],
      ['Deburr and break edges 0.2-0.5 mm', 0],
      ['First article and lot inspection', 2],
      ['Wrap, label, attach certs', 0],
    ]);
    await t.db.query(`UPDATE traveler_steps SET operation = operation || ' (revised)' WHERE id = $1`, [draft.steps[10]]);
    const after = await approver.get(`/admin/api/resources/approvals/records/${approvalId}/subject`);
    expect(after.body.subject.unchanged).toBe(false);
  });
});

// Last: its databases of their own rebind the models (which follow the newest Sequelize).
describe('the audit log’s own evidence', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db?.drop();
  });

  const sealAll = () => sealAllAuditRows(db.sequelize);

  it('an archived month stays append-only, and a missing archive is reported as tampering with its range, not a crash', async () => {
    await db.query(`SELECT ensure_audit_log_partitions((date_trunc('month', now()) - interval '14 months')::date, 0)`);
    // History of an old month, as a database made then holds it (written before anything newer).
    await db.query(
      `INSERT INTO audit_logs (occurred_at, change_id, action, table_name, record_id, field_name, new_value, actor_kind, actor_username)
       VALUES (date_trunc('month', now()) - interval '14 months' + interval '3 days', gen_random_uuid(), 'create', 'customers', '1', 'name', 'Old Co', 'system', 'system:test')`,
    );
    await sealAll();
    const old = (await db.query<{ part: string }>(`SELECT to_char(date_trunc('month', now()) - interval '14 months', '"audit_logs_"YYYY_MM') AS part`)).rows[0]!
      .part;
    const archived = await db.query<{ n: number }>(`SELECT archive_audit_log_partitions((date_trunc('month', now()) - interval '13 months')::date) AS n`);
    expect(archived.rows).toEqual([{ n: 1 }]);
    expect((await db.query(`SELECT table_name, row_count::int AS row_count FROM audit_archives`)).rows).toEqual([{ table_name: old, row_count: 1 }]);
    const refusal = await db.query(`UPDATE ${old} SET new_value = 'forged'`).catch((error: { code?: string }) => error.code);
    expect(refusal).toBe('NXA02');
    expect(await verifyAuditLog(db.sequelize)).toMatchObject({ ok: true });

    await db.query(`DROP TABLE ${old}`);
    const report = await verifyAuditLog(db.sequelize);
    expect(report).toMatchObject({
      ok: false,
      problem: {
        kind: 'archive_missing',
        message: expect.stringMatching(
          new RegExp(`${old} \\(audit rows from \\d{4}-\\d{2}-01 to \\d{4}-\\d{2}-01, 1 rows, chain positions 1 to 1\\) is missing`),
        ),
      },
    });
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/audit.ts'], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url, NODE_ENV: 'development' },
      timeout: 60_000,
    });
    expect({ status: cli.status, out: cli.stdout.split('\n')[0] }).toEqual({ status: 1, out: expect.stringMatching(/^TAMPERED: the archive .* is missing/) });
  });

  it('a back-dated audit row added by the owner is flagged by sealing and verification', async () => {
    await db.query(`INSERT INTO customers (code, name) VALUES ('NOW1', 'Today Co')`);
    await sealAll();
    await db.query(
      `INSERT INTO audit_logs (occurred_at, change_id, action, table_name, record_id, field_name, new_value, actor_kind, actor_username)
       VALUES (now() - interval '2 days', gen_random_uuid(), 'update', 'customers', '1', 'name', 'Quietly changed', 'system', 'system:owner')`,
    );
    const seal = await sealAll();
    expect(seal.outOfOrder).toBe(1);
    const report = await verifyAuditLog(db.sequelize);
    expect(report).toMatchObject({ ok: false, problem: { kind: 'out_of_order', message: expect.stringMatching(/back-dated/) } });
  });

  it('archiving refuses a month that has not ended', async () => {
    await expect(db.query(`SELECT archive_audit_log_partitions((date_trunc('month', now()) + interval '2 months')::date)`)).rejects.toMatchObject({
      code: '22023',
    });
  });
});
