import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import pino from 'pino';
import type { Sequelize } from 'sequelize';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { systemActor } from '../src/audit/actor.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import { loadConfig } from '../src/config/config.js';
import { createAdmin } from '../src/admin/admin.js';
import { createPgPool, createSequelize, withDatabase } from '../src/db/database.js';
import { freeLocalPort, startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { initSchema } from '../src/tables/index.js';
import { createApp } from '../src/http/app.js';
import { User } from '../src/models/index.js';
import { startServer, type RunningServer } from '../src/server.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { appEnvironment, startApp, stopApps, waitFor, type AppProcess } from './support/app-process.js';
import { sealAllAuditRows } from './support/audit-seal.js';

/**
 * Faults: the database restarts or drops a connection under a request,
 * the pool runs out, the app process is killed in the middle of an approval. Real PostgreSQL,
 * real HTTP; every wait below is a bounded poll on a condition, never a fixed sleep.
 */

// ---------------------------------------------------------------------------------------------
// Test-only instruments
// ---------------------------------------------------------------------------------------------

const PAUSE_KEY = 727_001;

/**
 * A pause point inside the database, for tests only: every UPDATE of a traveler waits there
 * while the test holds advisory lock PAUSE_KEY (and passes straight through when it does not).
 * AFTER triggers fire in name order, so by then `travelers_audit` has written the change's
 * audit rows: a transaction held here has written both the row and its audit trail.
 */
const PAUSE_POINT_SQL = `
  CREATE FUNCTION faults_pause_point() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_advisory_xact_lock(${PAUSE_KEY});
    RETURN NULL;
  END $$;
  CREATE TRIGGER zz_faults_pause AFTER UPDATE ON travelers FOR EACH ROW EXECUTE FUNCTION faults_pause_point();`;

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
/** A connection of the test's own (a superuser's), outside the app; a lost connection is expected, not fatal. */
async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'faults-test' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function once<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = await connect(url);
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

interface PausedWriter {
  pid: number;
  query: string;
  /** The transaction has an id: it has written something. */
  wrote: boolean;
  /** It holds the row-exclusive lock an INSERT into the audit trail takes. */
  wroteAudit: boolean;
}

/** Waits until `count` app connections are held at the pause point, and says what they had done. */
async function pausedWriters(url: string, count: number): Promise<PausedWriter[]> {
  return waitFor(`${count} transaction(s) at the pause point`, async () => {
    const rows = await once<PausedWriter>(
      url,
      `SELECT a.pid, a.query, a.backend_xid IS NOT NULL AS wrote,
              EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                       WHERE l.pid = a.pid AND l.mode = 'RowExclusiveLock' AND c.relname LIKE 'audit\\_logs%') AS "wroteAudit"
         FROM pg_stat_activity a
        WHERE a.datname = current_database() AND a.application_name = 'nexus'
          AND a.wait_event_type = 'Lock' AND a.wait_event = 'advisory'`,
    );
    return rows.length === count ? rows : undefined;
  });
}

interface PauseHold {
  release(): Promise<void>;
}
const holds = new Set<PauseHold>();

/** The test's hold on the pause point: while held, traveler updates wait inside the database. */
async function holdPausePoint(url: string): Promise<PauseHold> {
  const client = await connect(url);
  await client.query('SELECT pg_advisory_lock($1)', [PAUSE_KEY]);
  const hold: PauseHold = {
    async release() {
      if (!holds.delete(hold)) return;
      await client.query('SELECT pg_advisory_unlock($1)', [PAUSE_KEY]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
  holds.add(hold);
  return hold;
}

/** A failed test must not leave the next one waiting at the pause point. */
afterEach(async () => {
  for (const hold of [...holds]) await hold.release();
});

type Outcome = { answer: supertest.Response } | { lost: string };

/** Starts a supertest request now (supertest sends lazily) and keeps its outcome: an answer, or no answer at all. */
function inFlight(request: PromiseLike<supertest.Response>): Promise<Outcome> {
  return Promise.resolve(request).then(
    (answer) => ({ answer }),
    (error: NodeJS.ErrnoException) => ({ lost: error.code ?? error.message }),
  );
}

/** The connection was dropped without any HTTP answer (the app process died). */
function expectNoAnswer(outcome: Outcome): void {
  expect(outcome).toEqual({ lost: expect.stringMatching(/ECONNRESET|socket hang up/) });
}

/** What the people below sign in with. */
const PASSWORD = 'faults-people-passphrase-5';

type Person = 'engineer' | 'quality' | 'approver' | 'viewer';

/** One user per role these tests sign in as (`faults.<role>`), made as the test system actor. */
async function addPeople(sequelize: Sequelize): Promise<Record<Person, string>> {
  return inTransaction(sequelize, systemActor('test:setup'), async (options) => {
    const usernames = {} as Record<Person, string>;
    for (const role of ['engineer', 'quality', 'approver', 'viewer'] as const) {
      const username = `faults.${role}`;
      await User.create({ username, email: `${username}@test.example`, full_name: `Faults ${role}`, role, password: PASSWORD } as never, options);
      usernames[role] = username;
    }
    return usernames;
  });
}

async function signIn(base: string, username: string): Promise<TestAgent> {
  const agent = supertest.agent(base);
  const res = await agent.post('/admin/login').type('form').send({ email: username, password: PASSWORD });
  if (res.status !== 302) throw new Error(`sign-in as ${username} failed with ${res.status}`);
  return agent;
}

async function versionOf(agent: TestAgent, resource: string, id: number): Promise<number> {
  const shown = await agent.get(`/admin/api/resources/${resource}/records/${id}/show`);
  expect(shown.status).toBe(200);
  return Number(shown.body.record.params.version);
}

function postEdit(agent: TestAgent, id: number, version: number, fields: Record<string, string | number>) {
  let req = agent.post(`/admin/api/resources/travelers/records/${id}/edit`).field('version', String(version));
  for (const [k, v] of Object.entries(fields)) req = req.field(k, String(v));
  return req;
}

/** A clean refusal because the database is unavailable: 503, JSON, a message, the request id, Retry-After. */
function expectUnavailable(outcome: Outcome): string {
  expect(outcome).toHaveProperty('answer');
  const { answer } = outcome as { answer: supertest.Response };
  expect({ status: answer.status, type: answer.type }).toEqual({ status: 503, type: 'application/json' });
  expect(answer.body).toEqual({
    error: 'The database is not reachable right now; nothing was saved. Try again in a moment.',
    requestId: answer.headers['x-request-id'],
  });
  expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  return answer.body.requestId as string;
}

/** A logger that keeps its lines, to check what the app said about a failed request. */
function recordingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

// ---------------------------------------------------------------------------------------------
// 1 + 2: one app instance on a private PostgreSQL that the test may cut off, stop and start
// ---------------------------------------------------------------------------------------------

describe('the database goes away under a running app (private PostgreSQL)', () => {
  let root: string;
  let dataDir: string;
  let pgPort: number;
  let cluster: EmbeddedPostgres | undefined;
  let ownerUrl: string;
  let running: RunningServer;
  let base: string;
  let log: ReturnType<typeof recordingLogger>;
  let engineer: TestAgent;
  let people: Record<Person, string>;
  let floor: Floor;

  const owner = <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []) => once<R>(ownerUrl, sql, params);
  const notesOf = async (id: number) => (await owner<{ notes: string | null }>('SELECT notes FROM travelers WHERE id = $1', [id]))[0]!.notes;
  const auditRowsOf = async (requestId: string) =>
    Number((await owner<{ n: string }>('SELECT count(*) AS n FROM audit_logs WHERE request_id = $1', [requestId]))[0]!.n);

  // Sequelize says so on the console when it drops a connection that died under a transaction:
  // expected here, so kept out of the test output.
  let quietRollbackWarnings: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    const warn = console.warn.bind(console);
    quietRollbackWarnings = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      if (typeof args[0] === 'string' && /^Rolling back transaction .* failed with error/.test(args[0])) return;
      warn(...args);
    });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-faults-'));
    // As root the cluster runs as the `postgres` OS user, which must be able to enter this folder.
    fs.chmodSync(root, 0o755);
    dataDir = path.join(root, 'postgres');
    pgPort = await freeLocalPort();
    cluster = await startEmbeddedPostgres({ dataDir, port: pgPort, durable: false });
    ownerUrl = withDatabase(cluster.url, 'nexus_faults');
    const runtimeUrl = new URL(ownerUrl);
    runtimeUrl.username = 'nexus_faults_runtime';
    runtimeUrl.password = crypto.randomBytes(12).toString('hex');
    const config = loadConfig({
      DATABASE_OWNER_URL: ownerUrl,
      DATABASE_URL: runtimeUrl.toString(),
      PORT: String(await freeLocalPort()),
      SESSION_SECRET: 'faults-session-secret-0123456789-abcdefghij',
      SEED_DEMO_DATA: 'false',
      // A small pool with a short wait, for the exhaustion case; the sealer runs all along.
      DB_POOL_MAX: '2',
      DB_POOL_ACQUIRE_MS: '1000',
      AUDIT_SEAL_SECONDS: '1',
    });
    log = recordingLogger();
    running = await startServer(config, log.logger);
    base = running.url.replace(/\/admin$/, '');
    await owner(PAUSE_POINT_SQL);
    // As the owner (the app's login may not release a traveler without approval). Opening a
    // connection binds the models to it: bound back to the app's afterwards.
    const setup = createSequelize({ url: ownerUrl, poolMax: 1, acquireTimeoutMs: 10_000 });
    try {
      people = await addPeople(setup);
      floor = await buildFloor({ sequelize: setup });
    } finally {
      await setup.close();
      initSchema(running.sequelize);
    }
    engineer = await signIn(base, people.engineer);
  }, 120_000);

  afterAll(async () => {
    quietRollbackWarnings?.mockRestore();
    await running?.close().catch(() => undefined);
    await cluster?.stop().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a connection killed under a request: a clean 503, nothing half-written, the next request works', async () => {
    const id = floor.draft.id;
    const version = await versionOf(engineer, 'travelers', id);
    const before = await notesOf(id);

    const pause = await holdPausePoint(ownerUrl);
    const edit = inFlight(postEdit(engineer, id, version, { notes: 'Edit whose connection is killed' }));
    const [writer] = await pausedWriters(ownerUrl, 1);
    // Held inside its UPDATE, the transaction has already written the row and its audit rows.
    expect(writer).toMatchObject({ wrote: true, wroteAudit: true, query: expect.stringMatching(/^UPDATE "travelers"/) });
    await owner('SELECT pg_terminate_backend($1)', [writer!.pid]);
    const requestId = expectUnavailable(await edit);
    await pause.release();

    expect(await notesOf(id)).toBe(before);
    expect(await auditRowsOf(requestId)).toBe(0);
    expect(log.lines.some((l) => l.requestId === requestId && l.level === 50)).toBe(true);

    // The pool dropped the dead connection: the same edit goes through at once, audited.
    const again = await postEdit(engineer, id, version, { notes: 'Edit after a lost connection' });
    expect(again.body.notice).toMatchObject({ type: 'success' });
    expect(await notesOf(id)).toBe('Edit after a lost connection');
    expect(await auditRowsOf(again.headers['x-request-id'] as string)).toBeGreaterThan(0);
  });

  it('a database restart mid-request: a clean 503, nothing half-written, and the same app recovers without a restart', async () => {
    const id = floor.draft.id;
    const version = await versionOf(engineer, 'travelers', id);
    const before = await notesOf(id);

    const pause = await holdPausePoint(ownerUrl);
    const edit = inFlight(postEdit(engineer, id, version, { notes: 'Edit cut off by a database restart' }));
    const [writer] = await pausedWriters(ownerUrl, 1);
    expect(writer).toMatchObject({ wrote: true, wroteAudit: true });

    // pg_ctl stop -m fast: every backend is terminated, the held transaction among them.
    await cluster!.stop();
    cluster = undefined;
    const requestId = expectUnavailable(await edit);
    await pause.release();

    // While it is down, every request that needs the database fails the same clean way; the process serves on.
    expectUnavailable(await inFlight(engineer.get('/admin/api/resources/travelers/actions/list')));
    expectUnavailable(await inFlight(supertest(base).post('/admin/login').type('form').send({ email: people.quality, password: PASSWORD })));
    expect((await supertest(base).get('/healthz')).status).toBe(200);

    cluster = await startEmbeddedPostgres({ dataDir, port: pgPort, durable: false });

    // Nothing of the cut-off edit is there: neither the change nor an audit row.
    expect(await notesOf(id)).toBe(before);
    expect(await auditRowsOf(requestId)).toBe(0);

    // The same app instance: the session from before the restart still reads, a new sign-in
    // works, and an audited edit goes through.
    const list = await engineer.get('/admin/api/resources/travelers/actions/list');
    expect(list.status).toBe(200);
    // The floor's six travelers.
    expect(list.body.meta.total).toBe(6);
    const quality = await signIn(base, people.quality);
    expect((await quality.get(`/admin/api/resources/travelers/records/${id}/show`)).status).toBe(200);
    const again = await postEdit(engineer, id, version, { notes: 'Edit after the restart' });
    expect(again.body.notice).toMatchObject({ type: 'success' });
    expect(await notesOf(id)).toBe('Edit after the restart');
    const audit = await owner('SELECT actor_username, old_value, new_value FROM audit_logs WHERE request_id = $1 AND field_name = $2', [
      again.headers['x-request-id'],
      'notes',
    ]);
    expect(audit).toEqual([{ actor_username: people.engineer, old_value: before, new_value: 'Edit after the restart' }]);
  }, 60_000);

  it('pool exhaustion: the next request waits out the acquire timeout, then fails with a clean 503, and works once connections are free', async () => {
    const [a, b, c] = [floor.draft.id, floor.running.id, floor.held.id];
    const versions = [await versionOf(engineer, 'travelers', a), await versionOf(engineer, 'travelers', b), await versionOf(engineer, 'travelers', c)];
    const notesBefore = await notesOf(c);

    // Both connections of the pool (DB_POOL_MAX=2) held by transactions waiting inside the database.
    const pause = await holdPausePoint(ownerUrl);
    const first = inFlight(postEdit(engineer, a, versions[0]!, { notes: 'Held edit A' }));
    const second = inFlight(postEdit(engineer, b, versions[1]!, { notes: 'Held edit B' }));
    await pausedWriters(ownerUrl, 2);

    const started = Date.now();
    const refused = await inFlight(postEdit(engineer, c, versions[2]!, { notes: 'Edit while the pool is exhausted' }));
    const elapsed = Date.now() - started;
    const requestId = expectUnavailable(refused);
    // It waited for a connection (DB_POOL_ACQUIRE_MS=1000), then gave up: no hang.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(await notesOf(c)).toBe(notesBefore);
    expect(await auditRowsOf(requestId)).toBe(0);

    // Released, the held edits finish normally and the refused one goes through when repeated.
    await pause.release();
    for (const held of [await first, await second]) {
      expect(held).toMatchObject({ answer: { status: 200, body: { notice: { type: 'success' } } } });
    }
    const again = await postEdit(engineer, c, versions[2]!, { notes: 'Edit while the pool is exhausted' });
    expect(again.body.notice).toMatchObject({ type: 'success' });
    expect(await notesOf(c)).toBe('Edit while the pool is exhausted');
  }, 60_000);

  it('the session pool likewise: a request waiting for a session connection fails with 503 once its timeout has passed, instead of hanging', async () => {
    // A second app on the same database whose session store has one connection and a 1 s wait.
    const sessionPool = createPgPool(running.databaseUrl, 1, () => undefined, undefined, 1_000);
    const app = createApp({
      ctx: running.ctx,
      admin: createAdmin(running.ctx),
      sessionPool,
      sessionSecret: 'faults-session-secret-0123456789-abcdefghij',
      secureCookies: false,
      trustProxy: false,
      idleTimeoutMinutes: 30,
      absoluteSessionHours: 12,
      logger: log.logger,
    });
    const gate = await connect(ownerUrl);
    try {
      const viewer = supertest.agent(app);
      expect((await viewer.post('/admin/login').type('form').send({ email: people.viewer, password: PASSWORD })).status).toBe(302);
      const list = () => inFlight(viewer.get('/admin/api/resources/travelers/actions/list'));

      // The sessions table locked from outside: the first request's session lookup holds the
      // only connection, waiting inside the database; the next one waits for that connection.
      await gate.query('BEGIN');
      await gate.query('LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE');
      const held = list();
      await waitFor('a session lookup to wait on the lock', async () => {
        const rows = await owner(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'nexus-sessions' AND datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows.length === 1 ? true : undefined;
      });
      const started = Date.now();
      const refused = await list();
      const elapsed = Date.now() - started;
      expectUnavailable(refused);
      // It waited for the session connection (1 s), then gave up: an answer, not a hang.
      expect(elapsed).toBeGreaterThanOrEqual(900);

      await gate.query('COMMIT');
      expect(await held).toMatchObject({ answer: { status: 200 } });
      expect(await list()).toMatchObject({ answer: { status: 200 } });
    } finally {
      await gate.query('ROLLBACK').catch(() => undefined);
      await gate.end();
      await sessionPool.end();
    }
  });

  it('after all of it the audit chain verifies', async () => {
    const sequelize = createSequelize({ url: ownerUrl, poolMax: 1, acquireTimeoutMs: 10_000 });
    try {
      await sealAllAuditRows(sequelize);
      const report = await verifyAuditLog(sequelize);
      expect(report).toMatchObject({ ok: true, problem: null, rowsPending: 0 });
      expect(report.rowsChecked).toBeGreaterThan(0);
    } finally {
      await sequelize.close();
    }
    // Every failure above was a logged request failure (or a background job's), never fatal.
    expect(log.lines.filter((l) => Number(l.level) >= 60)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 3: the app process is killed during an approval
// ---------------------------------------------------------------------------------------------

const children: ChildProcess[] = [];

async function killApp(app: AppProcess): Promise<void> {
  app.child.kill('SIGKILL');
  expect(await app.exited).toEqual({ code: null, signal: 'SIGKILL' });
}

describe('the app process is killed during an approval', () => {
  let db: TestDatabase;
  let appEnv: ReturnType<typeof appEnvironment>;
  let env: Record<string, string>;
  let people: Record<Person, string>;
  let travelerId: number;
  let firstRequest: number;
  /** The app started after the first kill, and the approver signed in to it. */
  let appAfterKill: AppProcess | undefined;
  let approver: TestAgent;

  const one = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0] as T;
  const count = async (sql: string, params: unknown[] = []) => Number((await one<{ n: string }>(sql, params)).n);
  const traveler = () => one<{ quantity: number; version: number }>('SELECT quantity, version FROM travelers WHERE id = $1', [travelerId]);
  const approval = (id: number) =>
    one<{ status: string; decided_by_id: number | null; signature_meaning: string | null }>(
      'SELECT status, decided_by_id, signature_meaning FROM approvals WHERE id = $1',
      [id],
    );
  const appliedRows = (id: number) =>
    db.query<{ field_name: string; old_value: string; new_value: string; actor_username: string }>(
      `SELECT field_name, old_value, new_value, actor_username FROM audit_logs WHERE approval_id = $1 AND table_name = 'travelers' ORDER BY id`,
      [id],
    );

  async function sealedChainVerifies(): Promise<void> {
    await sealAllAuditRows(db.sequelize);
    expect(await verifyAuditLog(db.sequelize)).toMatchObject({ ok: true, problem: null, rowsPending: 0 });
  }

  /** As the engineer: change the quantity of the floor's released traveler, which needs approval. */
  async function requestQuantityChange(base: string, quantity: number): Promise<number> {
    const engineer = await signIn(base, people.engineer);
    const res = await postEdit(engineer, travelerId, await versionOf(engineer, 'travelers', travelerId), { quantity, change_reason: 'Customer PO change' });
    expect(res.body.notice).toMatchObject({ type: 'info' });
    return Number(res.body.approvalId);
  }

  function approve(approver: TestAgent, id: number) {
    return approver.post(`/admin/api/resources/approvals/records/${id}/approve`).field('password', PASSWORD).field('comment', 'OK per PO change');
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    people = await addPeople(db.sequelize);
    travelerId = (await buildFloor(db)).released.id;
    appEnv = appEnvironment(db, { SEED_DEMO_DATA: 'false' });
    env = appEnv.env;
    await db.query(PAUSE_POINT_SQL);
  });

  afterAll(async () => {
    await stopApps(children);
    appEnv?.cleanup();
    if (!db) return;
    await db.drop();
    // Roles belong to the whole server: dropped through its maintenance database, the test database being gone.
    await once(withDatabase(db.url, 'postgres'), `DROP ROLE IF EXISTS ${appEnv.runtimeRole}`);
  });

  it('killed while its transaction is inside the database: the request stays pending, nothing of it remains, the chain verifies', async () => {
    const app = await startApp(env, children);
    const before = await traveler();
    firstRequest = await requestQuantityChange(app.base, before.quantity + 5);
    const approverBeforeKill = await signIn(app.base, people.approver);
    const appliedBefore = await count('SELECT count(*) AS n FROM audit_logs WHERE approval_id = $1', [firstRequest]);
    const mailBefore = await count('SELECT count(*) AS n FROM mail_outbox WHERE approval_id = $1', [firstRequest]);

    const pause = await holdPausePoint(db.url);
    const answer = inFlight(approve(approverBeforeKill, firstRequest));
    const [writer] = await pausedWriters(db.url, 1);
    // The approval's transaction has locked the request, updated the traveler and written its audit rows.
    expect(writer).toMatchObject({ wrote: true, wroteAudit: true, query: expect.stringMatching(/^UPDATE "travelers"/) });

    await killApp(app);
    expectNoAnswer(await answer);
    // Let the orphaned backend go on: it can never commit (only its client could), and on
    // finding its client gone it rolls back and ends.
    await pause.release();
    await waitFor('the orphaned transaction to end', async () =>
      (await count('SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1', [writer!.pid])) === 0 ? true : undefined,
    );

    expect(await approval(firstRequest)).toEqual({ status: 'pending', decided_by_id: null, signature_meaning: null });
    expect(await traveler()).toEqual(before);
    expect(await count('SELECT count(*) AS n FROM audit_logs WHERE approval_id = $1', [firstRequest])).toBe(appliedBefore);
    expect((await appliedRows(firstRequest)).rows).toEqual([]);
    expect(await count('SELECT count(*) AS n FROM mail_outbox WHERE approval_id = $1', [firstRequest])).toBe(mailBefore);
    await sealedChainVerifies();
  }, 120_000);

  it('a fresh app approves it once, fully applied, with the audit rows carrying the approval', async () => {
    appAfterKill = await startApp(env, children);
    const before = await traveler();
    approver = await signIn(appAfterKill.base, people.approver);
    const res = await approve(approver, firstRequest);
    expect(res.status).toBe(200);
    expect(res.body.notice).toMatchObject({ type: 'success' });
    expect(await approval(firstRequest)).toMatchObject({ status: 'approved', signature_meaning: 'approved' });
    const applied = await traveler();
    expect(applied).toEqual({ quantity: before.quantity + 5, version: before.version + 1 });
    expect((await appliedRows(firstRequest)).rows).toEqual(
      expect.arrayContaining([
        { field_name: 'quantity', old_value: String(before.quantity), new_value: String(before.quantity + 5), actor_username: people.approver },
      ]),
    );
    // Once only: a second approval of the same request is refused and changes nothing.
    const twice = await approve(approver, firstRequest);
    expect(twice.status).toBe(409);
    expect(await traveler()).toEqual(applied);
    await sealedChainVerifies();
  }, 120_000);

  it('killed right after the commit, before the answer went out: the change is all there, with its audit rows, and the chain verifies', async () => {
    const app = appAfterKill!;
    const applied = await traveler();
    const secondRequest = await requestQuantityChange(app.base, applied.quantity + 7);
    const pause = await holdPausePoint(db.url);
    const answer = inFlight(approve(approver, secondRequest));
    let answered = false;
    void answer.then(() => (answered = true));
    const [writer] = await pausedWriters(db.url, 1);
    // The test queues for an exclusive lock on approvals behind the held transaction. It gets
    // it the moment that transaction commits, and then the app's next read of approvals (the
    // answer to the request) waits behind the test: committed, but not yet answered.
    const gate = await connect(db.url);
    try {
      const gatePid = (await gate.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await gate.query('BEGIN');
      const gated = gate.query('LOCK TABLE approvals IN ACCESS EXCLUSIVE MODE');
      await waitFor('the test to queue for the lock on approvals', async () =>
        (await count(`SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [gatePid])) === 1 ? true : undefined,
      );
      await pause.release();
      await gated;
      expect((await gate.query('SELECT status FROM approvals WHERE id = $1', [secondRequest])).rows).toEqual([{ status: 'approved' }]);
      // The app, past its commit, waits to read the request back for its answer.
      await waitFor('the app to wait behind the test', async () =>
        (await count(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'nexus' AND wait_event_type = 'Lock' AND wait_event = 'relation'`,
        )) > 0
          ? true
          : undefined,
      );
      expect(answered).toBe(false);
      await killApp(app);
      await gate.query('ROLLBACK');
    } finally {
      await gate.end();
    }
    expectNoAnswer(await answer);
    expect(writer).toMatchObject({ wrote: true, wroteAudit: true });

    expect(await approval(secondRequest)).toMatchObject({ status: 'approved', signature_meaning: 'approved' });
    expect(await traveler()).toEqual({ quantity: applied.quantity + 7, version: applied.version + 1 });
    expect((await appliedRows(secondRequest)).rows).toEqual(
      expect.arrayContaining([
        { field_name: 'quantity', old_value: String(applied.quantity), new_value: String(applied.quantity + 7), actor_username: people.approver },
      ]),
    );
    expect(await count(`SELECT count(*) AS n FROM mail_outbox WHERE approval_id = $1 AND subject LIKE '%was approved'`, [secondRequest])).toBe(1);
    await sealedChainVerifies();
  }, 120_000);
});
