import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { recordAuditAnchor } from '../src/audit/audit-anchor.service.js';
import { verifyAuditLog, type VerifyReport } from '../src/audit/audit-verify.service.js';
import { sealAllAuditRows } from './support/audit-seal.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * audit:verify --incremental: from the newest anchor to the head. What it checks, and what only
 * the full mode does (re-reading every row before the anchor).
 */

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await db.drop();
});

const one = async <T>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0] as T;
const count = async (sql: string, params: unknown[] = []) => (await one<{ n: number }>(sql, params)).n;

/** Audited changes: each new customer writes an audit row per field it sets. */
async function writeCustomers(tag: string, n: number): Promise<void> {
  await db.query(`INSERT INTO customers (code, name) SELECT $1 || g, 'Customer ' || $1 || g FROM generate_series(1, $2::int) g`, [tag, n]);
}

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

/** What audit:verify does after a run that verified: anchor where it ended. */
async function anchorAfter(report: VerifyReport): Promise<number> {
  expect(report.ok).toBe(true);
  const outcome = await recordAuditAnchor(db.sequelize, {
    position: report.lastPosition,
    headHash: report.headHash!,
    newestOccurredAt: report.newestOccurredAt!,
    mode: report.mode,
    fromPosition: report.start?.position ?? 0,
    verifiedWith: 'test',
  });
  if (outcome.kind !== 'recorded') throw new Error(`no anchor: ${outcome.reason}`);
  return outcome.id;
}

/** A full verification with an anchor at its end; the chain's length there. */
async function verifiedAndAnchored(): Promise<{ anchorId: number; position: number }> {
  await sealAllAuditRows(db.sequelize);
  const full = await verifyAuditLog(db.sequelize);
  return { anchorId: await anchorAfter(full), position: full.lastPosition };
}

const incremental = () => verifyAuditLog(db.sequelize, { mode: 'incremental' });

describe('incremental after full', () => {
  it('verifies only the rows chained since the anchor, reports how many, and anchors where it ended', async () => {
    await writeCustomers('A', 5);
    const before = await count('SELECT count(*)::int AS n FROM audit_logs');
    await sealAllAuditRows(db.sequelize);
    const full = await verifyAuditLog(db.sequelize);
    expect(full).toMatchObject({ ok: true, mode: 'full', start: null, rowsChecked: before, lastPosition: before });
    const firstAnchor = await anchorAfter(full);

    // The anchor holds the chain's own hash at its position, the seal's horizon there, the database's clock and login.
    const anchor = await one<Record<string, unknown>>(
      `SELECT a.position::int AS position, a.chain_hash = c.chain_hash AS chain_hash_matches, a.txid_horizon = s.txid_horizon AS horizon_matches,
              a.mode, a.from_position::int AS from_position, a.rows_checked::int AS rows_checked, a.recorded_by = session_user AS by_login,
              a.recorded_at > now() - interval '1 minute' AND a.recorded_at <= now() AS on_database_clock, a.verified_with,
              a.newest_occurred_at = (SELECT max(occurred_at) FROM audit_logs) AS newest_matches
         FROM audit_anchors a JOIN audit_chain c ON c.position = a.position JOIN audit_seals s ON s.last_position = a.position
        WHERE a.id = $1`,
      [firstAnchor],
    );
    expect(anchor).toEqual({
      position: before,
      chain_hash_matches: true,
      horizon_matches: true,
      mode: 'full',
      from_position: 0,
      rows_checked: before,
      by_login: true,
      on_database_clock: true,
      verified_with: 'test',
      newest_matches: true,
    });

    await writeCustomers('B', 3);
    const added = (await count('SELECT count(*)::int AS n FROM audit_logs')) - before;
    expect(added).toBeGreaterThan(3);
    await sealAllAuditRows(db.sequelize);
    const next = await incremental();
    expect(next).toMatchObject({ ok: true, mode: 'incremental', problem: null, rowsChecked: added, lastPosition: before + added });
    expect(next.start).toMatchObject({ anchorId: firstAnchor, position: before });
    expect(next.headHash).toBe((await one<{ h: string }>(`SELECT encode(chain_hash, 'hex') AS h FROM audit_chain ORDER BY position DESC LIMIT 1`)).h);
    const secondAnchor = await anchorAfter(next);
    expect(await one('SELECT mode, from_position::int AS f, rows_checked::int AS n FROM audit_anchors WHERE id = $1', [secondAnchor])).toEqual({
      mode: 'incremental',
      f: before,
      n: added,
    });

    // Nothing new: nothing to check, from the newer anchor.
    const idle = await incremental();
    expect(idle).toMatchObject({ ok: true, rowsChecked: 0, lastPosition: before + added, start: { anchorId: secondAnchor } });
    // The full mode still reads everything.
    expect(await verifyAuditLog(db.sequelize)).toMatchObject({ ok: true, rowsChecked: before + added });
  });

  it('with no anchor yet, verifies the whole chain; from a chain head kept outside, checks only what follows it', async () => {
    await writeCustomers('A', 2);
    const sealed = await sealAllAuditRows(db.sequelize);
    expect(await incremental()).toMatchObject({ ok: true, mode: 'full', start: null, rowsChecked: sealed.lastPosition });

    await writeCustomers('B', 2);
    const later = await sealAllAuditRows(db.sequelize);
    const fromKept = await verifyAuditLog(db.sequelize, { mode: 'incremental', from: { position: sealed.lastPosition, headHash: sealed.headHash! } });
    expect(fromKept).toMatchObject({ ok: true, mode: 'incremental', start: { anchorId: null }, rowsChecked: later.lastPosition - sealed.lastPosition });
    const wrongHead = await verifyAuditLog(db.sequelize, { mode: 'incremental', from: { position: sealed.lastPosition, headHash: 'ab'.repeat(32) } });
    expect(wrongHead).toMatchObject({ ok: false, problem: { kind: 'anchor_mismatch', position: sealed.lastPosition } });
  });
});

describe('tampering after the anchor', () => {
  it('is named: an altered row, a removed row, a row slipped in since the anchor', async () => {
    await writeCustomers('A', 3);
    await verifiedAndAnchored();
    await writeCustomers('B', 3);
    await sealAllAuditRows(db.sequelize);
    const victim = await one<{ id: string; new_value: string }>(`SELECT id::text AS id, new_value FROM audit_logs WHERE new_value = 'Customer B2'`);

    await tamper('UPDATE audit_logs SET new_value = $1 WHERE id = $2', ['Someone else', victim.id]);
    expect((await incremental()).problem).toMatchObject({ kind: 'altered', auditId: victim.id });
    await tamper('UPDATE audit_logs SET new_value = $1 WHERE id = $2', [victim.new_value, victim.id]);
    expect((await incremental()).ok).toBe(true);

    await tamper('CREATE TABLE removed_copy AS SELECT * FROM audit_logs WHERE id = $1', [victim.id]);
    await tamper('DELETE FROM audit_logs WHERE id = $1', [victim.id]);
    expect((await incremental()).problem).toMatchObject({ kind: 'removed', auditId: victim.id });
    await tamper('INSERT INTO audit_logs SELECT * FROM removed_copy');
    expect((await incremental()).ok).toBe(true);

    // A row carrying the transaction id of a row written after the anchor, never chained.
    const since = await one<{ t: string }>(`SELECT txid::text AS t FROM audit_logs WHERE id = $1`, [victim.id]);
    const forged = await one<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('audit_logs', 'id'))::text AS id`);
    await tamper(
      `INSERT INTO audit_logs (id, occurred_at, txid, change_id, action, table_name, record_id, field_name, new_value, actor_kind, actor_username)
       VALUES ($1, now(), $2::xid8, gen_random_uuid(), 'update', 'customers', '1', 'name', 'b', 'system', 'system:forger')`,
      [forged.id, since.t],
    );
    expect((await incremental()).problem).toMatchObject({ kind: 'inserted', auditId: forged.id });
  });
});

describe('tampering before the anchor', () => {
  it('a row altered or slipped in there while the chain stays as it was is found by the full mode only', async () => {
    await writeCustomers('A', 3);
    const { position } = await verifiedAndAnchored();
    await writeCustomers('B', 2);
    const head = await sealAllAuditRows(db.sequelize);
    const victim = await one<{ id: string }>(`SELECT id::text AS id FROM audit_logs WHERE new_value = 'Customer A2'`);
    await tamper('UPDATE audit_logs SET new_value = $1 WHERE id = $2', ['Someone else', victim.id]);

    // The incremental run reads the chain entry at the anchor, not each row before it.
    expect(await incremental()).toMatchObject({ ok: true, rowsChecked: head.lastPosition - position });
    expect((await verifyAuditLog(db.sequelize)).problem).toMatchObject({ kind: 'altered', auditId: victim.id });
    await tamper(`UPDATE audit_logs SET new_value = 'Customer A2' WHERE id = $1`, [victim.id]);

    const oldTxid = await one<{ t: string }>('SELECT txid::text AS t FROM audit_logs ORDER BY id LIMIT 1');
    const forged = await one<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('audit_logs', 'id'))::text AS id`);
    await tamper(
      `INSERT INTO audit_logs (id, occurred_at, txid, change_id, action, table_name, record_id, field_name, new_value, actor_kind, actor_username)
       VALUES ($1, now(), $2::xid8, gen_random_uuid(), 'update', 'customers', '1', 'name', 'b', 'system', 'system:forger')`,
      [forged.id, oldTxid.t],
    );
    expect((await incremental()).ok).toBe(true);
    expect((await verifyAuditLog(db.sequelize)).problem).toMatchObject({ kind: 'inserted', auditId: forged.id });
  });

  it('a chain rewritten to cover an altered row no longer holds the anchor’s hash: both modes refuse it', async () => {
    await writeCustomers('A', 3);
    const { anchorId, position } = await verifiedAndAnchored();
    await writeCustomers('B', 2);
    await sealAllAuditRows(db.sequelize);
    const victim = await one<{ id: string; position: string }>(
      `SELECT a.id::text AS id, c.position::text AS position FROM audit_logs a JOIN audit_chain c ON c.audit_id = a.id WHERE a.new_value = 'Customer A2'`,
    );
    expect(Number(victim.position)).toBeLessThan(position);
    // The row, its chain entry, every link after it and the seals: consistent again, but for the anchor.
    await tamper('UPDATE audit_logs SET new_value = $1 WHERE id = $2', ['Someone else', victim.id]);
    await tamper(
      `DO $$
       DECLARE r record; head bytea;
       BEGIN
         UPDATE audit_chain c SET row_hash = audit_row_hash(a) FROM audit_logs a WHERE a.id = c.audit_id AND c.position = ${Number(victim.position)};
         SELECT coalesce((SELECT chain_hash FROM audit_chain WHERE position = ${Number(victim.position) - 1}), '\\x${'00'.repeat(32)}'::bytea) INTO head;
         FOR r IN SELECT position, row_hash FROM audit_chain WHERE position >= ${Number(victim.position)} ORDER BY position LOOP
           head := sha256(head || r.row_hash);
           UPDATE audit_chain SET chain_hash = head WHERE position = r.position;
         END LOOP;
         UPDATE audit_seals s SET head_hash = c.chain_hash FROM audit_chain c WHERE c.position = s.last_position;
       END $$`,
    );

    const refused = await incremental();
    expect(refused).toMatchObject({ ok: false, rowsChecked: 0, problem: { kind: 'anchor_mismatch', position } });
    expect(refused.problem!.message).toContain(`anchor ${anchorId} (chain position ${position}`);
    expect((await verifyAuditLog(db.sequelize)).problem).toMatchObject({ kind: 'anchor_mismatch', position });
  });
});

describe('a moved clock', () => {
  it('rows dated a year ahead verify from the anchor, which keeps the database’s time; a row dated back after them is flagged', async () => {
    await writeCustomers('A', 2);
    const { position } = await verifiedAndAnchored();
    // As a server whose clock jumped 400 days ahead writes them.
    await db.query(`SELECT ensure_audit_log_partitions(date_trunc('month', now() + interval '400 days')::date, 0)`);
    await db.query(
      `INSERT INTO audit_logs (occurred_at, change_id, action, table_name, record_id, field_name, new_value, actor_kind, actor_username)
       SELECT now() + interval '400 days' + make_interval(secs => g * 0.000137), gen_random_uuid(), 'update', 'customers', '1', 'phone', '+1 555 01' || g, 'system', 'system:test'
         FROM generate_series(1, 20) g`,
    );
    await sealAllAuditRows(db.sequelize);
    const ahead = await incremental();
    expect(ahead).toMatchObject({ ok: true, rowsChecked: 20, lastPosition: position + 20 });
    const anchorId = await anchorAfter(ahead);
    expect(
      await one(
        `SELECT newest_occurred_at = (SELECT max(occurred_at) FROM audit_logs) AS newest_to_the_microsecond,
                recorded_at <= now() AND recorded_at > now() - interval '1 minute' AS on_database_clock
           FROM audit_anchors WHERE id = $1`,
        [anchorId],
      ),
    ).toEqual({ newest_to_the_microsecond: true, on_database_clock: true });

    // The clock set right again: today's rows are 400 days older than rows chained ahead of them.
    const lastAhead = await one<{ id: string }>('SELECT max(id)::text AS id FROM audit_logs');
    await writeCustomers('B', 1);
    const today = await one<{ id: string }>('SELECT min(id)::text AS id FROM audit_logs WHERE id > $1', [lastAhead.id]);
    await sealAllAuditRows(db.sequelize);
    const flagged = await incremental();
    expect(flagged.problem).toMatchObject({ kind: 'out_of_order', auditId: today.id, message: expect.stringMatching(/back-dated/) });
    expect((await verifyAuditLog(db.sequelize)).problem).toMatchObject({ kind: 'out_of_order', auditId: today.id });
  });
});
