import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Sequelize } from 'sequelize';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { systemActor } from '../src/audit/actor.js';
import type { HistoryEntry, RecordHistory } from '../src/audit/audit-history.types.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import { createSequelize, withDatabase } from '../src/db/database.js';
import { checkRuntimeLimits, runtimeLimits } from '../src/db/runtime-limits.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { User } from '../src/models/index.js';
import { appEnvironment, startApp, stopApps, waitFor, type AppProcess } from './support/app-process.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { pgbouncerBinary, startPgBouncer, type PgBouncer, type PgBouncerLogin } from './support/pgbouncer.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * Two app processes serving one database through a real PgBouncer in transaction mode, with
 * History's prepared reads off, as docs/operations.md says to run them: the owner migrates
 * straight to PostgreSQL, every request goes through the pooler. What must hold there: the
 * database limits, shared sessions and sign-in throttling, actors on every audit row, an approval
 * applied once, sealing one instance at a time, and a chain that verifies.
 */

// Without PgBouncer the suite is skipped with one line saying so, on a newcomer's machine; where
// .ci/run requires it (NEXUS_REQUIRE_SCALING_TOOLS=1) it fails with that line instead.
const installed = (() => {
  try {
    return Boolean(pgbouncerBinary());
  } catch (error) {
    if (process.env.NEXUS_REQUIRE_SCALING_TOOLS === '1') throw error;
    console.warn(`test/pgbouncer.test.ts: skipped: ${(error as Error).message}`);
    return false;
  }
})();
const suite = installed ? describe : describe.skip;

const PASSWORD = 'pgbouncer-people-passphrase-7';
const STATEMENT_TIMEOUT_MS = 2000;
type Person = 'engineerA' | 'engineerB' | 'approver' | 'viewer' | 'locked';

let db: TestDatabase;
let floor: Floor;
let people: Record<Person, string>;
let bouncer: PgBouncer;
let runtime: PgBouncerLogin;
let appEnv: ReturnType<typeof appEnvironment>;
let a: AppProcess;
let b: AppProcess;
const children: ChildProcess[] = [];
/** Logins made by a test of its own (roles belong to the server). */
const extraRoles: string[] = [];

const rows = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await db.query<R>(sql, params)).rows;

async function addPeople(sequelize: Sequelize): Promise<Record<Person, string>> {
  return inTransaction(sequelize, systemActor('test:setup'), async (options) => {
    const roles: Record<Person, string> = { engineerA: 'engineer', engineerB: 'engineer', approver: 'approver', viewer: 'viewer', locked: 'viewer' };
    const usernames = {} as Record<Person, string>;
    for (const [person, role] of Object.entries(roles) as Array<[Person, string]>) {
      const username = `bouncer.${person.toLowerCase()}`;
      await User.create({ username, email: `${username}@test.example`, full_name: `Bouncer ${person}`, role, password: PASSWORD } as never, options);
      usernames[person] = username;
    }
    return usernames;
  });
}

const signInAs = (base: string, username: string, password = PASSWORD) => supertest(base).post('/admin/login').type('form').send({ email: username, password });

async function signIn(base: string, username: string): Promise<TestAgent> {
  const agent = supertest.agent(base);
  const res = await agent.post('/admin/login').type('form').send({ email: username, password: PASSWORD });
  if (res.status !== 302) throw new Error(`sign-in as ${username} failed with ${res.status}`);
  return agent;
}

/** A connection through PgBouncer as the app's login, as the app's own pools have them. */
async function throughBouncer<T>(work: (client: pg.Client) => Promise<T>, login = runtime): Promise<T> {
  const client = new pg.Client({ connectionString: bouncer.url(login) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** What the app logged (pino's JSON lines). */
function logLines(app: AppProcess): Array<Record<string, unknown> & { level: number; msg: string }> {
  return app.output
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

const logged = (app: AppProcess, msg: string) => logLines(app).filter((line) => line.msg === msg);

beforeAll(async () => {
  db = await createTestDatabase();
  people = await addPeople(db.sequelize);
  floor = await buildFloor(db);
  appEnv = appEnvironment(db, {
    SEED_DEMO_DATA: 'false',
    DB_PREPARED_READS: 'false',
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    DB_POOL_MAX: '4',
    AUDIT_SEAL_SECONDS: '1',
    LOG_LEVEL: 'info',
  });
  const direct = new URL(appEnv.env.DATABASE_URL!);
  runtime = { user: decodeURIComponent(direct.username), password: decodeURIComponent(direct.password) };
  bouncer = await startPgBouncer(db.url, [runtime]);
  const env = { ...appEnv.env, DATABASE_URL: bouncer.url(runtime) };
  [a, b] = await Promise.all([startApp(env, children), startApp(env, children)]);
}, 240_000);

afterAll(async () => {
  await stopApps(children);
  await bouncer?.stop();
  appEnv?.cleanup();
  if (!db) return;
  await db.drop();
  const server = new pg.Client({ connectionString: withDatabase(db.url, 'postgres') });
  await server.connect();
  try {
    for (const role of [appEnv.runtimeRole, ...extraRoles]) await server.query(`DROP ROLE IF EXISTS ${server.escapeIdentifier(role)}`);
  } finally {
    await server.end();
  }
});

suite('the database limits behind PgBouncer', () => {
  it("hold on the app's connections: each instance found them at start, and a longer statement is cancelled", async () => {
    for (const app of [a, b]) {
      expect(logged(app, 'database limits in effect on the app connection')).toEqual([
        expect.objectContaining({ statementTimeoutMs: 2000, idleInTransactionTimeoutMs: 4000, source: 'database user', placement: 'role' }),
      ]);
    }
    // Several connections at once, so that PgBouncer hands out several server connections.
    const shown = await Promise.all(
      [1, 2, 3].map(() =>
        throughBouncer(async (client) => {
          await client.query('BEGIN');
          const { rows: found } = await client.query<{ statement: string; idle: string }>(
            `SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle`,
          );
          await client.query('COMMIT');
          return found[0];
        }),
      ),
    );
    expect(shown).toEqual([1, 2, 3].map(() => ({ statement: '2s', idle: '4s' })));
    const slept = await throughBouncer((client) =>
      client.query('SELECT pg_sleep(4)').then(
        () => 'finished',
        (error: { code?: string; message: string }) => `${error.code}: ${error.message}`,
      ),
    );
    expect(slept).toBe('57014: canceling statement due to statement timeout');
    // That statement ran outside any transaction; the pooler's connections go on serving, with the limit.
    expect(await throughBouncer(async (client) => (await client.query('SHOW statement_timeout')).rows)).toEqual([{ statement_timeout: '2s' }]);
    // The apps' clients are PgBouncer's: DATABASE_URL leads nowhere else.
    const clients = await bouncer.console<{ user: string; database: string }>('SHOW CLIENTS');
    expect(clients.filter((c) => c.user === runtime.user && c.database === db.name).length).toBeGreaterThanOrEqual(2);
  });
});

suite('two instances through PgBouncer', () => {
  it('share sessions: signed in on one, the session is valid on the other', async () => {
    const login = await signInAs(a.base, people.viewer);
    expect(login.status).toBe(302);
    const cookie = ([] as string[])
      .concat(login.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('nexus.sid='))!
      .split(';')[0]!;
    const onB = await supertest(b.base).get(`/admin/api/resources/travelers/records/${floor.draft.id}/show`).set('Cookie', cookie);
    expect({ status: onB.status, number: onB.body.record?.params.number }).toEqual({ status: 200, number: floor.draft.number });
  });

  it('share the sign-in throttle: failures on both count together, and the lock holds on both', async () => {
    const statuses = [];
    for (const base of [a.base, b.base, a.base, b.base, a.base]) statuses.push((await signInAs(base, people.locked, 'wrong-password')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    expect((await signInAs(b.base, people.locked)).status).toBe(429);
    expect(await rows(`SELECT failures, locked_until > now() AS locked FROM login_throttle WHERE kind = 'account' AND subject = $1`, [people.locked])).toEqual([
      { failures: 5, locked: true },
    ]);
  });

  it('edit at the same time, each audit row naming who acted and the request it came from', async () => {
    const edits = async (base: string, person: Person, partId: number) => {
      const agent = await signIn(base, people[person]);
      const done: Array<{ requestId: string; description: string }> = [];
      for (let i = 1; i <= 5; i += 1) {
        const shown = await agent.get(`/admin/api/resources/parts/records/${partId}/show`);
        const description = `${person} edit ${i} through PgBouncer`;
        const res = await agent
          .post(`/admin/api/resources/parts/records/${partId}/edit`)
          .field('version', String(shown.body.record.params.version))
          .field('description', description);
        expect(res.body.notice).toMatchObject({ type: 'success' });
        done.push({ requestId: String(res.headers['x-request-id']), description });
      }
      return done;
    };
    const [byA, byB] = await Promise.all([edits(a.base, 'engineerA', floor.parts.manifold.id), edits(b.base, 'engineerB', floor.parts.shaft.id)]);
    for (const [person, done, partId] of [
      ['engineerA', byA, floor.parts.manifold.id],
      ['engineerB', byB, floor.parts.shaft.id],
    ] as const) {
      for (const { requestId, description } of done) {
        expect(
          await rows(`SELECT table_name, record_id, field_name, new_value, actor_username FROM audit_logs WHERE request_id = $1 ORDER BY id`, [requestId]),
        ).toEqual([{ table_name: 'parts', record_id: String(partId), field_name: 'description', new_value: description, actor_username: people[person] }]);
      }
      expect(await rows('SELECT description FROM parts WHERE id = $1', [partId])).toEqual([{ description: done[4]!.description }]);
    }
  });

  it('decide one approval at the same moment through both: it is applied exactly once', async () => {
    const id = floor.released.pendingApprovalId;
    const [onA, onB] = await Promise.all([signIn(a.base, people.approver), signIn(b.base, people.approver)]);
    const approve = (agent: TestAgent) =>
      agent.post(`/admin/api/resources/approvals/records/${id}/approve`).field('password', PASSWORD).field('comment', 'Approved through PgBouncer');
    const answers = await Promise.all([approve(onA), approve(onB)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await rows('SELECT status, signature_meaning FROM approvals WHERE id = $1', [id])).toEqual([{ status: 'approved', signature_meaning: 'approved' }]);
    expect(await rows('SELECT quantity FROM travelers WHERE id = $1', [floor.released.id])).toEqual([{ quantity: 260 }]);
    expect(
      await rows(`SELECT field_name, old_value, new_value, actor_username FROM audit_logs WHERE approval_id = $1 AND table_name = 'travelers'`, [id]),
    ).toEqual([{ field_name: 'quantity', old_value: '250', new_value: '260', actor_username: people.approver }]);
  });

  it("seal one at a time (the seal's transaction-level advisory lock), show History, and the chain verifies with nothing lost", async () => {
    // Holding the seal's lock in a transaction of the test's own: both instances' sealers queue behind it.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtext('nexus.audit.seal'))`);
      const waiting = await waitFor('both sealers to wait for the lock', async () => {
        const found = await rows<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND usename = $1 AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%audit_seal()%'`,
          [runtime.user],
        );
        return found[0]!.n === 2 ? 2 : undefined;
      });
      expect(waiting).toBe(2);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }

    const viewer = await signIn(b.base, people.viewer);
    const res = await viewer.get(`/admin/api/history/parts/${floor.parts.manifold.id}`);
    expect(res.status).toBe(200);
    const history = res.body.history as RecordHistory;
    const descriptions = history.entries
      .filter((e: HistoryEntry) => e.record.isSubject && e.changes.some((c) => c.field === 'description'))
      .map((e: HistoryEntry) => ({ by: e.actor.username, description: e.changes.find((c) => c.field === 'description')!.new }));
    expect(descriptions.slice(0, 5)).toEqual([5, 4, 3, 2, 1].map((i) => ({ by: people.engineerA, description: `engineerA edit ${i} through PgBouncer` })));

    // The instances' own sealers chain everything; the test only reads.
    const report = await waitFor(
      'the sealers to chain every audit row',
      async () => {
        const verified = await verifyAuditLog(db.sequelize);
        return verified.rowsPending === 0 ? verified : undefined;
      },
      60_000,
    );
    expect(report).toMatchObject({ ok: true, problem: null, rowsPending: 0 });
    expect(await rows('SELECT count(*)::int AS n FROM audit_chain')).toEqual(await rows('SELECT count(*)::int AS n FROM audit_logs'));
    // Sealing, the mail listener and every request went without an error on either instance.
    for (const app of [a, b]) expect(logLines(app).filter((line) => line.level >= 50)).toEqual([]);
  });
});

suite('limits that do not hold behind PgBouncer', () => {
  it('a server connection PgBouncer opened before the limits were set: the app refuses to start and says why', async () => {
    const stale: PgBouncerLogin = { user: `nexus_stale_${crypto.randomBytes(4).toString('hex')}`, password: crypto.randomBytes(12).toString('hex') };
    extraRoles.push(stale.user);
    await db.query(`CREATE ROLE ${stale.user} LOGIN PASSWORD '${stale.password}'`);
    const second = await startPgBouncer(db.url, [stale]);
    try {
      // PgBouncer keeps this server connection, opened before the login had any limit, for its next client.
      const before = new pg.Client({ connectionString: second.url(stale) });
      await before.connect();
      expect((await before.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '0' }]);
      await before.end();

      const env = { ...appEnv.env, DATABASE_URL: second.url(stale) };
      await expect(startApp(env, children)).rejects.toThrow(
        "NEXUS cannot start. The database limits are not in effect on the app's connection: statement_timeout is off and idle_in_transaction_session_timeout is off, " +
          'expected 2000 ms and 4000 ms (DB_STATEMENT_TIMEOUT_MS and twice it). ' +
          `They are the login "${stale.user}"'s defaults in this database (ALTER ROLE ... IN DATABASE ... SET)`,
      );
      expect(children.at(-1)!.exitCode).toBe(1);
      // The start did set them: a session that logs in now has them.
      const direct = new URL(db.url);
      direct.username = stale.user;
      direct.password = stale.password;
      const fresh = new pg.Client({ connectionString: direct.toString() });
      await fresh.connect();
      expect((await fresh.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '2s' }]);
      await fresh.end();

      // What the message says to do: PgBouncer drops its old server connections, and the app starts.
      await second.console('RECONNECT');
      const started = await startApp(env, children);
      expect(logged(started, 'database limits in effect on the app connection')).toEqual([
        expect.objectContaining({ statementTimeoutMs: 2000, idleInTransactionTimeoutMs: 4000 }),
      ]);
      started.child.kill('SIGTERM');
      await started.exited;
    } finally {
      await second.stop();
    }
  }, 240_000);
});

suite('start-up parameters PgBouncer refuses', () => {
  it('the limits as start-up parameters, and History prepared reads, are refused with what to do instead', async () => {
    const limits = runtimeLimits(STATEMENT_TIMEOUT_MS);
    const asStartup = createSequelize({ url: bouncer.url(runtime), poolMax: 1, acquireTimeoutMs: 10_000, startupLimits: limits });
    try {
      await expect(checkRuntimeLimits(asStartup, limits, 'startup', false)).rejects.toThrow(
        /^DATABASE_URL leads to a pooler that refuses the app's start-up parameters \(unsupported startup parameter: statement_timeout\)\. .*Serve as a runtime login of its own/,
      );
    } finally {
      await asStartup.close();
    }
    const withPlans = createSequelize({ url: bouncer.url(runtime), poolMax: 1, acquireTimeoutMs: 10_000, preparedReads: true });
    try {
      await expect(checkRuntimeLimits(withPlans, limits, 'role', true)).rejects.toThrow(
        "DATABASE_URL leads to a pooler that refuses the app's start-up parameters (unsupported startup parameter: options). History's prepared reads (DB_PREPARED_READS=true) need connections straight to PostgreSQL: set DB_PREPARED_READS=false behind PgBouncer.",
      );
    } finally {
      await withPlans.close();
    }
  });
});
