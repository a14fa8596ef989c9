import { QueryTypes, type Sequelize } from 'sequelize';

/** Creates this month's and the next `monthsAhead` months' audit partitions where missing. */
export async function ensureAuditPartitions(sequelize: Sequelize, monthsAhead = 3, fromMonth?: string): Promise<number> {
  const [row] = await sequelize.query<{ created: number }>(
    `SELECT ensure_audit_log_partitions(COALESCE(CAST(:from AS date), date_trunc('month', now())::date), :ahead) AS created`,
    { type: QueryTypes.SELECT, replacements: { from: fromMonth ?? null, ahead: monthsAhead } },
  );
  return row?.created ?? 0;
}

/**
 * Creates the coming months' partitions where missing, by one instance at a time: a caller that
 * finds another at it (its advisory lock taken) skips, and says so (null).
 */
export async function ensureAuditPartitionsElected(sequelize: Sequelize, monthsAhead = 3): Promise<number | null> {
  return sequelize.transaction(async (transaction) => {
    const [lock] = await sequelize.query<{ got: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('nexus.audit.partitions')) AS got`, {
      type: QueryTypes.SELECT,
      transaction,
    });
    if (!lock?.got) return null;
    const [row] = await sequelize.query<{ created: number }>(`SELECT ensure_audit_log_partitions(date_trunc('month', now())::date, :ahead) AS created`, {
      type: QueryTypes.SELECT,
      replacements: { ahead: monthsAhead },
      transaction,
    });
    return row?.created ?? 0;
  });
}

/** Audit rows outside every monthly partition, by month: a problem db:maintain reports. */
export async function defaultPartitionMonths(sequelize: Sequelize): Promise<Array<{ month: string; rows: number }>> {
  return sequelize.query<{ month: string; rows: number }>(
    `SELECT to_char(date_trunc('month', occurred_at), 'YYYY-MM') AS month, count(*)::int AS rows FROM audit_logs_default GROUP BY 1 ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
}

/** Gives every month that has rows in the default partition its partition, moving the rows there unchanged (owner only). */
export async function adoptDefaultRows(sequelize: Sequelize): Promise<Array<{ month: string; rows: number }>> {
  return sequelize.query<{ month: string; rows: number }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, rows_moved::int AS rows FROM audit_adopt_default_rows()`,
    {
      type: QueryTypes.SELECT,
    },
  );
}

/** Detaches (never drops) the partitions of months before `beforeMonth` (YYYY-MM-01). */
export async function archiveAuditPartitions(sequelize: Sequelize, beforeMonth: string): Promise<number> {
  const [row] = await sequelize.query<{ archived: number }>('SELECT archive_audit_log_partitions(CAST(:before AS date)) AS archived', {
    type: QueryTypes.SELECT,
    replacements: { before: beforeMonth },
  });
  return row?.archived ?? 0;
}

export interface PartitionInfo {
  name: string;
  bounds: string;
  rows: number;
}

/** The audit partitions with their row counts (estimates from statistics, exact for the default). */
export async function listAuditPartitions(sequelize: Sequelize): Promise<PartitionInfo[]> {
  return sequelize.query<PartitionInfo>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bounds,
            CASE WHEN c.relname = 'audit_logs_default' THEN (SELECT count(*)::int FROM audit_logs_default)
                 ELSE greatest(c.reltuples, 0)::int END AS rows
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'audit_logs'::regclass
      ORDER BY c.relname`,
    { type: QueryTypes.SELECT },
  );
}
