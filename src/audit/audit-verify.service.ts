import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { anchorsExist, describeBrokenAnchor, firstBrokenAnchor, keptHeadStart, newestAnchor, UTC_MICROS, type AnchorStart } from './audit-anchor.service.js';
import { GENESIS, nextLink } from './audit-chain.js';

export type TamperKind = 'altered' | 'removed' | 'inserted' | 'chain_broken' | 'seal_mismatch' | 'out_of_order' | 'archive_missing' | 'anchor_mismatch';

export interface VerifyProblem {
  kind: TamperKind;
  /** The audit row concerned (id), when there is one. */
  auditId: string | null;
  position: number | null;
  message: string;
}

/** full: the whole chain from its first entry. incremental: from the newest anchor (or a kept head) to the head. */
export type VerifyMode = 'full' | 'incremental';

export interface VerifyOptions {
  /** full unless asked: only the full mode re-reads the rows before the anchor. */
  mode?: VerifyMode;
  /** Incremental from a chain head kept from an earlier run, instead of the newest recorded anchor. */
  from?: { position: number; headHash: string };
}

export interface VerifyReport {
  ok: boolean;
  /** The mode that ran: an incremental run with no anchor to start from verifies the whole chain. */
  mode: VerifyMode;
  /** Where an incremental run started; null for the whole chain. */
  start: AnchorStart | null;
  /** Chain entries verified by this run: since the start for an incremental one. */
  rowsChecked: number;
  /** Audit rows of transactions still running at the last seal: not yet chained, checked next time. */
  rowsPending: number;
  headHash: string | null;
  lastPosition: number;
  /** The newest time chained up to lastPosition (UTC, to the microsecond): what an anchor here records. */
  newestOccurredAt: string | null;
  problem: VerifyProblem | null;
}

const BATCH = 5_000;

interface ChainRow {
  occurred_at: string;
  position: string;
  audit_id: string;
  row_hash: Buffer;
  chain_hash: Buffer;
  present: boolean;
  actual_hash: Buffer | null;
}

/**
 * Recomputes the chain from the audit rows and names the first entry that was altered, removed or
 * inserted since it was sealed; checks that the newest seal ends where the chain does, that no row
 * of a finished transaction is missing from it, and that every recorded anchor is still the
 * chain's hash at its position. Rows of archived (detached) months are checked in their archive
 * tables, which are kept, never dropped.
 *
 * Incremental, it starts from the newest anchor (or a head kept from an earlier run) instead of
 * the first entry: the anchor must still be the chain's hash at its position, and only entries
 * after it, and rows of transactions since its seal, are read. Everything is read in one snapshot,
 * so a seal the app commits meanwhile is not mistaken for a chain that ends short of its seal.
 */
export async function verifyAuditLog(sequelize: Sequelize, options: VerifyOptions = {}): Promise<VerifyReport> {
  return sequelize.transaction(async (transaction) => {
    // Read-only, so the snapshot takes no transaction id and holds back no seal.
    await sequelize.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY', { transaction });
    return verifyInSnapshot(sequelize, transaction, options);
  });
}

async function verifyInSnapshot(sequelize: Sequelize, transaction: Transaction, options: VerifyOptions): Promise<VerifyReport> {
  const select = <T extends object>(sql: string, replacements: Record<string, unknown> = {}) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, transaction, replacements });
  const withAnchors = await anchorsExist(sequelize, transaction);
  let start: AnchorStart | null = null;
  if (options.mode === 'incremental') {
    const found = options.from
      ? await keptHeadStart(sequelize, transaction, options.from.position, options.from.headHash)
      : withAnchors
        ? await newestAnchor(sequelize, transaction)
        : null;
    if (found && !('headHash' in found)) return failedAtStart('incremental', null, describeBrokenAnchor(found), found.position);
    start = found;
  }
  const mode: VerifyMode = start ? 'incremental' : 'full';
  if (start) {
    const [atAnchor] = await select<{ chain_hash: Buffer }>('SELECT chain_hash FROM audit_chain WHERE position = :position', { position: start.position });
    if (!atAnchor || atAnchor.chain_hash.toString('hex') !== start.headHash) {
      const broken = { anchorId: start.anchorId, position: start.position, gone: !atAnchor, recordedAt: start.recordedAt, recordedBy: start.recordedBy };
      return failedAtStart(mode, start, describeBrokenAnchor(broken), start.position);
    }
  }

  const archives = await select<{ table_name: string; present: boolean; range_from: string; range_to: string; row_count: string }>(
    `SELECT table_name, to_regclass(format('public.%I', table_name)) IS NOT NULL AS present, row_count::text,
            to_char(range_from AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS range_from, to_char(range_to AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS range_to
       FROM audit_archives ORDER BY range_from`,
  );
  // An archive is a detached month kept as a table; one that is gone took its stretch of the chain with it.
  const missing = archives.find((a) => !a.present);
  if (missing) {
    const [held] = await select<{ first: string | null; last: string | null }>(
      `SELECT min(c.position)::text AS first, max(c.position)::text AS last
         FROM audit_archives a JOIN audit_chain c ON c.audit_occurred_at >= a.range_from AND c.audit_occurred_at < a.range_to
        WHERE a.table_name = :name`,
      { name: missing.table_name },
    );
    const stretch = held?.first ? `chain positions ${held.first} to ${held.last}` : 'no sealed position';
    return failedAtStart(
      mode,
      start,
      `the archive ${missing.table_name} (audit rows from ${missing.range_from} to ${missing.range_to}, ${missing.row_count} rows, ${stretch}) is missing`,
      held?.first ? Number(held.first) : null,
      'archive_missing',
    );
  }
  const [{ tolerance_seconds: toleranceSeconds }] = (await select<{ tolerance_seconds: number }>(
    'SELECT extract(epoch FROM audit_clock_tolerance())::float8 AS tolerance_seconds',
  )) as [{ tolerance_seconds: number }];
  const source = [
    'SELECT a.id, a.occurred_at, audit_row_hash(a) AS h FROM audit_logs a',
    ...archives.map(({ table_name }) => `SELECT r.id, r.occurred_at, audit_row_hash(ROW(r.*)::audit_logs) AS h FROM ${quoteIdent(table_name)} r`),
  ].join(' UNION ALL ');

  let previous: Buffer = start ? Buffer.from(start.headHash, 'hex') : GENESIS;
  let lastPosition = start?.position ?? 0;
  let problem: VerifyProblem | null = null;
  /** The newest time chained so far: a row dated well before it was written later than it claims. */
  let newestText = start?.newestOccurredAt ?? null;
  let newest = newestText === null ? -Infinity : Date.parse(newestText);

  outer: for (;;) {
    const rows = await select<ChainRow>(
      `SELECT c.position::text AS position, c.audit_id::text AS audit_id, c.row_hash, c.chain_hash, ${UTC_MICROS('c.audit_occurred_at')} AS occurred_at,
              s.id IS NOT NULL AS present, s.h AS actual_hash
         FROM audit_chain c
         LEFT JOIN LATERAL (SELECT x.id, x.h FROM (${source}) x WHERE x.id = c.audit_id AND x.occurred_at = c.audit_occurred_at) s ON true
        WHERE c.position > :after
        ORDER BY c.position
        LIMIT :batch`,
      { after: lastPosition, batch: BATCH },
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const position = Number(row.position);
      problem = entryProblem(row, position, lastPosition, previous);
      if (problem) break outer;
      const at = Date.parse(row.occurred_at);
      if (at < newest - toleranceSeconds * 1000) {
        problem = {
          kind: 'out_of_order',
          auditId: row.audit_id,
          position,
          message: `audit row ${row.audit_id} (chain position ${position}) is dated ${new Date(at).toISOString()}, before rows written ahead of it (up to ${new Date(newest).toISOString()}) by more than the ${toleranceSeconds / 60}-minute clock tolerance: it was back-dated`,
        };
        break outer;
      }
      // Same format, so the text orders as the times do, to the microsecond.
      if (newestText === null || row.occurred_at > newestText) {
        newestText = row.occurred_at;
        newest = at;
      }
      previous = nextLink(previous, row.row_hash);
      lastPosition = position;
    }
  }

  const [seal] = await select<{ last_position: string; head_hash: Buffer | null; txid_horizon: string }>(
    'SELECT last_position::text, head_hash, txid_horizon::text FROM audit_seals ORDER BY id DESC LIMIT 1',
  );
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
    // A row of a transaction that had ended before the last seal must be in the chain; since an
    // anchor, only rows of transactions at or after its seal's horizon can still be missing. Those
    // are gathered by transaction id first: ordered by id, the planner would walk every month's
    // primary key instead, the whole log.
    if (!problem) {
      const unchained = 'NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id AND c.audit_occurred_at = a.occurred_at)';
      const inserted = await select<{ id: string }>(
        start
          ? `WITH since AS MATERIALIZED (SELECT id, occurred_at FROM audit_logs WHERE txid >= :since::xid8 AND txid < :horizon::xid8)
             SELECT a.id::text AS id FROM since a WHERE ${unchained} ORDER BY a.id LIMIT 1`
          : `SELECT a.id::text AS id FROM audit_logs a WHERE a.txid < :horizon::xid8 AND ${unchained} ORDER BY a.id LIMIT 1`,
        { horizon: seal.txid_horizon, since: start?.txidHorizon ?? '0' },
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
    const [row] = await select<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs WHERE txid >= :horizon::xid8', { horizon: seal.txid_horizon });
    pending = row?.n ?? 0;
  } else {
    const [row] = await select<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs');
    pending = row?.n ?? 0;
  }

  // Every sign-off still stands: a chain rewritten consistently (rows, chain and seals) passes the
  // checks above, but not the hash an anchor took before the rewrite.
  if (!problem && withAnchors) {
    const broken = await firstBrokenAnchor(sequelize, transaction);
    if (broken) problem = { kind: 'anchor_mismatch', auditId: null, position: broken.position, message: describeBrokenAnchor(broken) };
  }

  return {
    ok: problem === null,
    mode,
    start,
    rowsChecked: lastPosition - (start?.position ?? 0),
    rowsPending: pending,
    headHash: lastPosition > 0 ? previous.toString('hex') : null,
    lastPosition,
    newestOccurredAt: newestText,
    problem,
  };
}

/** The first thing wrong with one chain entry, read after the entry at lastPosition linked to `previous`. */
function entryProblem(row: ChainRow, position: number, lastPosition: number, previous: Buffer): VerifyProblem | null {
  if (position !== lastPosition + 1) {
    return { kind: 'removed', auditId: null, position: lastPosition + 1, message: `chain entry ${lastPosition + 1} is missing from audit_chain` };
  }
  if (!row.present) {
    return { kind: 'removed', auditId: row.audit_id, position, message: `audit row ${row.audit_id} (chain position ${position}) has been removed` };
  }
  if (!row.actual_hash || !row.actual_hash.equals(row.row_hash)) {
    return {
      kind: 'altered',
      auditId: row.audit_id,
      position,
      message: `audit row ${row.audit_id} (chain position ${position}) has been altered since it was sealed`,
    };
  }
  if (!nextLink(previous, row.row_hash).equals(row.chain_hash)) {
    return {
      kind: 'chain_broken',
      auditId: row.audit_id,
      position,
      message: `the chain itself was edited at position ${position} (audit row ${row.audit_id})`,
    };
  }
  return null;
}

/** A run refused before it read a chain entry. */
function failedAtStart(
  mode: VerifyMode,
  start: AnchorStart | null,
  message: string,
  position: number | null,
  kind: TamperKind = 'anchor_mismatch',
): VerifyReport {
  return {
    ok: false,
    mode,
    start,
    rowsChecked: 0,
    rowsPending: 0,
    headHash: null,
    lastPosition: 0,
    newestOccurredAt: null,
    problem: { kind, auditId: null, position, message },
  };
}

function quoteIdent(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected archive table name ${name}`);
  return `"${name}"`;
}
