import type { Sequelize } from 'sequelize';
import { ensureAuditPartitionsElected } from './audit-partition.service.js';

/**
 * Keeps the coming months' audit partitions made while the app runs, not only at start: an
 * instance that runs for months must not let a month begin without its partition (its rows would
 * land in the default partition). Every instance tries; the advisory lock lets one at a time do it.
 */
export function startPartitionKeeper(sequelize: Sequelize, everyMs: number, onError: (error: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = ensureAuditPartitionsElected(sequelize)
      .catch(onError)
      .finally(() => {
        running = null;
      });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
