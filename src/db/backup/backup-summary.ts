import type pg from 'pg';

/**
 * What a database holds, counted the same way at backup and after restore: the rows of every
 * table and where the audit chain stands. A backup writes it beside the dump; a restore compares
 * the restored database against it.
 */

export interface ChainState {
  /** Position of the last chain entry sealed (0: nothing sealed yet). */
  lastPosition: number;
  headHash: string | null;
  sealedAt: string | null;
  /** Audit rows not (yet) in the chain. */
  pendingRows: number;
}

export interface DatabaseSummary {
  /** Row count of every table (partitioned tables with all their partitions), by name. */
  tables: Record<string, number>;
  auditRows: number;
  chain: ChainState;
}

export interface BackupSummary extends DatabaseSummary {
  format: 'nexus-backup/1';
  database: string;
  /** The database clock when the dump's snapshot was taken. */
  takenAt: string;
  serverVersion: string;
  pgDumpVersion: string;
}

export function summaryFileFor(file: string): string {
  return `${file}.summary.json`;
}

export async function summarize(client: pg.Client): Promise<DatabaseSummary> {
  const tables = await client.query<{ name: string }>(
    `SELECT c.oid::regclass::text AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
      ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    // regclass text is already quoted where an identifier needs it.
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}`);
    counts[name] = Number(rows[0]!.n);
  }
  const { rows } = await client.query<{ last_position: string | null; head_hash: string | null; sealed_at: string | null; pending: string }>(
    `SELECT s.last_position::text, encode(s.head_hash, 'hex') AS head_hash, to_char(s.sealed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS sealed_at,
            (SELECT count(*) FROM audit_logs a
              WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id AND c.audit_occurred_at = a.occurred_at))::text AS pending
       FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT * FROM audit_seals ORDER BY id DESC LIMIT 1) s ON true`,
  );
  const chain = rows[0]!;
  return {
    tables: counts,
    auditRows: counts.audit_logs ?? 0,
    chain: {
      lastPosition: Number(chain.last_position ?? 0),
      headHash: chain.head_hash,
      sealedAt: chain.sealed_at,
      pendingRows: Number(chain.pending),
    },
  };
}
