import { QueryTypes, type Sequelize } from 'sequelize';
import { GENESIS, nextLink } from './audit-chain.js';

export type TamperKind = 'altered' | 'removed' | 'inserted' | 'chain_broken' | 'seal_mismatch' | 'out_of_order' | 'archive_missing';

export interface VerifyProblem {
  kind: TamperKind;
  /** The audit row concerned (id), when there is one. */
  auditId: string | null;
  position: number | null;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  rowsChecked: number;
  /** Audit rows of transactions still running at the last seal: not yet chained, checked next time. */
  rowsPending: number;
  headHash: string | null;
  lastPosition: number;
  problem: VerifyProblem | null;
}

const BATCH = 5_000;

interface ChainRow {
  occurred_at: Date;
  position: string;
  audit_id: string;
  row_hash: Buffer;
  chain_hash: Buffer;
  present: boolean;
  actual_hash: Buffer | null;
}

/**
 * Recomputes the chain from the audit rows and names the first entry that was altered,
 * removed or inserted since it was sealed. Rows of archived (detached) months are checked in
 * their archive tables, which are kept, never dropped.
 */
export async function verifyAuditLog(sequelize: Sequelize): Promise<VerifyReport> {
  const archives = await sequelize.query<{
    table_name: string;
    present: boolean;
    range_from: string;
    range_to: string;
    row_count: string;
    first: string | null;
    last: string | null;
  }>(
    `SELECT a.table_name, to_regclass(format('public.%I', a.table_name)) IS NOT NULL AS present,
            to_char(a.range_from AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS range_from, to_char(a.range_to AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS range_to,
            a.row_count::text,
            (SELECT min(c.position)::text FROM audit_chain c WHERE c.audit_occurred_at >= a.range_from AND c.audit_occurred_at < a.range_to) AS first,
            (SELECT max(c.position)::text FROM audit_chain c WHERE c.audit_occurred_at >= a.range_from AND c.audit_occurred_at < a.range_to) AS last
       FROM audit_archives a ORDER BY a.range_from`,
    { type: QueryTypes.SELECT },
  );
  const [{ tolerance_seconds: toleranceSeconds }] = (await sequelize.query<{ tolerance_seconds: number }>(
    'SELECT extract(epoch FROM audit_clock_tolerance())::float8 AS tolerance_seconds',
    { type: QueryTypes.SELECT },
  )) as [{ tolerance_seconds: number }];

  let previous: Buffer = GENESIS;
  let checked = 0;
  let lastPosition = 0;
  let problem: VerifyProblem | null = null;

  // An archive is a detached month kept as a table; one that is gone took its stretch of the chain with it.
  const missing = archives.find((a) => !a.present);
  if (missing) {
    const stretch = missing.first ? `chain positions ${missing.first} to ${missing.last}` : 'no sealed position';
    return {
      ok: false,
      rowsChecked: 0,
      rowsPending: 0,
      headHash: null,
      lastPosition: 0,
      problem: {
        kind: 'archive_missing',
        auditId: null,
        position: missing.first ? Number(missing.first) : null,
        message: `the archive ${missing.table_name} (audit rows from ${missing.range_from} to ${missing.range_to}, ${missing.row_count} rows, ${stretch}) is missing`,
      },
    };
  }
  const source = [
    'SELECT a.id, a.occurred_at, audit_row_hash(a) AS h FROM audit_logs a',
    ...archives.map(({ table_name }) => `SELECT r.id, r.occurred_at, audit_row_hash(ROW(r.*)::audit_logs) AS h FROM ${quoteIdent(table_name)} r`),
  ].join(' UNION ALL ');
  /** The newest time chained so far: a row dated well before it was written later than it claims. */
  let newest = -Infinity;

  outer: for (;;) {
    const rows = await sequelize.query<ChainRow>(
      `SELECT c.position::text AS position, c.audit_id::text AS audit_id, c.row_hash, c.chain_hash, c.audit_occurred_at AS occurred_at,
              s.id IS NOT NULL AS present, s.h AS actual_hash
         FROM audit_chain c
         LEFT JOIN LATERAL (SELECT x.id, x.h FROM (${source}) x WHERE x.id = c.audit_id AND x.occurred_at = c.audit_occurred_at) s ON true
        WHERE c.position > :after
        ORDER BY c.position
        LIMIT :batch`,
      { type: QueryTypes.SELECT, replacements: { after: lastPosition, batch: BATCH } },
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const position = Number(row.position);
      if (position !== lastPosition + 1) {
        problem = { kind: 'removed', auditId: null, position: lastPosition + 1, message: `chain entry ${lastPosition + 1} is missing from audit_chain` };
        break outer;
      }
      if (!row.present) {
        problem = { kind: 'removed', auditId: row.audit_id, position, message: `audit row ${row.audit_id} (chain position ${position}) has been removed` };
        break outer;
      }
      if (!row.actual_hash || !row.actual_hash.equals(row.row_hash)) {
        problem = {
          kind: 'altered',
          auditId: row.audit_id,
          position,
          message: `audit row ${row.audit_id} (chain position ${position}) has been altered since it was sealed`,
        };
        break outer;
      }
      const expected = nextLink(previous, row.row_hash);
      if (!expected.equals(row.chain_hash)) {
        problem = {
          kind: 'chain_broken',
          auditId: row.audit_id,
          position,
          message: `the chain itself was edited at position ${position} (audit row ${row.audit_id})`,
        };
        break outer;
      }
      const at = new Date(row.occurred_at).getTime();
      if (at < newest - toleranceSeconds * 1000) {
        problem = {
          kind: 'out_of_order',
          auditId: row.audit_id,
          position,
          message: `audit row ${row.audit_id} (chain position ${position}) is dated ${new Date(at).toISOString()}, before rows written ahead of it (up to ${new Date(newest).toISOString()}) by more than the ${toleranceSeconds / 60}-minute clock tolerance: it was back-dated`,
        };
        break outer;
      }
      newest = Math.max(newest, at);
      previous = expected;
      lastPosition = position;
      checked += 1;
    }
  }

  const seals = await sequelize.query<{ last_position: string; head_hash: Buffer | null; txid_horizon: string }>(
    'SELECT last_position::text, head_hash, txid_horizon::text FROM audit_seals ORDER BY id DESC LIMIT 1',
    { type: QueryTypes.SELECT },
  );
  const seal = seals[0];
  if (!problem && seal && Number(seal.last_position) !== lastPosition) {
    problem = {
      kind: 'seal_mismatch',
      auditId: null,
      position: Number(seal.last_position),
      message: `the last seal ends at position ${seal.last_position} but the chain ends at ${lastPosition}: chain entries were removed`,
    };
  }
  if (!problem && seal?.head_hash && !seal.head_hash.equals(previous)) {
    problem = { kind: 'seal_mismatch', auditId: null, position: lastPosition, message: 'the chain head does not match the last seal: the chain was rewritten' };
  }

  let pending = 0;
  if (seal) {
    // A row of a transaction that had ended before the last seal must be in the chain.
    if (!problem) {
      const inserted = await sequelize.query<{ id: string }>(
        `SELECT a.id::text AS id FROM audit_logs a
          WHERE a.txid < :horizon::xid8
            AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id AND c.audit_occurred_at = a.occurred_at)
          ORDER BY a.id LIMIT 1`,
        { type: QueryTypes.SELECT, replacements: { horizon: seal.txid_horizon } },
      );
      if (inserted[0]) {
        problem = {
          kind: 'inserted',
          auditId: inserted[0].id,
          position: null,
          message: `audit row ${inserted[0].id} was inserted after its stretch of the log was sealed`,
        };
      }
    }
    const [row] = await sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs WHERE txid >= :horizon::xid8', {
      type: QueryTypes.SELECT,
      replacements: { horizon: seal.txid_horizon },
    });
    pending = row?.n ?? 0;
  } else {
    const [row] = await sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs', { type: QueryTypes.SELECT });
    pending = row?.n ?? 0;
  }

  return {
    ok: problem === null,
    rowsChecked: checked,
    rowsPending: pending,
    headHash: lastPosition > 0 ? previous.toString('hex') : null,
    lastPosition,
    problem,
  };
}

function quoteIdent(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected archive table name ${name}`);
  return `"${name}"`;
}
