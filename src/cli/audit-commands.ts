import { loadConfig } from '../config/config.js';
import { sealAuditLog } from '../audit/audit-seal.service.js';
import { verifyAuditLog } from '../audit/audit-verify.service.js';
import { createSequelize } from '../db/database.js';
import { openDatabaseTarget } from '../db/database-target.js';

/**
 * npm run audit:verify — seals what has finished, then recomputes the whole chain. Exit 0 and
 * "OK" on an intact log; exit 1 naming the first altered, removed or inserted entry otherwise.
 */
/** audit:verify; returns the exit code. */
export async function auditVerify(): Promise<number> {
  const config = loadConfig();
  const target = await openDatabaseTarget(config, (line) => console.error(line));
  const sequelize = createSequelize({ url: target.url, poolMax: 2, acquireTimeoutMs: config.DB_POOL_ACQUIRE_MS, ssl: target.ssl });
  try {
    const seal = await sealAuditLog(sequelize);
    const report = await verifyAuditLog(sequelize);
    if (report.ok) {
      console.log(
        `OK: ${report.rowsChecked} audit rows verified (${seal.rowsSealed} newly sealed), ${report.rowsPending} still in open transactions.\n` +
          `Chain head: ${report.headHash ?? '(empty log)'} at position ${report.lastPosition}. Keep this line: a later run must extend it.`,
      );
      return 0;
    }
    console.log(`TAMPERED: ${report.problem!.message}`);
    console.log(`(${report.rowsChecked} entries verified before the first problem.)`);
    return 1;
  } finally {
    await sequelize.close();
    await target.embedded?.stop();
  }
}
