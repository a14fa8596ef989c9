import type { Sequelize } from 'sequelize';
import { ensureAuditPartitionsElected } from './audit-partition.service.js';
import { startPeriodicJob } from './periodic-job.js';

/**
 * Keeps the coming months' audit partitions made while the app runs, not only at start: an
 * instance that runs for months must not let a month begin without its partition (its rows would
 * land in the default partition). Every instance tries; the advisory lock lets one at a time do it.
 */
export function startPartitionKeeper(sequelize: Sequelize, everyMs: number, onError: (error: unknown) => void): { stop(): Promise<void> } {
  return startPeriodicJob(() => ensureAuditPartitionsElected(sequelize), everyMs, onError);
}
