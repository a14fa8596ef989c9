import type { Sequelize } from 'sequelize';
import { sealAuditLog } from './audit-seal.service.js';
import { startPeriodicJob } from './periodic-job.js';

/**
 * Seals the audit chain every few seconds in the background, so the window in which a fresh
 * audit row is not yet covered by the chain stays short. One run at a time per process; runs
 * in several processes are serialised by the sealer's advisory lock.
 */
export function startAuditSealer(sequelize: Sequelize, everyMs: number, onError: (error: unknown) => void): { stop(): Promise<void> } {
  return startPeriodicJob(() => sealAuditLog(sequelize), everyMs, onError);
}
