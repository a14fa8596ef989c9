import os from 'node:os';
import type { Sequelize } from 'sequelize';
import { loadConfig } from '../config/config.js';
import { recordAuditAnchor, type AnchorOutcome } from '../audit/audit-anchor.service.js';
import { sealAuditLog } from '../audit/audit-seal.service.js';
import { verifyAuditLog, type VerifyMode, type VerifyReport } from '../audit/audit-verify.service.js';
import { createSequelize } from '../db/database.js';
import { openDatabaseTarget } from '../db/database-target.js';

export const AUDIT_VERIFY_USAGE = 'audit:verify [--incremental | --full]';

/**
 * npm run audit:verify — seals what has finished, then recomputes the whole chain (or, with
 * --incremental, the part after the newest anchor). Exit 0 and "OK" on an intact log, after which
 * an anchor is recorded where this run ended; exit 1 naming the first altered, removed or
 * inserted entry otherwise; exit 2 for options it does not know.
 *
 * The whole chain is the default: only it re-reads every row before the anchor, so a row altered
 * there by someone who left the chain as it was is found by it alone. The nightly job asks for
 * --incremental, and a full run now and then (and after a restore) covers the rest.
 */
/** audit:verify; returns the exit code. */
export async function auditVerify(args: string[] = []): Promise<number> {
  const mode = modeOf(args);
  if (!mode) {
    console.error(`Usage: nexus ${AUDIT_VERIFY_USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const target = await openDatabaseTarget(config, (line) => console.error(line));
  const sequelize = createSequelize({ url: target.url, poolMax: 2, acquireTimeoutMs: config.DB_POOL_ACQUIRE_MS, ssl: target.ssl });
  try {
    const seal = await sealAuditLog(sequelize);
    const report = await verifyAuditLog(sequelize, { mode });
    if (!report.ok) {
      console.log(`TAMPERED: ${report.problem!.message}`);
      console.log(`(${report.rowsChecked} entries verified before the first problem${report.start ? `, from chain position ${report.start.position}` : ''}.)`);
      return 1;
    }
    console.log(
      `OK: ${report.rowsChecked} audit rows verified ${stretchOf(mode, report)}; ${seal.rowsSealed} newly sealed, ${report.rowsPending} still in open transactions.\n` +
        `Chain head: ${report.headHash ?? '(empty log)'} at position ${report.lastPosition}. Keep this line: a later run must extend it.`,
    );
    console.log(anchorLine(report, await anchorAfter(sequelize, report, args)));
    return 0;
  } finally {
    await sequelize.close();
    await target.embedded?.stop();
  }
}

function modeOf(args: string[]): VerifyMode | null {
  if (args.length === 0) return 'full';
  if (args.length > 1) return null;
  return args[0] === '--incremental' ? 'incremental' : args[0] === '--full' ? 'full' : null;
}

function stretchOf(asked: VerifyMode, report: VerifyReport): string {
  if (report.start) {
    const anchor = report.start.anchorId === null ? 'the given head' : `anchor ${report.start.anchorId}`;
    const recorded = report.start.recordedAt ? `, recorded ${report.start.recordedAt.toISOString()} by ${report.start.recordedBy}` : '';
    return `since ${anchor} at position ${report.start.position}${recorded}`;
  }
  return asked === 'incremental' ? 'in the whole chain (there is no anchor to start from yet)' : 'in the whole chain';
}

/** Where this run ended becomes the next incremental run's start, when there is something new to sign off. */
async function anchorAfter(sequelize: Sequelize, report: VerifyReport, args: string[]): Promise<AnchorOutcome | null> {
  const from = report.start?.position ?? 0;
  if (report.lastPosition <= from || !report.headHash || !report.newestOccurredAt) return null;
  return recordAuditAnchor(sequelize, {
    position: report.lastPosition,
    headHash: report.headHash,
    newestOccurredAt: report.newestOccurredAt,
    mode: report.mode,
    fromPosition: from,
    verifiedWith: ['nexus audit:verify', ...args].join(' ') + ` (${operatingSystemUser()}@${os.hostname()})`,
  });
}

function anchorLine(report: VerifyReport, outcome: AnchorOutcome | null): string {
  if (!outcome)
    return report.lastPosition === 0 ? 'No anchor recorded: the chain is empty.' : 'No new anchor: nothing was chained since the one this run started from.';
  if (outcome.kind === 'refused') return `No anchor recorded: ${outcome.reason}. The next --incremental run starts from the newest anchor there is.`;
  return `Anchor ${outcome.id} recorded at position ${report.lastPosition} by ${outcome.recordedBy}: the next --incremental run starts there.`;
}

function operatingSystemUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // A container user with no passwd entry.
    return process.env.USER ?? `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}
