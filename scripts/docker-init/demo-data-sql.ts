/**
 * The body of docker/initdb/02-seed-data.sql: the demo shop that the seeders wrote to a scratch
 * database, made loadable on any later date.
 *
 * A plain data dump is a snapshot of one moment: its travelers are due, late and worked on
 * relative to the day it was made, its audit rows carry that day's time and transaction ids, and
 * pg_dump names the audit partitions of that month. Loaded months later it either fails (the
 * partition does not exist) or shows a shop where everything happened long ago. So:
 *
 * - business rows are loaded as dumped, then every date and time in them moves forward by the
 *   time elapsed since the demo was generated, so the shop looks as it did when it was seeded
 *   (a traveler released four days ago is still released four days before the load);
 * - the demo's audit rows are not restored as rows of the past: they are appended anew, written
 *   by the loading transaction (its time, its transaction id, so into the month's partition)
 *   under the actor that wrote them, `system:seeder:demo-data`, with the times in their old and
 *   new values moved like the rows they describe. The log says what happened: demo data was
 *   written when the database was made, and nothing pretends to be an earlier real change;
 * - the chain is not loaded: the app's sealer chains these rows like any others.
 */
import pg from 'pg';

/** Tables whose rows the dump does not carry, and why. */
export const NOT_DUMPED = [
  // Appended anew by the load (see above); their partitions are named after months.
  'audit_logs*',
  // Chained and sealed by the app after the load, over the rows as they are then.
  'audit_chain',
  'audit_seals',
  'audit_archives',
  // Sign-offs of a chain the load does not carry.
  'audit_anchors',
  // Where the audit rows are, by month: recorded by the app's sealer as it seals the load's rows
  // (01-init.sql made the table's progress row; the dump's names the scratch cluster's transactions).
  'audit_record_months*',
  // Filled by 01-init.sql; the seeder's storage is in the dump.
  'schema_migrations',
  // Names the scratch database's roles; 01-init.sql records the compose database's own.
  'nexus_roles',
  // Sessions and sign-in counters of the scratch run mean nothing to another database.
  'sessions',
  'login_throttle',
] as const;

/** Columns of audit_logs that a demo audit row carries over; id, occurred_at and txid are the load's own. */
const AUDIT_COLUMNS = [
  'change_id',
  'action',
  'table_name',
  'record_id',
  'field_name',
  'old_value',
  'new_value',
  'actor_kind',
  'actor_id',
  'actor_username',
  'actor_name',
  'actor_email',
  'ip_address',
  'user_agent',
  'request_id',
  'approval_id',
  'details',
] as const;

const STAGING_TYPES: Record<(typeof AUDIT_COLUMNS)[number], string> = {
  change_id: 'uuid',
  action: 'text',
  table_name: 'text',
  record_id: 'text',
  field_name: 'text',
  old_value: 'text',
  new_value: 'text',
  actor_kind: 'text',
  actor_id: 'integer',
  actor_username: 'text',
  actor_name: 'text',
  actor_email: 'text',
  ip_address: 'inet',
  user_agent: 'text',
  request_id: 'text',
  approval_id: 'integer',
  details: 'jsonb',
};

export interface DemoSnapshot {
  /** A moment after the seeders finished, as PostgreSQL prints it in UTC: the load moves times by the time since. */
  generatedAt: string;
  /** Tables whose data the dump carries: the ones whose times move. */
  tables: string[];
  /** The demo's audit rows in the order they were written. */
  auditRows: Array<Record<(typeof AUDIT_COLUMNS)[number], string | null>>;
}

/** Reads from the seeded scratch database what the load needs besides pg_dump's data. */
export async function readDemoSnapshot(databaseUrl: string): Promise<DemoSnapshot> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`SET TIME ZONE 'UTC'`);
    // Read after the seeders finished: every time they wrote is before it, so every time the
    // load moves stays before the load's own.
    const clock = await client.query<{ at: string; audited: number }>(`SELECT now()::text AS at, (SELECT count(*)::int FROM audit_logs) AS audited`);
    const { at: generatedAt, audited } = clock.rows[0]!;
    if (audited === 0) throw new Error('the seeders wrote no audit rows: the demo data would load without its history');
    // Every table the dump carries, rows or not: moving the times of an empty table costs nothing.
    const tables = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND NOT c.relname LIKE ANY ($1::text[])
        ORDER BY c.relname`,
      [NOT_DUMPED.map((t) => t.replace(/_/g, '\\_').replace('*', '%'))],
    );
    const audit = await client.query<DemoSnapshot['auditRows'][number]>(
      `SELECT ${AUDIT_COLUMNS.map((c) => `${c}::text AS ${c}`).join(', ')} FROM audit_logs ORDER BY id`,
    );
    return { generatedAt, tables: tables.rows.map((r) => r.name), auditRows: audit.rows };
  } finally {
    await client.end();
  }
}

const literal = (value: string | null) => (value === null ? 'NULL' : pg.escapeLiteral(value));

/** The statements that go before pg_dump's data: the clock the times move by. */
export function demoPrologue(snapshot: DemoSnapshot): string {
  return [
    '-- Loaded as dumped: no trigger fires (the rows are consistent as a whole, and their audit',
    '-- rows are appended below). Needs a superuser, as the postgres image runs its init scripts.',
    'SET LOCAL session_replication_role = replica;',
    "-- Then as the database's owner, who owns every table (and the seeders' bookkeeping table made here).",
    "SELECT set_config('role', pg_get_userbyid(datdba)::text, true) FROM pg_database WHERE datname = current_database();",
    '',
    `-- The demo was generated at ${snapshot.generatedAt} (UTC). Everything moves forward by the time`,
    '-- since: times by the exact interval, dates by whole days.',
    'CREATE TEMPORARY TABLE nexus_demo_clock ON COMMIT DROP AS',
    `  SELECT now() - ${literal(snapshot.generatedAt)}::timestamptz AS shift,`,
    `         (now() AT TIME ZONE 'UTC')::date - (${literal(snapshot.generatedAt)}::timestamptz AT TIME ZONE 'UTC')::date AS days;`,
  ].join('\n');
}

/** The statements that go after pg_dump's data: times moved, audit rows appended. */
export function demoEpilogue(snapshot: DemoSnapshot): string {
  const columns = AUDIT_COLUMNS.join(', ');
  const values = snapshot.auditRows.map((row, i) => `  (${[String(i + 1), ...AUDIT_COLUMNS.map((c) => literal(row[c]))].join(', ')})`);
  const moved = (column: string) =>
    `CASE kind.type
         WHEN 'timestamp with time zone' THEN pg_catalog.to_jsonb(a.${column}::timestamptz + clock.shift) #>> '{}'
         WHEN 'timestamp without time zone' THEN pg_catalog.to_jsonb(a.${column}::timestamp + clock.shift) #>> '{}'
         WHEN 'date' THEN pg_catalog.to_jsonb(a.${column}::date + clock.days) #>> '{}'
         ELSE a.${column} END`;
  return [
    '-- Every date and time of the demo rows moves by the clock above (generated columns follow).',
    'DO $$',
    'DECLARE',
    '  t record;',
    'BEGIN',
    '  FOR t IN',
    "    SELECT c.relname, string_agg(format('%I = %I + %s', a.attname, a.attname,",
    "             CASE WHEN a.atttypid = 'date'::regtype THEN '(SELECT days FROM pg_temp.nexus_demo_clock)'",
    "                  ELSE '(SELECT shift FROM pg_temp.nexus_demo_clock)' END), ', ') AS assignments",
    '      FROM pg_catalog.pg_attribute a',
    '      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid',
    '      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace',
    "     WHERE n.nspname = 'public' AND c.relname = ANY (ARRAY[" + snapshot.tables.map((t) => literal(t)).join(', ') + '])',
    "       AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''",
    "       AND a.atttypid IN ('date'::regtype, 'timestamptz'::regtype, 'timestamp'::regtype)",
    '     GROUP BY c.relname',
    '  LOOP',
    "    EXECUTE format('UPDATE public.%I SET %s', t.relname, t.assignments);",
    '  END LOOP;',
    'END $$;',
    '',
    '-- What a pending request is about was hashed before the times moved: hashed again, as it is now.',
    "UPDATE public.approvals SET content_hash = public.approval_content_hash(target_table, target_id, parent_table, parent_id) WHERE status = 'pending';",
    '',
    "-- The demo's audit rows, in the order the seeders wrote them.",
    `CREATE TEMPORARY TABLE nexus_demo_audit (ord integer PRIMARY KEY, ${AUDIT_COLUMNS.map((c) => `${c} ${STAGING_TYPES[c]}`).join(', ')}) ON COMMIT DROP;`,
    `INSERT INTO pg_temp.nexus_demo_audit (ord, ${columns}) VALUES`,
    `${values.join(',\n')};`,
    "-- The hash each request's creation recorded is the one it holds now.",
    "UPDATE pg_temp.nexus_demo_audit a SET new_value = to_jsonb(p) ->> 'content_hash' FROM public.approvals p",
    "  WHERE a.table_name = 'approvals' AND a.field_name = 'content_hash' AND p.id::text = a.record_id;",
    '',
    '-- Appended as written now, by this transaction (time, transaction id, partition), with the',
    '-- times in their values moved like the rows they describe.',
    `INSERT INTO public.audit_logs (${columns})`,
    `SELECT ${AUDIT_COLUMNS.map((c) => (c === 'old_value' || c === 'new_value' ? moved(c) : `a.${c}`)).join(',\n       ')}`,
    '  FROM pg_temp.nexus_demo_audit a',
    '  CROSS JOIN pg_temp.nexus_demo_clock clock',
    '  LEFT JOIN LATERAL (',
    '    SELECT format_type(f.atttypid, NULL) AS type FROM pg_catalog.pg_attribute f',
    "     WHERE f.attrelid = pg_catalog.to_regclass('public.' || pg_catalog.quote_ident(a.table_name))",
    '       AND f.attname = a.field_name AND f.attnum > 0 AND NOT f.attisdropped',
    "  ) kind ON a.action IN ('create', 'update', 'delete')",
    ' ORDER BY a.ord;',
  ].join('\n');
}
