import type { Sequelize } from 'sequelize';
import { sealAuditLog } from './audit-seal.service.js';

/**
 * Seals the audit chain every few seconds in the background, so the window in which a fresh
 * audit row is not yet covered by the chain stays short. One run at a time per process; runs
 * in several processes are serialised by the sealer's advisory lock.
 */
export function startAuditSealer(sequelize: Sequelize, everyMs: number, onError: (error: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = sealAuditLog(sequelize)
      .catch(onError)
      .finally(() => {
        running = null;
      });
  }, everyMs);
  timer.unref();
  return {
    /** Stops the timer and waits for a run in progress, so the pool can be closed after it. */
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
