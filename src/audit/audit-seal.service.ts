import { QueryTypes, type Sequelize } from 'sequelize';

export interface SealResult {
  rowsSealed: number;
  lastPosition: number;
  headHash: string | null;
  /** Every audit row written by a transaction older than this one is in the chain. */
  txidHorizon: string;
  /** Rows of this run dated before rows chained ahead of them by more than the clock tolerance (back-dated). */
  outOfOrder: number;
}

/**
 * Appends to the hash chain every audit row whose transaction has ended since the last seal.
 *
 * Writers never touch the chain: they insert audit rows and go. Rows are chained later, in bounded
 * runs, once PostgreSQL says their transactions are over (their txid is below the xmin of a fresh
 * snapshot), so a transaction that commits late can never slip a row into a stretch of the chain
 * that was already sealed, and no writer waits for another. The chaining itself is the database
 * function audit_seal(), owned by the owner: the runtime login may run it but cannot write to the
 * chain or the seals itself. Its advisory lock keeps two sealers from extending the chain at once.
 */
export async function sealAuditLog(sequelize: Sequelize): Promise<SealResult> {
  // Each run of audit_seal() chains a bounded batch (one statement, well inside the statement
  // timeout) and says whether more wait; a backlog is sealed in as many runs as it takes.
  const total: SealResult = { rowsSealed: 0, lastPosition: 0, headHash: null, txidHorizon: '0', outOfOrder: 0 };
  for (;;) {
    const [row] = await sequelize.query<{
      rows_sealed: number;
      last_position: string;
      head_hash: Buffer | null;
      txid_horizon: string;
      out_of_order: number;
      more: boolean;
    }>('SELECT rows_sealed, last_position::text, head_hash, txid_horizon::text, out_of_order, more FROM audit_seal()', { type: QueryTypes.SELECT });
    total.rowsSealed += Number(row!.rows_sealed);
    total.lastPosition = Number(row!.last_position);
    total.headHash = row!.head_hash ? row!.head_hash.toString('hex') : null;
    total.txidHorizon = row!.txid_horizon;
    total.outOfOrder += Number(row!.out_of_order);
    // A run that chained nothing cannot be followed by one that does more: never spin.
    if (!row!.more || Number(row!.rows_sealed) === 0) return total;
  }
}
