import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { recordAuditAnchor, type AnchorToRecord } from '../src/audit/audit-anchor.service.js';
import { verifyAuditLog, type VerifyReport } from '../src/audit/audit-verify.service.js';
import { createSequelize } from '../src/db/database.js';
import { ensureRuntimeLogin, runtimeUrlFor } from '../src/db/runtime-role.js';
import { sealAllAuditRows } from './support/audit-seal.js';
import { createTestDatabase, dropRole, type TestDatabase } from './support/test-database.js';

/**
 * Who may sign off the chain: an anchor is written by the owner alone, through audit_anchor(),
 * holds a hash the chain holds, never changes; and the command that records them.
 */

let db: TestDatabase;
let runtimeUrl: string;
/** The test server's login, which the owner's anchors name. */
let owner: string;

beforeAll(async () => {
  db = await createTestDatabase();
  runtimeUrl = runtimeUrlFor(db.url, `nexus_test_anchor_${crypto.randomBytes(4).toString('hex')}`, crypto.randomBytes(12).toString('hex'));
  expect((await ensureRuntimeLogin(db.sequelize, runtimeUrl)).outcome).toBe('ready');
  owner = (await db.query<{ u: string }>('SELECT session_user AS u')).rows[0]!.u;
});
afterAll(async () => {
  await db.drop();
  await dropRole(new URL(runtimeUrl).username);
});

const one = async <T>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0] as T;

/** One statement on a connection of the given URL (triggers off with `replica`); the error code, or null. */
async function run(url: string, sql: string, params: unknown[] = [], replica = false): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (replica) await client.query('SET session_replication_role = replica');
    await client.query(sql, params);
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? 'no code';
  } finally {
    await client.end();
  }
}

async function head(): Promise<{ position: number; hash: string; newest: string }> {
  return one(
    `SELECT c.position::int AS position, encode(c.chain_hash, 'hex') AS hash, (SELECT max(occurred_at)::text FROM audit_logs) AS newest
       FROM audit_chain c ORDER BY c.position DESC LIMIT 1`,
  );
}

/** An anchor where a full verification ended. */
function anchorAt(report: VerifyReport, verifiedWith: string): AnchorToRecord {
  return { position: report.lastPosition, headHash: report.headHash!, newestOccurredAt: report.newestOccurredAt!, mode: 'full', fromPosition: 0, verifiedWith };
}

const anchors = async () => (await one<{ n: number }>('SELECT count(*)::int AS n FROM audit_anchors')).n;

/** The command as an operator runs it, connected only by the given DATABASE_URL. */
function cli(databaseUrl: string, ...args: string[]) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'DATABASE_OWNER_URL'));
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/audit.ts', ...args], {
    encoding: 'utf8',
    env: { ...inherited, NODE_ENV: 'development', DATABASE_URL: databaseUrl },
    timeout: 60_000,
  });
}

describe('an anchor the runtime login would write', () => {
  it('cannot be written at all: no INSERT, no audit_anchor(), no UPDATE or DELETE; the runtime login still verifies from anchors', async () => {
    await db.query(`INSERT INTO customers (code, name) VALUES ('RT1', 'Runtime Co')`);
    await sealAllAuditRows(db.sequelize);
    const h = await head();
    expect(
      await run(
        runtimeUrl,
        `INSERT INTO audit_anchors (position, chain_hash, txid_horizon, newest_occurred_at, mode, from_position, rows_checked, verified_with)
         VALUES ($1, decode($2, 'hex'), '0'::xid8, now(), 'full', 0, $1, 'forger')`,
        [h.position, h.hash],
      ),
    ).toBe('42501');
    expect(await run(runtimeUrl, `SELECT * FROM audit_anchor($1, decode($2, 'hex'), $3, 'full', 0, 'forger')`, [h.position, h.hash, h.newest])).toBe('42501');

    const runtime = createSequelize({ url: runtimeUrl, poolMax: 2, acquireTimeoutMs: 30_000 });
    try {
      const report = await verifyAuditLog(runtime);
      expect(report.ok).toBe(true);
      const refused = await recordAuditAnchor(runtime, anchorAt(report, 'runtime'));
      expect(refused).toEqual({ kind: 'refused', reason: expect.stringMatching(/may not record anchors/) });
      expect(await anchors()).toBe(0);

      // The owner anchors; the runtime login may read it and verify from it, never change it.
      const recorded = await recordAuditAnchor(db.sequelize, anchorAt(report, 'owner'));
      expect(recorded).toMatchObject({ kind: 'recorded' });
      expect(await run(runtimeUrl, `UPDATE audit_anchors SET position = position`)).toBe('42501');
      expect(await run(runtimeUrl, `DELETE FROM audit_anchors`)).toBe('42501');
      expect(await run(runtimeUrl, `TRUNCATE audit_anchors`)).toBe('42501');
      expect(await verifyAuditLog(runtime, { mode: 'incremental' })).toMatchObject({ ok: true, mode: 'incremental', rowsChecked: 0 });
    } finally {
      await runtime.close();
    }
  });
});

describe('an anchor the owner would forge', () => {
  it('is refused when its hash is not the chain’s, cannot be changed, and one slipped past the trigger fails verification', async () => {
    await db.query(`INSERT INTO customers (code, name) VALUES ('OW1', 'Owner Co')`);
    await sealAllAuditRows(db.sequelize);
    const h = await head();
    const before = await anchors();
    const forgedHash = 'ab'.repeat(32);
    expect(await run(db.url, `SELECT * FROM audit_anchor($1, decode($2, 'hex'), $3, 'full', 0, 'forger')`, [h.position, forgedHash, h.newest])).toBe('NXA04');
    expect(
      await run(
        db.url,
        `INSERT INTO audit_anchors (position, chain_hash, txid_horizon, newest_occurred_at, mode, from_position, rows_checked, verified_with)
         VALUES ($1 + 1000, decode($2, 'hex'), '0'::xid8, now(), 'full', 0, $1 + 1000, 'forger')`,
        [h.position, h.hash],
      ),
    ).toBe('NXA04');
    expect(await anchors()).toBe(before);
    expect(await run(db.url, `UPDATE audit_anchors SET chain_hash = decode($1, 'hex')`, [forgedHash])).toBe('NXA02');
    expect(await run(db.url, `DELETE FROM audit_anchors`)).toBe('NXA02');
    expect(await run(db.url, `TRUNCATE audit_anchors`)).toBe('NXA02');

    // A superuser with the triggers off: the chain does not hold that hash, so the anchor is named.
    expect(
      await run(
        db.url,
        `INSERT INTO audit_anchors (position, chain_hash, txid_horizon, newest_occurred_at, mode, from_position, rows_checked, verified_with)
         VALUES ($1, decode($2, 'hex'), '0'::xid8, now(), 'full', 0, $1, 'forger')`,
        [h.position, forgedHash],
        true,
      ),
    ).toBeNull();
    const forged = await one<{ id: number }>('SELECT max(id) AS id FROM audit_anchors');
    const incremental = await verifyAuditLog(db.sequelize, { mode: 'incremental' });
    expect(incremental).toMatchObject({ ok: false, start: { anchorId: forged.id }, problem: { kind: 'anchor_mismatch', position: h.position } });
    expect(incremental.problem!.message).toMatch(
      new RegExp(`^anchor ${forged.id} \\(chain position ${h.position}, recorded .* by ${owner}\\) no longer matches`),
    );
    expect((await verifyAuditLog(db.sequelize)).problem).toMatchObject({ kind: 'anchor_mismatch', position: h.position });
    expect(await run(db.url, `DELETE FROM audit_anchors WHERE id = $1`, [forged.id], true)).toBeNull();
    expect(await verifyAuditLog(db.sequelize)).toMatchObject({ ok: true });
  });
});

describe('npm run audit:verify -- --incremental', () => {
  it('verifies from the newest anchor and records the next; names tampering with exit 1; refuses an unknown option with exit 2', async () => {
    const fresh = await createTestDatabase();
    try {
      await fresh.query(`INSERT INTO customers (code, name) SELECT 'C' || g, 'Command ' || g FROM generate_series(1, 3) g`);
      // Chained before the command runs: its own seal may chain nothing while another test file holds a transaction open.
      await sealAllAuditRows(fresh.sequelize);
      const first = cli(fresh.url, '--incremental');
      const chained = (await fresh.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_chain')).rows[0]!.n;
      expect({ status: first.status, lines: first.stdout.trim().split('\n') }).toEqual({
        status: 0,
        lines: [
          expect.stringMatching(
            new RegExp(`^OK: ${chained} audit rows verified in the whole chain \\(there is no anchor to start from yet\\); 0 newly sealed`),
          ),
          expect.stringMatching(new RegExp(`^Chain head: [0-9a-f]{64} at position ${chained}\\.`)),
          expect.stringMatching(new RegExp(`^Anchor \\d+ recorded at position ${chained} by ${owner}: the next --incremental run starts there\\.$`)),
        ],
      });
      const anchor = (await fresh.query('SELECT mode, verified_with FROM audit_anchors')).rows;
      expect(anchor).toEqual([{ mode: 'full', verified_with: expect.stringMatching(/^nexus audit:verify --incremental \(.+@.+\)$/) }]);

      await fresh.query(`INSERT INTO customers (code, name) VALUES ('C9', 'Command 9')`);
      await sealAllAuditRows(fresh.sequelize);
      const second = cli(fresh.url, '--incremental');
      const added = (await fresh.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_chain')).rows[0]!.n - chained;
      expect(second.status).toBe(0);
      expect(second.stdout).toMatch(new RegExp(`^OK: ${added} audit rows verified since anchor \\d+ at position ${chained}, recorded `));

      // As the runtime login (no owner URL), it verifies but cannot sign off.
      await fresh.query(`INSERT INTO customers (code, name) VALUES ('C10', 'Command 10')`);
      await sealAllAuditRows(fresh.sequelize);
      const freshRuntime = runtimeUrlFor(fresh.url, new URL(runtimeUrl).username, decodeURIComponent(new URL(runtimeUrl).password));
      expect((await ensureRuntimeLogin(fresh.sequelize, freshRuntime)).outcome).toBe('ready');
      const asRuntime = cli(freshRuntime, '--incremental');
      expect({ status: asRuntime.status, last: asRuntime.stdout.trim().split('\n').at(-1) }).toEqual({
        status: 0,
        last: expect.stringMatching(/^No anchor recorded: this login may not record anchors/),
      });

      const target = (await fresh.query<{ id: string }>(`SELECT id::text AS id FROM audit_logs WHERE new_value = 'Command 10'`)).rows[0]!.id;
      expect(await run(fresh.url, `UPDATE audit_logs SET new_value = 'Someone else' WHERE id = $1`, [target], true)).toBeNull();
      const bad = cli(fresh.url, '--incremental');
      expect({ status: bad.status, out: bad.stdout.split('\n')[0] }).toEqual({
        status: 1,
        out: expect.stringContaining(`TAMPERED: audit row ${target} (chain position`),
      });

      const unknown = cli(fresh.url, '--since-yesterday');
      expect({ status: unknown.status, err: unknown.stderr.trim() }).toEqual({ status: 2, err: 'Usage: nexus audit:verify [--incremental | --full]' });
    } finally {
      await fresh.drop();
    }
  }, 120_000);
});
