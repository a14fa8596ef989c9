import type { Sequelize } from 'sequelize';
import type { LoginThrottleSettings } from './login-throttle.settings.js';

/**
 * Prunes login_throttle now and then, from the failures themselves, so no timer has to run.
 * Each database handle (made once at start) has one pruner, which keeps when it last pruned by
 * its own clock. That clock is housekeeping only: no lock decision reads it.
 */
export class LoginThrottlePruner {
  private lastPrunedAt: number | null = null;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly options: { everyMs: number; now: () => number } = { everyMs: 60_000, now: Date.now },
  ) {}

  /** Prunes unless it did less than `everyMs` ago; the rows removed, or null when it was not due. */
  async pruneWhenDue(settings: LoginThrottleSettings): Promise<number | null> {
    const now = this.options.now();
    if (this.lastPrunedAt !== null && now - this.lastPrunedAt < this.options.everyMs) return null;
    // Taken before the prune runs, so failures arriving meanwhile do not start another one.
    this.lastPrunedAt = now;
    return pruneLoginThrottle(this.sequelize, settings);
  }
}

const pruners = new WeakMap<Sequelize, LoginThrottlePruner>();

/** The pruner of a database handle, made with it on first use and gone with it. */
export function loginThrottlePruner(sequelize: Sequelize): LoginThrottlePruner {
  let pruner = pruners.get(sequelize);
  if (!pruner) {
    pruner = new LoginThrottlePruner(sequelize);
    pruners.set(sequelize, pruner);
  }
  return pruner;
}

/**
 * Removes rows that no longer count: their window and any lock are over (a lock starts inside
 * the window, so window + lockout bounds both). Rows other sign-ins hold are skipped, not waited for.
 */
export async function pruneLoginThrottle(sequelize: Sequelize, settings: LoginThrottleSettings): Promise<number> {
  const [, result] = await sequelize.query(
    `DELETE FROM login_throttle WHERE (kind, subject) IN (
       SELECT kind, subject FROM login_throttle
        WHERE window_started_at < now() - make_interval(mins => :windowMinutes + :lockoutMinutes)
          AND (locked_until IS NULL OR locked_until <= now())
        LIMIT 1000
        FOR UPDATE SKIP LOCKED)`,
    { replacements: { windowMinutes: settings.failureWindowMinutes, lockoutMinutes: settings.lockoutMinutes } },
  );
  return (result as { rowCount?: number } | undefined)?.rowCount ?? 0;
}
