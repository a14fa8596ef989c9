import type pg from 'pg';
import type { VerifyReport } from '../../audit/audit-verify.service.js';
import { LEGACY_ROLES } from '../database-roles.js';
import { BackupError } from './backup-error.js';
import type { ArchiveListing } from './backup-archive.js';
import type { BackupSummary, DatabaseSummary } from './backup-summary.js';

/**
 * The proofs a restored database must pass before it may be used. pg_restore has committed by
 * then, so a failed check cannot undo the restore: its BackupError says what is wrong and that
 * the database must not be used.
 */

/** Tables whose rows are the tamper-evident record: the runtime role may never change them. */
const AUDIT_TABLES = ['audit_logs', 'audit_chain', 'audit_seals', 'audit_archives'];

/** Every table holds as many rows as the backup's summary says. */
export function checkRowCounts(expected: BackupSummary, summary: DatabaseSummary): void {
  const names = [...new Set([...Object.keys(expected.tables), ...Object.keys(summary.tables)])].sort();
  const differ = names.filter((n) => expected.tables[n] !== summary.tables[n]);
  if (differ.length) {
    throw new BackupError(
      `Restored, but row counts differ from the backup's summary: ${differ.map((n) => `${n} ${summary.tables[n] ?? 'missing'} (backup: ${expected.tables[n] ?? 'none'})`).join(', ')}. Do not use this database.`,
    );
  }
}

/** Every trigger of the backup is back and enabled, and the group role may read but never change the audit tables. */
export async function checkAppendOnly(client: pg.Client, listing: ArchiveListing): Promise<{ triggersChecked: number; appRole: string }> {
  const { rows: triggers } = await client.query<{ tbl: string; name: string; enabled: string }>(
    `SELECT c.relname AS tbl, t.tgname AS name, t.tgenabled AS enabled
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND NOT t.tgisinternal`,
  );
  const present = new Map(triggers.map((t) => [`${t.tbl}.${t.name}`, t.enabled]));
  for (const { table, name } of listing.triggers) {
    const enabled = present.get(`${table}.${name}`);
    if (enabled === undefined) throw new BackupError(`Restored, but trigger ${name} on ${table} is missing: do not use this database.`);
    if (enabled === 'D')
      throw new BackupError(`Restored, but trigger ${name} on ${table} is disabled (it was in the backup too): do not use this database until it is enabled.`);
  }
  for (const guard of ['audit_logs_append_only', 'audit_chain_append_only', 'audit_seals_append_only']) {
    if (![...present.keys()].some((k) => k.endsWith(`.${guard}`)))
      throw new BackupError(`Restored, but the append-only trigger ${guard} is missing: do not use this database.`);
  }
  const appRole = await groupRoleOf(client);
  const { rows: grants } = await client.query<{ tbl: string; can_read: boolean; can_change: boolean }>(
    `SELECT t AS tbl, has_table_privilege($2, 'public.' || t, 'SELECT') AS can_read,
            has_table_privilege($2, 'public.' || t, 'UPDATE, DELETE, TRUNCATE') AS can_change
       FROM unnest($1::text[]) t`,
    [AUDIT_TABLES, appRole],
  );
  for (const g of grants) {
    if (g.can_change) throw new BackupError(`Restored, but ${appRole} may change ${g.tbl}: do not use this database.`);
    if (!g.can_read) throw new BackupError(`Restored, but ${appRole} lost its grants (cannot read ${g.tbl}).`);
  }
  return { triggersChecked: listing.triggers.length, appRole };
}

/** The group role the restored database grants to (recorded in it; the shared name in older backups). */
async function groupRoleOf(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ recorded: boolean }>(`SELECT to_regclass('public.nexus_roles') IS NOT NULL AS recorded`);
  if (!rows[0]?.recorded) return LEGACY_ROLES.app;
  const { rows: named } = await client.query<{ app_role: string }>('SELECT app_role FROM nexus_roles');
  return named[0]?.app_role ?? LEGACY_ROLES.app;
}

/** The restored audit chain verifies and, when the backup's summary is known, ends where the backup's did. */
export function checkAuditChain(verify: VerifyReport, expected: BackupSummary | null): void {
  if (!verify.ok) throw new BackupError(`Restored, but the audit chain does not verify: ${verify.problem!.message}. Do not use this database.`);
  if (expected && (verify.lastPosition !== expected.chain.lastPosition || verify.headHash !== expected.chain.headHash)) {
    throw new BackupError(
      `Restored, but the audit chain ends at position ${verify.lastPosition} (head ${verify.headHash ?? 'none'}), not at the backup's ` +
        `${expected.chain.lastPosition} (head ${expected.chain.headHash ?? 'none'}). Do not use this database.`,
    );
  }
}
