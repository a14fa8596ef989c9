import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import supertest from 'supertest';
import { systemActor, type UserActor } from '../src/audit/actor.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { Customer, Part, User } from '../src/models/index.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';
import { statementsDuring } from './support/test-database.js';

let t: TestApp;
let floor: Floor;

interface AuditRow {
  id: string;
  occurred_at: Date;
  action: string;
  table_name: string | null;
  record_id: string | null;
  field_name: string | null;
  old_value: string | null;
  new_value: string | null;
  actor_kind: string;
  actor_id: number | null;
  actor_username: string;
  actor_name: string | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown> | null;
}

async function auditRows(where: string, params: unknown[] = []): Promise<AuditRow[]> {
  return (await t.db.query<AuditRow>(`SELECT * FROM audit_logs WHERE ${where} ORDER BY id`, params)).rows;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return (await t.db.query<{ n: number }>(sql, params)).rows[0]!.n;
}

function actorFor(role: keyof TestApp['users']): UserActor {
  const u = t.users[role];
  return {
    kind: 'user',
    userId: u.id,
    username: u.username,
    fullName: `Test ${role}`,
    email: `${role}@test.example`,
    role,
    ip: '10.1.2.3',
    userAgent: 'service-test',
    requestId: `req-${role}`,
  };
}

beforeAll(async () => {
  t = await createTestApp({ trustProxy: true });
  floor = await buildFloor(t.db);
});
afterAll(async () => {
  await t.close();
});

describe('every path writes audit rows in the same transaction', () => {
  it('panel new, edit, delete: one row per changed field, with user, IP, user agent and request id', async () => {
    const agent = await t.signIn('engineer');
    const created = await agent
      .post('/admin/api/resources/customers/actions/new')
      .set('X-Forwarded-For', '192.0.2.10')
      .set('User-Agent', 'Panel-Browser/1.0')
      .field('code', 'AUDIT1')
      .field('name', 'Audit Customer');
    expect(created.body.record.errors).toEqual({});
    const id = String(created.body.record.id);
    const requestId = created.headers['x-request-id'];
    const createRows = await auditRows(`table_name = 'customers' AND record_id = $1 AND action = 'create'`, [id]);
    expect(createRows.map((r) => r.field_name).sort()).toEqual(['active', 'code', 'id', 'name']);
    for (const row of createRows) {
      expect(row).toMatchObject({
        actor_kind: 'user',
        actor_id: t.users.engineer.id,
        actor_username: 'engineer.user',
        actor_name: 'Test engineer',
        ip_address: '192.0.2.10',
        user_agent: 'Panel-Browser/1.0',
        request_id: requestId,
      });
    }

    const shown = await agent.get(`/admin/api/resources/customers/records/${id}/show`);
    // A client-sent time is refused on its field, and nothing changes: the database clock stamps changes.
    const forged = await agent
      .post(`/admin/api/resources/customers/records/${id}/edit`)
      .field('name', 'Audit Customer Ltd')
      .field('version', shown.body.record.params.version)
      .field('updated_at', '1999-01-01T00:00:00.000Z')
      .field('created_at', '1999-01-01T00:00:00.000Z');
    expect(forged.status).toBe(400);
    expect(Object.keys(forged.body.record.errors).sort()).toEqual(['created_at', 'updated_at']);
    expect(await auditRows(`table_name = 'customers' AND record_id = $1 AND action = 'update'`, [id])).toEqual([]);
    const before = new Date();
    const edited = await agent
      .post(`/admin/api/resources/customers/records/${id}/edit`)
      .set('X-Forwarded-For', '192.0.2.11')
      .field('name', 'Audit Customer Ltd')
      .field('phone', '+1 555 0100')
      .field('version', shown.body.record.params.version)
      // What the form was shown, echoed back unchanged, is no change.
      .field('created_at', shown.body.record.params.created_at);
    expect(edited.body.record.errors).toEqual({});
    const updateRows = await auditRows(`table_name = 'customers' AND record_id = $1 AND action = 'update'`, [id]);
    expect(updateRows.map((r) => [r.field_name, r.old_value, r.new_value])).toEqual([
      ['name', 'Audit Customer', 'Audit Customer Ltd'],
      ['phone', null, '+1 555 0100'],
    ]);
    for (const row of updateRows) {
      expect(row.ip_address).toBe('192.0.2.11');
      expect(row.occurred_at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 5_000);
    }
    const stored = await t.db.query<{ created_at: Date }>('SELECT created_at FROM customers WHERE id = $1', [id]);
    expect(stored.rows[0]!.created_at.getFullYear()).toBeGreaterThan(2000);

    const deleted = await agent.post(`/admin/api/resources/customers/records/${id}/delete`);
    expect(deleted.body.notice.type).toBe('success');
    const deleteRows = await auditRows(`table_name = 'customers' AND record_id = $1 AND action = 'delete'`, [id]);
    expect(deleteRows.find((r) => r.field_name === 'name')).toMatchObject({ old_value: 'Audit Customer Ltd', new_value: null });
  });

  // A client address is whatever a proxy forwarded or the socket names, and the audit column is
  // inet: an address with an interface zone, an IPv4-mapped one, or text that is no address at all
  // must neither fail the write nor be stored as something else.
  it.each([
    ['not-an-address', null],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:192.0.2.12', '192.0.2.12'],
    ['192.0.2.13, 10.0.0.1', '10.0.0.1'],
  ])('a forwarded address %j is recorded as %j and the write goes through', async (forwarded, recorded) => {
    const agent = await t.signIn('engineer');
    const code = `ADDR${Math.abs([...forwarded].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)) % 100000}`;
    const created = await agent
      .post('/admin/api/resources/customers/actions/new')
      .set('X-Forwarded-For', forwarded)
      .field('code', code)
      .field('name', `Address ${forwarded}`);
    expect(created.status).toBe(200);
    expect(created.body.record.errors).toEqual({});
    const rows = await auditRows(`table_name = 'customers' AND record_id = $1 AND action = 'create'`, [String(created.body.record.id)]);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.ip_address))).toEqual(new Set([recorded]));
  });

  it('panel bulk delete: every deleted record has its rows', async () => {
    const agent = await t.signIn('admin');
    const ids: string[] = [];
    for (const code of ['BULK1', 'BULK2', 'BULK3']) {
      const res = await agent.post('/admin/api/resources/customers/actions/new').field('code', code).field('name', `Bulk ${code}`);
      ids.push(String(res.body.record.id));
    }
    const res = await agent.post(`/admin/api/resources/customers/bulk/bulkDelete?recordIds=${ids.join(',')}`);
    expect(res.body.notice.type).toBe('success');
    for (const id of ids) {
      const rows = await auditRows(`table_name = 'customers' AND record_id = $1 AND action = 'delete' AND field_name = 'code'`, [id]);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.actor_id).toBe(t.users.admin.id);
    }
  });

  it('services and static bulk updates and destroys are audited per row', async () => {
    const actor = actorFor('admin');
    const created = await inTransaction(t.db.sequelize, actor, async (options) => {
      const a = await Customer.create({ code: 'SVC1', name: 'Service One' } as never, options);
      const b = await Customer.create({ code: 'SVC2', name: 'Service Two' } as never, options);
      return [a.id, b.id];
    });
    await inTransaction(t.db.sequelize, actor, async (options) => {
      await Customer.update({ active: false }, { where: { id: created }, ...options });
    });
    for (const id of created) {
      const rows = await auditRows(`table_name = 'customers' AND record_id = $1 AND action = 'update'`, [String(id)]);
      expect(rows.map((r) => [r.field_name, r.old_value, r.new_value, r.request_id, r.ip_address])).toEqual([
        ['active', 'true', 'false', 'req-admin', '10.1.2.3'],
      ]);
    }
    await inTransaction(t.db.sequelize, actor, async (options) => {
      await Customer.destroy({ where: { id: created }, ...options });
    });
    expect(
      await count(`SELECT count(DISTINCT record_id)::int AS n FROM audit_logs WHERE table_name = 'customers' AND action = 'delete' AND record_id = ANY($1)`, [
        created.map(String),
      ]),
    ).toBe(2);
  });

  it('raw SQL as a named system actor is audited; raw SQL without one is refused and writes nothing', async () => {
    await t.db.query(`UPDATE parts SET description = 'Raw SQL description' WHERE id = $1`, [floor.parts.screw.id]);
    const rows = await auditRows(`table_name = 'parts' AND field_name = 'description' AND new_value = 'Raw SQL description'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'system', actor_username: 'system:test', actor_id: null, record_id: String(floor.parts.screw.id) });

    const before = await count('SELECT count(*)::int AS n FROM audit_logs');
    await expect(t.db.queryWithoutActor(`UPDATE parts SET description = 'Anonymous' WHERE id = $1`, [floor.parts.screw.id])).rejects.toMatchObject({
      code: 'NXA01',
    });
    await expect(t.db.queryWithoutActor(`INSERT INTO customers (code, name) VALUES ('ANON', 'Anonymous')`)).rejects.toMatchObject({ code: 'NXA01' });
    expect(await count(`SELECT count(*)::int AS n FROM parts WHERE description = 'Anonymous'`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM customers WHERE code = 'ANON'`)).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM audit_logs')).toBe(before);
  });

  it('raw SQL as the app’s own database role: audited with an actor, impossible without one', async () => {
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      await client.query(`SET ROLE ${(await t.db.roles()).app}`);
      await expect(client.query(`UPDATE work_centers SET description = 'by the app role' WHERE id = $1`, [floor.centers.SAW.id])).rejects.toMatchObject({
        code: 'NXA01',
      });
      await client.query('BEGIN');
      await client.query(`SELECT set_config('nexus.actor', $1, true)`, [JSON.stringify({ kind: 'system', name: 'maintenance-script', requestId: 'script-1' })]);
      await client.query(`UPDATE work_centers SET description = 'by the app role' WHERE id = $1`, [floor.centers.SAW.id]);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    const rows = await auditRows(`table_name = 'work_centers' AND new_value = 'by the app role'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_username: 'system:maintenance-script', request_id: 'script-1', record_id: String(floor.centers.SAW.id) });
  });

  it('a model write with no transaction (so no actor) is refused', async () => {
    await expect(Customer.create({ code: 'NOACTOR', name: 'No actor' } as never)).rejects.toThrow(/without an actor/);
    expect(await count(`SELECT count(*)::int AS n FROM customers WHERE code = 'NOACTOR'`)).toBe(0);
  });

  it('TRUNCATE of audited data is refused', async () => {
    await expect(t.db.query('TRUNCATE labor_entries')).rejects.toMatchObject({ code: 'NXA02' });
    expect(await count('SELECT count(*)::int AS n FROM labor_entries')).toBeGreaterThan(0);
  });

  it('a rolled-back transaction leaves neither the change nor an audit row', async () => {
    const before = await count('SELECT count(*)::int AS n FROM audit_logs');
    await expect(
      inTransaction(t.db.sequelize, actorFor('admin'), async (options) => {
        await Customer.create({ code: 'ROLLBACK', name: 'Never saved' } as never, options);
        const part = await Part.findByPk(floor.parts.manifold.id, { transaction: options.transaction });
        await part!.update({ description: 'Never saved either' }, options);
        throw new Error('something later in the same unit of work failed');
      }),
    ).rejects.toThrow(/later in the same unit of work/);
    expect(await count(`SELECT count(*)::int AS n FROM customers WHERE code = 'ROLLBACK'`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM parts WHERE description = 'Never saved either'`)).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM audit_logs')).toBe(before);
  });

  it('the actor travels with START TRANSACTION, quoted: hostile text is recorded as written and runs nothing', async () => {
    const hostile = `x'); UPDATE customers SET name = 'pwned'; --\\' ' \\\\ "`;
    const actor = { ...actorFor('admin'), fullName: hostile, userAgent: `Agent ${hostile}`, requestId: 'req-quoted' };
    const { statements } = await statementsDuring(t.appSequelize, () =>
      inTransaction(t.appSequelize, actor, async (options) => {
        await Customer.create({ code: 'QUOTED', name: 'Quoted actor' } as never, options);
      }),
    );
    // One round trip begins the unit of work and names its actor; then the insert and the commit.
    expect(statements).toHaveLength(3);
    expect(statements[0]).toMatch(/START TRANSACTION; SELECT set_config\('nexus\.actor'/);
    expect(statements[2]).toMatch(/COMMIT/);
    const rows = await auditRows(`table_name = 'customers' AND request_id = 'req-quoted'`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatchObject({ actor_name: hostile, user_agent: `Agent ${hostile}`, actor_id: t.users.admin.id });
    expect(await count(`SELECT count(*)::int AS n FROM customers WHERE name = 'pwned'`)).toBe(0);
  });
  it('a password change is recorded as such, never with the hash', async () => {
    const agent = await t.signIn('admin');
    const show = await agent.get(`/admin/api/resources/users/records/${t.users.viewer.id}/show`);
    const res = await agent
      .post(`/admin/api/resources/users/records/${t.users.viewer.id}/edit`)
      .field('password', 'a-brand-new-password-7')
      .field('version', show.body.record.params.version);
    expect(res.body.record.errors).toEqual({});
    const rows = await auditRows(`table_name = 'users' AND record_id = $1 AND action = 'update'`, [String(t.users.viewer.id)]);
    const password = rows.find((r) => r.field_name === 'password');
    expect(password).toMatchObject({ old_value: '(previous password)', new_value: '(new password set)' });
    const everything = JSON.stringify(await auditRows(`table_name = 'users'`));
    expect(everything).not.toContain('$argon2');
    expect(rows.map((r) => r.field_name)).not.toContain('password_hash');
    // Keep the shared test password working for the other tests.
    await inTransaction(t.db.sequelize, systemActor('test'), async (options) => {
      const user = await User.findByPk(t.users.viewer.id, { transaction: options.transaction });
      await user!.update({ password: TEST_PASSWORD } as never, options);
    });
  });
});

describe('two users at the same moment on pooled connections', () => {
  it('attributes every change to the user, IP and user agent of its own request', async () => {
    const admin = await t.signIn('admin');
    const engineer = await t.signIn('engineer');
    const results: Array<{ status: number; requestId: string; ip: string; ua: string; errors: unknown }> = [];
    // Rounds one after the other; within a round every part is edited at once, alternately by
    // the two users, each edit naming the version it was made on.
    for (const round of [0, 1, 2]) {
      const parts = (await t.db.query<{ id: number; part_number: string; version: number }>('SELECT id, part_number, version FROM parts ORDER BY id')).rows;
      expect(parts.length).toBeGreaterThan(1);
      const edits = parts.map(async (part, i) => {
        const [agent, ip, ua] = (i + round) % 2 === 0 ? [admin, '198.51.100.1', 'Admin-UA'] : [engineer, '198.51.100.2', 'Engineer-UA'];
        const res = await agent
          .post(`/admin/api/resources/parts/records/${part.id}/edit`)
          .set('X-Forwarded-For', ip)
          .set('User-Agent', ua)
          .field('version', String(part.version))
          .field('description', `Concurrent ${part.part_number} ${round} by ${ua}`);
        return { status: res.status, requestId: res.headers['x-request-id'] as string, ip, ua, errors: res.body.record?.errors };
      });
      results.push(...(await Promise.all(edits)));
    }
    const parts = (await t.db.query<{ id: number }>('SELECT id FROM parts')).rows;
    for (const r of results) {
      expect(r.status).toBe(200);
      const rows = await auditRows('request_id = $1', [r.requestId]);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect({ ip: row.ip_address, ua: row.user_agent, user: row.actor_username, value: row.new_value?.endsWith(r.ua) }).toEqual({
          ip: r.ip,
          ua: r.ua,
          user: r.ua === 'Admin-UA' ? 'admin.user' : 'engineer.user',
          value: true,
        });
      }
    }
    const attributed = await count(`SELECT count(*)::int AS n FROM audit_logs WHERE new_value LIKE 'Concurrent %'`);
    expect(attributed).toBe(parts.length * 3);
  });
});

describe('sign-in, sign-out and failed sign-in are audited', () => {
  it('records each with who, where and (for failures) why', async () => {
    const res = await supertest(t.app)
      .post('/admin/login')
      .set('X-Forwarded-For', '203.0.113.5')
      .type('form')
      .send({ email: 'quality.user', password: 'wrong-password' });
    expect(res.status).toBe(401);
    const failed = await auditRows(`action = 'login_failed' AND ip_address = '203.0.113.5'`);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      actor_kind: 'anonymous',
      actor_username: 'quality.user',
      record_id: String(t.users.quality.id),
      details: { reason: 'wrong_password' },
    });

    const unknown = await supertest(t.app)
      .post('/admin/login')
      .set('X-Forwarded-For', '203.0.113.6')
      .type('form')
      .send({ email: 'nobody-here', password: 'x' });
    expect(unknown.status).toBe(401);
    expect((await auditRows(`action = 'login_failed' AND ip_address = '203.0.113.6'`))[0]).toMatchObject({
      actor_username: 'nobody-here',
      details: { reason: 'unknown_user' },
    });

    const agent = supertest.agent(t.app);
    await agent.post('/admin/login').set('X-Forwarded-For', '203.0.113.7').type('form').send({ email: 'quality.user', password: TEST_PASSWORD });
    await agent.post('/admin/logout').set('X-Forwarded-For', '203.0.113.7');
    const events = await auditRows(`ip_address = '203.0.113.7'`);
    expect(events.map((e) => [e.action, e.actor_id])).toEqual([
      ['login', t.users.quality.id],
      ['logout', t.users.quality.id],
    ]);
  });
});

describe('the audit trail is append-only', () => {
  async function asRole(role: string | null, sql: string): Promise<{ code?: string }> {
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      if (role) await client.query(`SET LOCAL ROLE ${role}`);
      await client.query(sql);
      return {};
    } catch (error) {
      return { code: (error as { code?: string }).code };
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  }

  it('the app role has no UPDATE, DELETE or TRUNCATE (42501)', async () => {
    const { app } = await t.db.roles();
    expect(await asRole(app, `UPDATE audit_logs SET new_value = 'forged'`)).toEqual({ code: '42501' });
    expect(await asRole(app, 'DELETE FROM audit_logs')).toEqual({ code: '42501' });
    expect(await asRole(app, 'TRUNCATE audit_logs')).toEqual({ code: '42501' });
    expect(
      await asRole(app, `INSERT INTO audit_logs (change_id, action, actor_kind, actor_username) VALUES (gen_random_uuid(), 'login', 'system', 'forger')`),
    ).toEqual({ code: '42501' });
    expect(await asRole(app, `UPDATE audit_chain SET row_hash = row_hash`)).toEqual({ code: '42501' });
    // What it may do: read the trail.
    expect(await asRole(app, 'SELECT count(*) FROM audit_logs')).toEqual({});
  });

  it('even the owner is refused by the trigger, on the table and on each partition', async () => {
    const partition = (await t.db.query<{ p: string }>(`SELECT tableoid::regclass::text AS p FROM audit_logs ORDER BY id DESC LIMIT 1`)).rows[0]!.p;
    expect(await asRole(null, `UPDATE audit_logs SET new_value = 'forged'`)).toEqual({ code: 'NXA02' });
    expect(await asRole(null, 'DELETE FROM audit_logs')).toEqual({ code: 'NXA02' });
    expect(await asRole(null, 'TRUNCATE audit_logs')).toEqual({ code: 'NXA02' });
    expect(await asRole(null, `TRUNCATE ${partition}`)).toEqual({ code: 'NXA02' });
    expect(await asRole(null, 'TRUNCATE audit_logs_default')).toEqual({ code: 'NXA02' });
    expect(await asRole(null, `DELETE FROM ${partition}`)).toEqual({ code: 'NXA02' });
  });
});

describe('monthly partitions', () => {
  it('puts new rows in this month’s partition, keeps several months ahead, and catches the rest in the default', async () => {
    const latest = (
      await t.db.query<{ p: string; month: string }>(
        `SELECT tableoid::regclass::text AS p, to_char(occurred_at, 'YYYY_MM') AS month FROM audit_logs ORDER BY id DESC LIMIT 1`,
      )
    ).rows[0]!;
    expect(latest.p).toBe(`audit_logs_${latest.month}`);
    const partitions = (
      await t.db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_logs'::regclass`,
      )
    ).rows.map((r) => r.name);
    expect(partitions).toContain('audit_logs_default');
    expect(partitions.filter((n) => /^audit_logs_\d{4}_\d{2}$/.test(n)).length).toBeGreaterThanOrEqual(4);

    // A row from a month no partition covers (imported history) still lands, in the default.
    await t.db.query(
      `INSERT INTO audit_logs (occurred_at, change_id, action, actor_kind, actor_username) VALUES ('2019-03-04T05:06:07Z', gen_random_uuid(), 'login', 'system', 'system:import')`,
    );
    const old = (await t.db.query<{ p: string }>(`SELECT tableoid::regclass::text AS p FROM audit_logs WHERE occurred_at < '2020-01-01'`)).rows[0]!;
    expect(old.p).toBe('audit_logs_default');
  });
});
