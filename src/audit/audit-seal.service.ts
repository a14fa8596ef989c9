import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { GENESIS, SEAL_LOCK_KEY, nextLink } from './audit-chain.js';

export interface SealResult {
  rowsSealed: number;
  lastPosition: number;
  headHash: string | null;
  /** Every audit row written by a transaction older than this one is in the chain. */
  txidHorizon: string;
}

const BATCH = 5_000;

interface PendingRow {
  id: string;
  /** As text: a JavaScript Date would drop the microseconds that are part of the row's key. */
  occurred_at: string;
  row_hash: Buffer;
}

/**
 * Appends to the hash chain every audit row whose transaction has ended since the last seal.
 *
 * Writers never touch the chain: they insert audit rows and go. Rows are chained here, later,
 * in batches, once PostgreSQL says their transactions are over (their txid is below the xmin of
 * a fresh snapshot), so a transaction that commits late can never slip a row into a stretch of
 * the chain that was already sealed, and no writer waits for another. Sealers take an advisory
 * lock so that two never extend the chain at once.
 */
export async function sealAuditLog(sequelize: Sequelize): Promise<SealResult> {
  return sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED }, async (transaction) => {
    await sequelize.query('SELECT pg_advisory_xact_lock(hashtext(:key))', { replacements: { key: SEAL_LOCK_KEY }, transaction });
    const [last] = await sequelize.query<{ txid_horizon: string; last_position: string; head_hash: Buffer | null }>(
      'SELECT txid_horizon::text, last_position, head_hash FROM audit_seals ORDER BY id DESC LIMIT 1',
      { type: QueryTypes.SELECT, transaction },
    );
    const [{ horizon }] = (await sequelize.query<{ horizon: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon', {
      type: QueryTypes.SELECT,
      transaction,
    })) as [{ horizon: string }];
    const from = last?.txid_horizon ?? '0';
    let position = Number(last?.last_position ?? 0);
    let head: Buffer = last?.head_hash ?? GENESIS;
    let sealed = 0;
    let afterId = '0';

    for (;;) {
      const rows = await sequelize.query<PendingRow>(
        `SELECT a.id::text AS id, a.occurred_at::text AS occurred_at, audit_row_hash(a) AS row_hash
           FROM audit_logs a
          WHERE a.txid >= :from::xid8 AND a.txid < :horizon::xid8 AND a.id > :afterId::bigint
          ORDER BY a.id
          LIMIT :batch`,
        { type: QueryTypes.SELECT, replacements: { from, horizon, afterId, batch: BATCH }, transaction },
      );
      if (rows.length === 0) break;
      const positions: number[] = [];
      const chainHashes: Buffer[] = [];
      for (const row of rows) {
        position += 1;
        head = nextLink(head, row.row_hash);
        positions.push(position);
        chainHashes.push(head);
      }
      await sequelize.query(
        `INSERT INTO audit_chain (position, audit_id, audit_occurred_at, row_hash, chain_hash)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::bytea[], $5::bytea[])`,
        {
          bind: [positions, rows.map((r) => r.id), rows.map((r) => r.occurred_at), rows.map((r) => r.row_hash), chainHashes],
          transaction,
        },
      );
      sealed += rows.length;
      afterId = rows[rows.length - 1]!.id;
      if (rows.length < BATCH) break;
    }

    // A run that found nothing records nothing: the next run scans from the same horizon, and
    // no row can appear below a horizon once it has passed.
    if (sealed > 0) {
      await sequelize.query(
        'INSERT INTO audit_seals (txid_horizon, last_position, rows_sealed, head_hash) VALUES (:horizon::xid8, :position, :sealed, :head)',
        { replacements: { horizon, position, sealed, head: position > 0 ? head : null }, transaction },
      );
    }
    return { rowsSealed: sealed, lastPosition: position, headHash: position > 0 ? head.toString('hex') : null, txidHorizon: horizon };
  });
}
