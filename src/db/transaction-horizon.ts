import type pg from 'pg';

/**
 * Burning transaction ids runs at a few hundred thousand a second; beyond this many, the gap is
 * a different cluster generation (xid epoch) and needs pg_resetwal, not a loop.
 */
const MAX_TRANSACTION_ID_ADVANCE = 200_000_000n;
const ADVANCE_BATCH = 1_000_000n;

/** The counter is too far behind to catch up by consuming ids: what to do instead is in the message. */
export class TransactionHorizonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransactionHorizonError';
  }
}

/**
 * Audit rows carry the id of the transaction that wrote them, and the sealer chains rows by
 * transaction id. A cluster whose counter is behind the backup's (a new server, a fresh embedded
 * data folder) would hand new rows ids below the restored seal: never sealed, and reported as
 * inserted into the sealed past. Consuming ids until the counter passes the backup's fixes that
 * for good; restored rows keep their ids, which their hashes include.
 */
export async function advanceTransactionIds(client: pg.Client, log: (line: string) => void): Promise<number> {
  const { rows } = await client.query<{ needed: string | null; current: string }>(
    `SELECT greatest((SELECT max(txid) FROM audit_logs), (SELECT txid_horizon FROM audit_seals ORDER BY id DESC LIMIT 1))::text AS needed,
            pg_current_xact_id()::text AS current`,
  );
  if (!rows[0]!.needed) return 0;
  const gap = BigInt(rows[0]!.needed) - BigInt(rows[0]!.current) + 1n;
  if (gap <= 0n) return 0;
  if (gap > MAX_TRANSACTION_ID_ADVANCE) {
    throw new TransactionHorizonError(
      `This cluster's transaction counter (${rows[0]!.current}) is ${gap} behind the backup's (${rows[0]!.needed}), ` +
        'too far to catch up by consuming ids: new audit rows would not be sealed. Stop this server and raise its counter with ' +
        `pg_resetwal --epoch (one more than the backup's ${BigInt(rows[0]!.needed) >> 32n}) before the app writes to it.`,
    );
  }
  log(`This server's transaction counter is behind the backup's: consuming ${gap} transaction ids so that new audit rows seal after the restored ones...`);
  for (let left = gap; left > 0n; left -= ADVANCE_BATCH) {
    const n = left < ADVANCE_BATCH ? left : ADVANCE_BATCH;
    // COMMIT inside DO: one short transaction per id, outside any explicit transaction block.
    await client.query(`DO $$ BEGIN FOR i IN 1..${n.toString()} LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$`);
  }
  return Number(gap);
}
