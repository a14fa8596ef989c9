import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { systemActor } from '../src/audit/actor.js';
import { loadConfig, ConfigError } from '../src/config/config.js';
import { createSequelize } from '../src/db/database.js';
import { createMigrator } from '../src/db/migrator.js';
import { endOfWrittenWal, lagNotice, lsnValue } from '../src/db/read-replica.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { Customer, User } from '../src/models/index.js';
import { appEnvironment, startApp, stopApps, waitFor, type AppProcess } from './support/app-process.js';
import { pgBasebackupBinary, startReplicatedPair, type ReplicatedPair } from './support/replica-cluster.js';
import type { TestDatabase } from './support/test-database.js';

/**
 * Two app processes with DATABASE_REPLICA_URL, over a primary and a real streaming replica made
 * with pg_basebackup: the audit log's list, its CSV export and the dashboard's figures are read
 * from the replica; writes, History and anything a person must see right after their own change
 * from the primary; a replica too far behind, or gone, hands its reads back to the primary.
 * Replay is paused on the replica (pg_wal_replay_pause) to make it lag on purpose.
 */

// Where pg_basebackup 15 cannot be had (a machine without PostgreSQL's own tools), one line says
// so; .ci/run requires it (NEXUS_REQUIRE_SCALING_TOOLS=1), so CI never passes without this suite.
const basebackup = pgBasebackupBinary();
if (!basebackup && process.env.NEXUS_REQUIRE_SCALING_TOOLS === '1')
  throw new Error('pg_basebackup 15 is required here (NEXUS_REQUIRE_SCALING_TOOLS=1) and is not installed');
if (!basebackup) console.warn('test/read-replica.test.ts: skipped: pg_basebackup 15 is not installed (Debian: apt-get install postgresql-15).');
const describeWithReplica = basebackup ? describe : describe.skip;

const DATABASE = 'nexus_replica';
const PASSWORD = 'replica-people-passphrase-7';
type Person = 'editor' | 'reviewer';

let pair: ReplicatedPair;
let appEnv: ReturnType<typeof appEnvironment>;
/** `patient`: a replica may be 3600 s behind; `strict`: at most 2 s. */
let patient: AppProcess;
let strict: AppProcess;
const children: ChildProcess[] = [];
let customerId: number;

async function signIn(app: AppProcess, person: Person): Promise<TestAgent> {
  const agent = supertest.agent(app.base);
  const res = await agent
    .post('/admin/login')
    .type('form')
    .send({ email: `replica.${person}`, password: PASSWORD });
  if (res.status !== 302) throw new Error(`sign-in as ${person} failed with ${res.status}`);
  return agent;
}

interface AuditPage {
  rows: Array<{ field_name: string; new_value: string | null }>;
  readFrom: string;
  lagSeconds: number;
  skipped?: string;
  notice?: string;
}

async function auditOfCustomer(agent: TestAgent): Promise<AuditPage> {
  const res = await agent.get(`/admin/api/resources/audit_logs/actions/list?filters.table_name=customers&filters.record_id=${customerId}&perPage=50`);
  expect(res.status).toBe(200);
  return {
    rows: res.body.records.map((r: { params: AuditPage['rows'][number] }) => ({ field_name: r.params.field_name, new_value: r.params.new_value })),
    readFrom: res.body.meta.readFrom,
    lagSeconds: res.body.meta.lagSeconds,
    skipped: res.body.meta.replicaSkipped,
    notice: res.body.notice?.message,
  };
}

const contactNames = (page: AuditPage) => page.rows.filter((r) => r.field_name === 'contact_name').map((r) => r.new_value);

/** A change to the customer written straight on the primary as the system, so that nobody's session knows of it. */
async function changeOnPrimary(contact: string): Promise<void> {
  await pair.query(
    'primary',
    `WITH actor AS (SELECT set_config('nexus.actor', $1, true), set_config('nexus.request_id', 'test-replica', true))
     UPDATE customers SET contact_name = $2, version = version + 1 FROM actor WHERE id = $3`,
    [JSON.stringify(systemActor('test:replica')), contact, customerId],
    DATABASE,
  );
}

/** The customer's contact changed through the panel's edit form, as `agent`. */
async function editInPanel(agent: TestAgent, contact: string): Promise<void> {
  const shown = await agent.get(`/admin/api/resources/customers/records/${customerId}/show`);
  expect(shown.status).toBe(200);
  const saved = await agent
    .post(`/admin/api/resources/customers/records/${customerId}/edit`)
    .field('version', String(shown.body.record.params.version))
    .field('contact_name', contact);
  expect(saved.status).toBe(200);
  expect(saved.body.record.errors ?? {}).toEqual({});
}

const replayPaused = async (paused: boolean) => {
  await pair.query('replica', paused ? 'SELECT pg_wal_replay_pause()' : 'SELECT pg_wal_replay_resume()');
};

/** Waits until the replica has replayed everything the primary has written so far. */
async function caughtUp(): Promise<void> {
  // The insert position: commits not yet flushed (the test cluster runs with synchronous_commit off) count too.
  const [primary] = await pair.query<{ lsn: string }>('primary', 'SELECT pg_current_wal_insert_lsn()::text AS lsn');
  const written = lsnValue(endOfWrittenWal(primary!.lsn));
  await waitFor('the replica to replay the primary', async () => {
    const [replica] = await pair.query<{ replayed: string }>('replica', 'SELECT pg_last_wal_replay_lsn()::text AS replayed');
    return lsnValue(replica!.replayed) >= written ? true : undefined;
  });
}

describe('read replica settings', () => {
  it('need the primary they replicate, and a lag limit in whole seconds', () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URL: 'postgres://r@replica/nexus' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://a@primary/nexus', DATABASE_REPLICA_URL: 'mysql://r@replica/nexus' })).toThrow(
      /DATABASE_REPLICA_URL must be a postgres/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'postgres://a@p/n', DATABASE_REPLICA_URL: 'postgres://r@r/n', DATABASE_REPLICA_MAX_LAG_SECONDS: '0' })).toThrow(
      /DATABASE_REPLICA_MAX_LAG_SECONDS/,
    );
    const config = loadConfig({ DATABASE_URL: 'postgres://a@p/n', DATABASE_REPLICA_URL: 'postgres://r@r/n' });
    expect(config.DATABASE_REPLICA_MAX_LAG_SECONDS).toBe(30);
  });

  it('say nothing of a lag under two seconds, and how far behind when more', () => {
    expect(lagNotice({ source: 'replica', lagSeconds: 1.4 }, 'audit rows')).toBeNull();
    expect(lagNotice({ source: 'primary', lagSeconds: 0 }, 'audit rows')).toBeNull();
    expect(lagNotice({ source: 'replica', lagSeconds: 12.2 }, 'audit rows')).toBe(
      'These audit rows come from the reporting copy of the database, 12 s behind: changes of the last 12 s may not be shown yet.',
    );
    expect(lsnValue('1/0') > lsnValue('0/FFFFFFFF')).toBe(true);
    expect(() => lsnValue('1/0; DROP')).toThrow(/not a WAL position/);
    // Past a page header (short, long at a segment's start) is where the record before it ended.
    expect(endOfWrittenWal('0/3002018')).toBe('0/3002000');
    expect(endOfWrittenWal('0/3000028')).toBe('0/3000000');
    expect(endOfWrittenWal('0/3002580')).toBe('0/3002580');
    expect(endOfWrittenWal('1A/B0')).toBe('1A/B0');
  });
});

describeWithReplica('with a streaming replica', () => {
  beforeAll(async () => {
    pair = await startReplicatedPair(async (primaryUrl) => {
      const url = new URL(primaryUrl);
      url.pathname = `/${DATABASE}`;
      const { default: pg } = await import('pg');
      const server = new pg.Client({ connectionString: primaryUrl });
      await server.connect();
      await server.query(`CREATE DATABASE ${DATABASE}`);
      await server.end();
      // Migrated as the owner, people and a customer made, all before the base backup: the replica starts with them.
      const owner = createSequelize({ url: url.toString(), poolMax: 2, acquireTimeoutMs: 10_000, preparedReads: false });
      try {
        await createMigrator(owner).up();
        await inTransaction(owner, systemActor('test:setup'), async (options) => {
          for (const [person, role] of [
            ['editor', 'admin'],
            ['reviewer', 'quality'],
          ] as const) {
            await User.create(
              { username: `replica.${person}`, email: `${person}@replica.example`, full_name: `Replica ${person}`, role, password: PASSWORD } as never,
              options,
            );
          }
          const customer = await Customer.create({ code: 'REPL-1', name: 'Replica Castings', contact_name: 'First buyer' } as never, options);
          customerId = customer.id;
        });
      } finally {
        await owner.close();
      }
    });
    appEnv = appEnvironment({ url: pair.url('primary', DATABASE) } as TestDatabase, {
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'info',
      DB_POOL_MAX: '4',
    });
    const runtime = new URL(appEnv.env.DATABASE_URL!);
    const replicaUrl = pair.url('replica', DATABASE, { user: decodeURIComponent(runtime.username), password: decodeURIComponent(runtime.password) });
    [patient, strict] = await Promise.all([
      startApp({ ...appEnv.env, DATABASE_REPLICA_URL: replicaUrl, DATABASE_REPLICA_MAX_LAG_SECONDS: '3600' }, children),
      startApp({ ...appEnv.env, DATABASE_REPLICA_URL: replicaUrl, DATABASE_REPLICA_MAX_LAG_SECONDS: '2' }, children),
    ]);
    // The runtime login is made by the app at its start, on the primary: the replica has it once it
    // replays that, and an app that found the replica unable to serve asks it again a few seconds on.
    await caughtUp();
    const reviewers = await Promise.all([signIn(patient, 'reviewer'), signIn(strict, 'reviewer')]);
    for (const reviewer of reviewers) {
      await waitFor('the app to read from the replica', async () => ((await auditOfCustomer(reviewer)).readFrom === 'replica' ? true : undefined), 30_000);
    }
  }, 240_000);

  afterAll(async () => {
    await stopApps(children);
    appEnv?.cleanup();
    await pair?.stop();
  });

  it('serves the audit log, its export and the dashboard from the replica, and a change reaches them once replayed', async () => {
    const reviewer = await signIn(patient, 'reviewer');
    let delivered = -1;
    // Signing in is written too (its audit row): the replica serves this person once it has that.
    await caughtUp();
    await replayPaused(true);
    try {
      await changeOnPrimary('Second buyer');
      const page = await auditOfCustomer(reviewer);
      // The replica does not have it yet: the page proves where it was read.
      expect(page.readFrom).toBe('replica');
      expect(contactNames(page)).not.toContain('Second buyer');
      const dashboard = await reviewer.get('/admin/api/dashboard');
      expect(dashboard.status).toBe(200);
      expect(dashboard.body.readFrom).toMatchObject({ source: 'replica' });
      const csv = await reviewer.get(`/admin/exports/audit-logs.csv?filters.table_name=customers&filters.record_id=${customerId}`);
      expect(csv.status).toBe(200);
      expect(csv.headers['x-read-from']).toBe('replica');
      expect(csv.text).toContain('First buyer');
      expect(csv.text).not.toContain('Second buyer');
      delivered = csv.text.trim().split('\r\n').length - 1;
      expect(Number(csv.headers['x-row-count'])).toBe(delivered);
      // History is the primary's: it shows the change the replica lacks.
      const history = await reviewer.get(`/admin/api/resources/customers/records/${customerId}/history`);
      expect(JSON.stringify(history.body)).toContain('Second buyer');
    } finally {
      await replayPaused(false);
    }
    await caughtUp();
    const after = await auditOfCustomer(reviewer);
    expect(after.readFrom).toBe('replica');
    expect(contactNames(after)).toContain('Second buyer');
    // The export itself was recorded on the primary, with the count it delivered and where its rows came from.
    const exports = await pair.query<{ details: { rowCount: number; readFrom?: string } }>(
      'primary',
      `SELECT details FROM audit_logs WHERE action = 'export' ORDER BY id`,
      [],
      DATABASE,
    );
    expect(exports.map((e) => e.details)).toEqual([expect.objectContaining({ rowCount: delivered, readFrom: 'replica' })]);
  });

  it('shows a person their own change at once: their reads take the primary until the replica has replayed it', async () => {
    const [editor, reviewer] = await Promise.all([signIn(patient, 'editor'), signIn(patient, 'reviewer')]);
    await caughtUp();
    expect((await auditOfCustomer(editor)).readFrom).toBe('replica');
    await replayPaused(true);
    try {
      await editInPanel(editor, 'Own buyer');
      const own = await auditOfCustomer(editor);
      expect(own.readFrom).toBe('primary');
      expect(contactNames(own)).toContain('Own buyer');
      const dashboard = await editor.get('/admin/api/dashboard');
      expect(dashboard.body.readFrom).toMatchObject({ source: 'primary', notice: null });
      // Someone else, who changed nothing, still reads the replica, without it.
      const other = await auditOfCustomer(reviewer);
      expect(other.readFrom).toBe('replica');
      expect(contactNames(other)).not.toContain('Own buyer');
      // The form after save is the primary's.
      const form = await editor.get(`/admin/api/resources/customers/records/${customerId}/show`);
      expect(form.body.record.params.contact_name).toBe('Own buyer');
    } finally {
      await replayPaused(false);
    }
    await caughtUp();
    const later = await auditOfCustomer(editor);
    expect(later.readFrom).toBe('replica');
    expect(contactNames(later)).toContain('Own buyer');
  });

  it("counts an export as the person's own write: their next audit page shows its row", async () => {
    const [exporter, other] = await Promise.all([signIn(patient, 'reviewer'), signIn(patient, 'editor')]);
    await caughtUp();
    await replayPaused(true);
    try {
      const csv = await exporter.get(`/admin/exports/audit-logs.csv?filters.table_name=customers&filters.record_id=${customerId}`);
      expect(csv.status).toBe(200);
      const list = async (agent: TestAgent) => {
        const res = await agent.get('/admin/api/resources/audit_logs/actions/list?filters.table_name=audit_logs&filters.action=export&perPage=50');
        expect(res.status).toBe(200);
        return { readFrom: res.body.meta.readFrom as string, exports: res.body.records.length as number };
      };
      const mine = await list(exporter);
      const theirs = await list(other);
      expect(mine.readFrom).toBe('primary');
      expect(theirs.readFrom).toBe('replica');
      // The primary holds this export's row; the paused replica does not yet.
      expect(mine.exports).toBe(theirs.exports + 1);
    } finally {
      await replayPaused(false);
    }
  });

  it('says how far behind the replica is, and an app whose limit it passes reads the primary instead', async () => {
    const [patientReviewer, strictReviewer] = await Promise.all([signIn(patient, 'reviewer'), signIn(strict, 'reviewer')]);
    await caughtUp();
    expect((await auditOfCustomer(strictReviewer)).readFrom).toBe('replica');
    await replayPaused(true);
    try {
      await changeOnPrimary('Lagged buyer');
      // The replica falls behind while replay is paused: the patient app keeps reading it, and says so.
      const lagging = await waitFor('the replica to be 3 s behind', async () => {
        const page = await auditOfCustomer(patientReviewer);
        return page.lagSeconds >= 3 ? page : undefined;
      });
      expect(lagging.readFrom).toBe('replica');
      expect(lagging.notice).toMatch(/^These audit rows come from the reporting copy of the database, \d+ s behind/);
      expect(contactNames(lagging)).not.toContain('Lagged buyer');
      const dashboard = await patientReviewer.get('/admin/api/dashboard');
      expect(dashboard.body.readFrom.source).toBe('replica');
      expect(dashboard.body.readFrom.notice).toMatch(/^These figures come from the reporting copy/);
      // The strict app (2 s) reads the primary: the change is there, and nothing is said of a lag.
      const strictPage = await auditOfCustomer(strictReviewer);
      expect(strictPage.readFrom).toBe('primary');
      expect(strictPage.notice).toBeUndefined();
      expect(contactNames(strictPage)).toContain('Lagged buyer');
    } finally {
      await replayPaused(false);
    }
  });

  it('hands the reads back to the primary when the replica is gone, and every page still answers', async () => {
    const reviewer = await signIn(patient, 'reviewer');
    const outages = () =>
      patient.output
        .join('')
        .split('\n')
        .filter((line) => line.includes('the read replica does not answer')).length;
    const before = outages();
    await pair.stopReplica();
    const page = await auditOfCustomer(reviewer);
    expect(page.readFrom).toBe('primary');
    expect(contactNames(page)).toEqual(expect.arrayContaining(['Second buyer', 'Own buyer', 'Lagged buyer']));
    const csv = await reviewer.get(`/admin/exports/audit-logs.csv?filters.table_name=customers&filters.record_id=${customerId}`);
    expect(csv.status).toBe(200);
    expect(csv.headers['x-read-from']).toBe('primary');
    const dashboard = await reviewer.get('/admin/api/dashboard');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.readFrom.source).toBe('primary');
    // Said once in the app's log, not on every read.
    await auditOfCustomer(reviewer);
    expect(outages()).toBe(before + 1);
  });
});
