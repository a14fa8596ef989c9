import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { QueryTypes } from 'sequelize';
import { systemActor } from '../src/audit/actor.js';
import { archiveAuditPartitions, ensureAuditPartitions } from '../src/audit/audit-partition.service.js';
import { sealAuditLog, type SealResult } from '../src/audit/audit-seal.service.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import { createSequelize, withDatabase } from '../src/db/database.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { Customer } from '../src/models/index.js';
import { sealAllAuditRows } from './support/audit-seal.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

let db: TestDatabase;
let floor: Floor;

beforeAll(async () => {
  db = await createTestDatabase();
  // A log with a shop's history in it: every row the floor's records were made and moved with.
  floor = await buildFloor(db);
});
afterAll(async () => {
  await db.drop();
});

/** Tampering as a superuser would: with every trigger switched off for the session. */
async function tamper(sql: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** The oldest audit row about a field of one record. */
async function row(table: string, recordId: number, field: string): Promise<Record<string, unknown>> {
  const found = await db.query('SELECT * FROM audit_logs WHERE table_name = $1 AND record_id = $2 AND field_name = $3 ORDER BY id LIMIT 1', [
    table,
    String(recordId),
    field,
  ]);
  return found.rows[0]!;
}

describe('tamper evidence', () => {
  it('reports OK on an intact log and names the first altered, removed or inserted entry', async () => {
    const present = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs')).rows[0]!.n;
    const sealed = await sealAllAuditRows(db.sequelize);
    expect(sealed.rowsSealed).toBe(present);
    expect(sealed.rowsSealed).toBeGreaterThan(100);
    const intact = await verifyAuditLog(db.sequelize);
    expect(intact).toMatchObject({ ok: true, rowsChecked: sealed.lastPosition, problem: null });

    // Altered: someone rewrites what an old row says.
    const victim = await row('parts', floor.parts.manifold.id, 'description');
    expect(victim.new_value).toBe('Hydraulic manifold block, 6061-T6');
    await tamper('UPDATE audit_logs SET new_value = $1 WHERE id = $2', ['Nothing to see here', victim.id]);
    const altered = await verifyAuditLog(db.sequelize);
    expect(altered.problem).toMatchObject({ kind: 'altered', auditId: String(victim.id) });
    await tamper('UPDATE audit_logs SET new_value = $1 WHERE id = $2', [victim.new_value, victim.id]);
    expect((await verifyAuditLog(db.sequelize)).ok).toBe(true);

    // Removed: someone deletes an embarrassing row.
    const removedRow = await row('travelers', floor.completed.id, 'status');
    await tamper('CREATE TABLE removed_copy AS SELECT * FROM audit_logs WHERE id = $1', [removedRow.id]);
    await tamper('DELETE FROM audit_logs WHERE id = $1', [removedRow.id]);
    const removed = await verifyAuditLog(db.sequelize);
    expect(removed.problem).toMatchObject({ kind: 'removed', auditId: String(removedRow.id) });
    await tamper('INSERT INTO audit_logs SELECT * FROM removed_copy');
    expect((await verifyAuditLog(db.sequelize)).ok).toBe(true);

    // Inserted: someone back-dates a row into the sealed past.
    const sealedTxid = (await db.query<{ t: string }>('SELECT txid::text AS t FROM audit_logs ORDER BY id LIMIT 1')).rows[0]!.t;
    const forged = await db.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('audit_logs', 'id'))::text AS id`);
    await tamper(
      `INSERT INTO audit_logs (id, occurred_at, txid, change_id, action, table_name, record_id, field_name, old_value, new_value, actor_kind, actor_username)
       VALUES ($1, now() - interval '1 day', $2::xid8, gen_random_uuid(), 'update', 'parts', '1', 'description', 'a', 'b', 'system', 'system:forger')`,
      [forged.rows[0]!.id, sealedTxid],
    );
    const inserted = await verifyAuditLog(db.sequelize);
    expect(inserted.problem).toMatchObject({ kind: 'inserted', auditId: forged.rows[0]!.id });
    await tamper('DELETE FROM audit_logs WHERE id = $1', [forged.rows[0]!.id]);
    expect((await verifyAuditLog(db.sequelize)).ok).toBe(true);

    // The chain itself rewritten to match an altered row is caught too.
    await tamper('UPDATE audit_logs SET new_value = $1 WHERE id = $2', ['Rewritten', victim.id]);
    await tamper(`UPDATE audit_chain c SET row_hash = audit_row_hash(a) FROM audit_logs a WHERE a.id = c.audit_id AND a.id = $1`, [victim.id]);
    const rewritten = await verifyAuditLog(db.sequelize);
    expect(rewritten.problem).toMatchObject({ kind: 'chain_broken', auditId: String(victim.id) });
  });
});

describe('a transaction open elsewhere on the server', () => {
  it('holds sealing back without losing a row, and the rows are chained once it ends', async () => {
    const fresh = await createTestDatabase();
    // Another database's long transaction, as another test file's (or a report's) would be.
    const elsewhere = new pg.Client({ connectionString: withDatabase(fresh.url, 'postgres') });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      await inTransaction(fresh.sequelize, systemActor('test'), async (options) => {
        await Customer.create({ code: 'HELD', name: 'Held back' } as never, options);
      });
      const held = await sealAuditLog(fresh.sequelize);
      expect({ rowsSealed: held.rowsSealed, lastPosition: held.lastPosition }).toEqual({ rowsSealed: 0, lastPosition: 0 });
      expect(await verifyAuditLog(fresh.sequelize)).toMatchObject({ ok: true, rowsChecked: 0, rowsPending: expect.any(Number) });

      const sealing = sealAllAuditRows(fresh.sequelize);
      await elsewhere.query('COMMIT');
      const sealed = await sealing;
      const rows = (await fresh.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs')).rows[0]!.n;
      expect(rows).toBeGreaterThan(0);
      expect({ rowsSealed: sealed.rowsSealed, lastPosition: sealed.lastPosition }).toEqual({ rowsSealed: rows, lastPosition: rows });
      expect(await verifyAuditLog(fresh.sequelize)).toMatchObject({ ok: true, rowsChecked: rows, rowsPending: 0 });
    } finally {
      await elsewhere.end();
      await fresh.drop();
    }
  });
});

describe('many writers at once', () => {
  it('50 writers with their transactions open at once, sealed while they write, leave one unforked chain that verifies', async () => {
    const WRITERS = 50;
    const fresh = await createTestDatabase();
    // A pool with room for every writer's transaction at once and the sealers beside them (the
    // test database's own holds 8). It binds the models to itself; the tests after this one each
    // bind them again to a database of their own.
    const sequelize = createSequelize({ url: fresh.url, poolMax: 60, acquireTimeoutMs: 30_000 });
    let started = 0;
    let sealers: Array<Promise<SealResult>> = [];
    let allStarted!: () => void;
    const everyoneIn = new Promise<void>((resolve) => (allStarted = resolve));
    // A deadline rather than a hang if the writers cannot all be in flight together.
    let deadline: NodeJS.Timeout | undefined;
    const barrier = Promise.race([
      everyoneIn,
      new Promise<never>((_, reject) => {
        deadline = setTimeout(() => reject(new Error(`only ${started} of ${WRITERS} writers had their transaction open at once`)), 30_000);
      }),
    ]);
    barrier.catch(() => undefined); // reported by the writers that wait on it
    try {
      const writers = Array.from({ length: WRITERS }, (_, i) =>
        inTransaction(sequelize, systemActor(`writer-${i}`), async (options) => {
          const c = await Customer.create({ code: `W${i}`, name: `Writer ${i}` } as never, options);
          const [backend] = await sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', {
            type: QueryTypes.SELECT,
            transaction: options.transaction,
          });
          started += 1;
          if (started === WRITERS) {
            // Every writer has written and holds its transaction open: seal now, then let them go on.
            sealers = Array.from({ length: 5 }, () => sealAuditLog(sequelize));
            allStarted();
          }
          await barrier;
          await c.update({ name: `Writer ${i} (updated)` }, options);
          return backend!.pid;
        }),
      );
      const pids = await Promise.all(writers);
      expect(sealers).toHaveLength(5);
      await Promise.all(sealers);
      // Each on a connection of its own: 50 transactions in flight together, not a pool's worth in turn.
      expect(new Set(pids).size).toBe(WRITERS);
      await sealAuditLog(sequelize);
      const report = await verifyAuditLog(sequelize);
      expect(report.ok).toBe(true);
      // Transaction ids are cluster-wide: a transaction still open in another database (another
      // test file) holds the sealing horizon back, so some rows may wait for a later seal. Every
      // row is either in the chain or counted as pending, never lost and never chained twice.
      const rows = (await fresh.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs')).rows[0]!.n;
      expect(rows).toBe(WRITERS * 5);
      expect(report.rowsChecked + report.rowsPending).toBe(rows);
      // One chain: positions 1..n with no gaps or duplicates, each audit row at most once.
      const chain = (
        await fresh.query<{ n: number; max: number | null; distinct_rows: number }>(
          'SELECT count(*)::int AS n, max(position)::int AS max, count(DISTINCT audit_id)::int AS distinct_rows FROM audit_chain',
        )
      ).rows[0]!;
      expect(chain).toEqual({ n: report.rowsChecked, max: report.rowsChecked || null, distinct_rows: report.rowsChecked });
    } finally {
      clearTimeout(deadline);
      await sequelize.close();
      await fresh.drop();
    }
  });
});

describe('archived months', () => {
  it('detaches old partitions without dropping them, and the chain still verifies through them', async () => {
    const fresh = await createTestDatabase();
    try {
      await ensureAuditPartitions(fresh.sequelize, 0, '2024-01-01');
      await fresh.query(
        `INSERT INTO audit_logs (occurred_at, change_id, action, actor_kind, actor_username)
         SELECT '2024-01-15T10:00:00Z'::timestamptz + make_interval(hours => g), gen_random_uuid(), 'login', 'system', 'system:import'
           FROM generate_series(1, 20) g`,
      );
      await inTransaction(fresh.sequelize, systemActor('test'), async (options) => {
        await Customer.create({ code: 'NOW', name: 'Current month' } as never, options);
      });
      await sealAllAuditRows(fresh.sequelize);
      expect(await archiveAuditPartitions(fresh.sequelize, '2024-02-01')).toBe(1);
      const archive = (await fresh.query<{ table_name: string; row_count: string }>('SELECT table_name, row_count::text FROM audit_archives')).rows;
      expect(archive).toEqual([{ table_name: 'audit_logs_2024_01', row_count: '20' }]);
      expect((await fresh.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs_2024_01')).rows[0]!.n).toBe(20);
      expect((await fresh.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE occurred_at < '2024-02-01'`)).rows[0]!.n).toBe(0);
      expect(await verifyAuditLog(fresh.sequelize)).toMatchObject({ ok: true });
    } finally {
      await fresh.drop();
    }
  });
});

describe('npm run audit:verify', () => {
  it('prints OK and exits 0 on an intact log, and names the tampered row with exit 1', async () => {
    const fresh = await createTestDatabase();
    try {
      await inTransaction(fresh.sequelize, systemActor('test'), async (options) => {
        await Customer.create({ code: 'CLI', name: 'Command line' } as never, options);
      });
      const run = () =>
        spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/audit.ts'], {
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL: fresh.url, NODE_ENV: 'development' },
          timeout: 60_000,
        });
      // The row must be in the chain before it is altered, or the tampering would be sealed.
      await sealAllAuditRows(fresh.sequelize);
      const ok = run();
      expect(ok.stdout).toMatch(/^OK: \d+ audit rows verified/);
      expect(ok.status).toBe(0);

      const target = (await fresh.query<{ id: string }>(`SELECT id::text AS id FROM audit_logs WHERE field_name = 'name' LIMIT 1`)).rows[0]!.id;
      expect((await fresh.query('SELECT 1 FROM audit_chain WHERE audit_id = $1', [target])).rowCount).toBe(1);
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      await client.query('SET session_replication_role = replica');
      await client.query(`UPDATE audit_logs SET new_value = 'Someone else' WHERE id = $1`, [target]);
      await client.end();
      const bad = run();
      expect(bad.stdout).toContain(`TAMPERED: audit row ${target} (chain position`);
      expect(bad.status).toBe(1);
    } finally {
      await fresh.drop();
    }
  }, 120_000);
});
