import { QueryTypes, type Sequelize } from 'sequelize';
import { sealAuditLog, type SealResult } from '../../src/audit/audit-seal.service.js';
import { waitFor } from './app-process.js';

/**
 * Seals until every audit row present now is in the chain, and returns what those runs did.
 *
 * The sealer chains only rows of transactions that have ended everywhere on the server
 * (transaction ids are cluster-wide), so while another test file holds a transaction open in its
 * own database, a seal here may chain nothing yet. That is the design, not a fault; a test that
 * needs its rows chained waits for the horizon to pass them (bounded) instead of sealing once.
 */
export async function sealAllAuditRows(sequelize: Sequelize, timeoutMs = 60_000): Promise<SealResult> {
  const [{ n: present }] = (await sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs', { type: QueryTypes.SELECT })) as [{ n: number }];
  let rowsSealed = 0;
  let outOfOrder = 0;
  return waitFor(
    `the sealer to chain all ${present} audit rows`,
    async () => {
      const run = await sealAuditLog(sequelize);
      rowsSealed += run.rowsSealed;
      outOfOrder += run.outOfOrder;
      // Positions count archived rows too, which are no longer in audit_logs: at least, not equal.
      return run.lastPosition >= present ? { ...run, rowsSealed, outOfOrder } : undefined;
    },
    timeoutMs,
  );
}
