import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAppContext } from '../src/app-context.js';
import { loadConfig } from '../src/config/config.js';
import { ALL_MODELS, AuditLog } from '../src/models/index.js';
import { resourcesFor } from '../src/resources/index.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { AUDITED_TABLES } from './support/expected.js';

/**
 * TRUST's "Complete": every table that holds audited data carries the audit trigger, enabled, on
 * every write, in the database the migrations build. A table added later without the trigger
 * fails here, whether or not anyone remembered to list it: every table of the schema is either
 * audited or named below as holding no audited data, with the reason.
 */

/** Tables with no audit trigger, each for a reason. */
const NOT_AUDITED: Record<string, string> = {
  audit_logs: 'the audit trail itself (append-only by its own triggers)',
  audit_chain: 'the hash chain over the audit trail (append-only)',
  audit_seals: 'the seals of the chain (append-only)',
  audit_archives: 'the record of archived audit months (append-only)',
  audit_anchors: 'sign-offs of verified stretches of the chain (append-only, written by the owner only)',
  audit_record_months: "where the audit trail holds each record's changes, by month: derived from audit_logs by the sealer",
  audit_record_months_progress: 'how far audit_record_months is complete, kept by the sealer',
  login_throttle: 'sign-in counters; locks and refusals are audit events',
  sessions: 'sign-in sessions; sign-in and sign-out are audit events',
  schema_migrations: "the owner's migration history",
  nexus_roles: "the names of the database's roles, written by the migrator",
};

interface TriggerRow {
  table: string;
  name: string;
  enabled: string;
  definition: string;
}

let db: TestDatabase;
let auditTriggers: TriggerRow[];
let truncateGuards: TriggerRow[];
let tables: string[];

async function triggersCalling(fn: string): Promise<TriggerRow[]> {
  const res = await db.query<TriggerRow>(
    `SELECT c.relname AS table, t.tgname AS name, t.tgenabled AS enabled, pg_get_triggerdef(t.oid) AS definition
       FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
       JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE p.proname = $1 AND NOT t.tgisinternal
      ORDER BY c.relname, t.tgname`,
    [fn],
  );
  return res.rows;
}

beforeAll(async () => {
  db = await createTestDatabase();
  auditTriggers = await triggersCalling('audit_row_change');
  truncateGuards = await triggersCalling('audit_refuse_truncate');
  // Monthly audit partitions are part of audit_logs, not tables of their own.
  const res = await db.query<{ table: string }>(
    `SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
  );
  tables = res.rows.map((r) => r.table);
});

afterAll(async () => {
  await db.drop();
});

describe('the audit trigger', () => {
  it('is on exactly the audited tables, one per table', () => {
    expect(auditTriggers.map((t) => t.table)).toEqual(AUDITED_TABLES);
  });

  it('is on the table of every model but the audit log, as the code knows them', () => {
    const modelTables = ALL_MODELS.filter((m) => m !== AuditLog).map((m) => m.getTableName() as string);
    expect([...modelTables].sort()).toEqual(AUDITED_TABLES);
  });

  it('leaves out no table of the schema that is not named as holding no audited data', () => {
    const unaccounted = tables.filter((t) => !AUDITED_TABLES.includes(t) && !(t in NOT_AUDITED));
    expect(unaccounted).toEqual([]);
    // And the list of exceptions names only tables that exist and are not audited.
    expect(Object.keys(NOT_AUDITED).filter((t) => !tables.includes(t) || AUDITED_TABLES.includes(t))).toEqual([]);
  });

  it('is enabled, and fires after every insert, update and delete of each row', () => {
    for (const trigger of auditTriggers) {
      expect({ table: trigger.table, name: trigger.name, enabled: trigger.enabled }).toEqual({
        table: trigger.table,
        name: `${trigger.table}_audit`,
        enabled: 'O',
      });
      expect(trigger.definition).toMatch(
        new RegExp(
          `^CREATE TRIGGER ${trigger.table}_audit AFTER INSERT OR DELETE OR UPDATE ON public\\.${trigger.table} FOR EACH ROW EXECUTE FUNCTION audit_row_change\\(`,
        ),
      );
    }
    // Only users leaves a column out: a sign-in is recorded as a login event, not as an edit of the user.
    expect(
      auditTriggers.filter((t) => !t.definition.endsWith('audit_row_change()')).map((t) => t.definition.replace(/^.*EXECUTE FUNCTION /, `${t.table}: `)),
    ).toEqual(["users: audit_row_change('last_login_at')"]);
  });

  it("has every audited table, and the audit log itself, among the audit log's record types", () => {
    const ctx = createAppContext(loadConfig({}), { db: db.sequelize, url: db.url });
    const auditLog = resourcesFor(ctx).find((r) => r.options.id === 'audit_logs');
    const offered = (auditLog?.options.properties?.table_name?.availableValues ?? []).map((v) => v.value);
    expect([...offered].sort()).toEqual([...AUDITED_TABLES, 'audit_logs'].sort());
  });

  it('comes with an enabled guard that refuses TRUNCATE on every audited table', () => {
    expect(truncateGuards.map((t) => t.table)).toEqual(AUDITED_TABLES);
    for (const guard of truncateGuards) {
      expect({ table: guard.table, enabled: guard.enabled }).toEqual({ table: guard.table, enabled: 'O' });
      expect(guard.definition).toMatch(/ BEFORE TRUNCATE ON .* FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate\(\)$/);
    }
  });
});
