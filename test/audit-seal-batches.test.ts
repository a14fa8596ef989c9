import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sealAuditLog } from '../src/audit/audit-seal.service.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import { waitFor } from './support/app-process.js';
import { sealAllAuditRows } from './support/audit-seal.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * audit_seal() chains a bounded batch per run (50,000 rows), stopping at a transaction
 * boundary, and says whether more wait; sealAuditLog runs it until none do. A backlog larger
 * than one statement may take is then sealed in pieces instead of being cut off by the statement
 * timeout and rolled back on every attempt. One transaction's rows are never split.
 */

const CUSTOMERS = 8000;
const BATCH = 50_000;

let db: TestDatabase;
/** The txids of the writes below, oldest first: one that creates, four that update. */
const txids: string[] = [];

async function write(sql: string): Promise<void> {
  const [row] = (await db.query<{ txid: string }>(`WITH w AS (${sql} RETURNING 1) SELECT pg_current_xact_id()::text AS txid FROM w LIMIT 1`)).rows;
  txids.push(row!.txid);
}

interface Run {
  rows_sealed: number;
  more: boolean;
}

const seal = async (): Promise<Run> => (await db.query<Run>('SELECT rows_sealed, more FROM audit_seal()')).rows[0]!;
const rowsOf = async (txid: string): Promise<number> =>
  (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs WHERE txid = $1::xid8', [txid])).rows[0]!.n;

/**
 * Waits until every transaction up to `txid` has ended everywhere (bounded): transaction ids are
 * the server's, and another test file's open transaction holds the sealing horizon back.
 */
async function horizonPassed(txid: string): Promise<void> {
  await waitFor(
    'the horizon to pass these writes',
    async () => {
      const { rows } = await db.query<{ passed: boolean }>('SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 AS passed', [txid]);
      return rows[0]!.passed ? true : undefined;
    },
    60_000,
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  // Whatever the template holds, chained first: the runs below start from an empty backlog.
  await sealAllAuditRows(db.sequelize);
  await write(
    `INSERT INTO customers (code, name, contact_name, email, phone, address)
     SELECT 'SB-' || i, 'Seal batch ' || i, 'Buyer ' || i, 'b' || i || '@seal.example', '+1 555 ' || i, i || ' Mill Road'
       FROM generate_series(1, ${CUSTOMERS}) AS i`,
  );
  for (let round = 1; round <= 4; round += 1) {
    await write(`UPDATE customers SET phone = '+44 20 ${round}' || id, contact_name = 'Buyer ${round}.' || id WHERE code LIKE 'SB-%'`);
  }
  await horizonPassed(txids[txids.length - 1]!);
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

describe('sealing a backlog larger than one run', () => {
  it('takes it in runs of at most 50,000 rows, whole transactions each, and the chain verifies', async () => {
    const created = await rowsOf(txids[0]!);
    const updated = await rowsOf(txids[1]!);
    // The creating transaction alone is larger than a batch; each update is a third of one.
    expect(created).toBeGreaterThan(BATCH);
    expect(updated * 4).toBeGreaterThan(BATCH);
    expect(updated * 3).toBeLessThanOrEqual(BATCH);

    // 1: the first pending transaction alone is over the batch: it is taken whole, no more.
    expect(await seal()).toEqual({ rows_sealed: created, more: true });
    // 2: the updates from the batch's end on wait: three whole transactions.
    expect(await seal()).toEqual({ rows_sealed: updated * 3, more: true });
    // 3: the last one, and nothing waits.
    expect(await seal()).toEqual({ rows_sealed: updated, more: false });
    expect(await seal()).toEqual({ rows_sealed: 0, more: false });

    // No transaction was split between runs: each seal's horizon lies between transactions.
    const { rows: split } = await db.query<{ txid: string }>(
      `SELECT a.txid::text FROM audit_logs a JOIN audit_chain c ON c.audit_id = a.id
        WHERE a.txid = ANY($1::xid8[]) GROUP BY a.txid HAVING count(DISTINCT (SELECT s.id FROM audit_seals s WHERE s.last_position >= c.position ORDER BY s.id LIMIT 1)) > 1`,
      [txids],
    );
    expect(split).toEqual([]);
    const report = await verifyAuditLog(db.sequelize);
    expect(report.ok).toBe(true);
  });

  it('sealAuditLog runs it until nothing waits', async () => {
    await write(`UPDATE customers SET phone = '+49 30 ' || id WHERE code LIKE 'SB-%'`);
    await write(`INSERT INTO customers (code, name) SELECT 'SC-' || i, 'More ' || i FROM generate_series(1, ${CUSTOMERS * 2}) AS i`);
    const waiting = (await rowsOf(txids[txids.length - 2]!)) + (await rowsOf(txids[txids.length - 1]!));
    expect(waiting).toBeGreaterThan(BATCH);
    await horizonPassed(txids[txids.length - 1]!);
    const result = await sealAuditLog(db.sequelize);
    expect(result.rowsSealed).toBe(waiting);
    const { rows } = await db.query<{ unchained: number }>(
      'SELECT count(*)::int AS unchained FROM audit_logs a WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)',
    );
    expect(rows[0]!.unchained).toBe(0);
    expect((await verifyAuditLog(db.sequelize)).ok).toBe(true);
  });
});
