import crypto from 'node:crypto';
import pg from 'pg';
import { hashPassword } from '../../src/auth/password.js';
import type { BenchSettings } from './settings.js';
import { msSince } from './stats.js';

/**
 * A shop's worth of history, generated with set-based SQL (INSERT ... SELECT over
 * generate_series), in dependency order, with ids computed from formulas so that every foreign
 * key holds and every CHECK constraint is met, although neither the foreign-key triggers nor the
 * audit and lifecycle triggers run: the generating connection sets session_replication_role =
 * replica (superuser), or, for a non-superuser owner, disables each table's own triggers while it
 * is filled. Generated history therefore writes no audit rows of its own; the audit log gets its
 * rows generated directly, referring to the generated records, over BENCH_MONTHS months.
 */

export interface GeneratedTable {
  table: string;
  rows: number;
  ms: number;
}

export interface Dataset {
  tables: GeneratedTable[];
  generationMs: number;
  vacuumAnalyzeMs: number;
  /** On disk after VACUUM: the whole database, and the audit log's partitions with their indexes. */
  databaseBytes: number;
  auditBytes: number;
  months: number;
  historyFrom: string;
  /** The bench's own sign-in: an administrator with a random password (argon2, as the app hashes). */
  admin: { id: number; username: string; password: string };
  /** Users other than the admin act in the generated history; writers of the measurements act as these. */
  firstUserId: number;
  lastUserId: number;
  counts: { customers: number; travelers: number; workOrders: number; auditRows: number };
}

const OPERATIONS = ['Saw cut to length', 'Rough mill', 'Finish mill', 'Turn OD', 'Drill and tap', 'Deburr', 'Heat treat', 'Grind'];
const CENTERS = ['Saw', 'Mill', 'Lathe', 'Grind', 'Deburr', 'Heat treat', 'Plate', 'Paint', 'Weld', 'Assembly', 'Inspect', 'Pack'];
const ROLES = ['operator', 'operator', 'operator', 'operator', 'operator', 'operator', 'engineer', 'quality', 'approver', 'viewer'];

const GENERATED_TABLES = [
  'users',
  'customers',
  'work_centers',
  'parts',
  'revisions',
  'process_steps',
  'sub_steps',
  'work_orders',
  'travelers',
  'traveler_steps',
  'traveler_sub_steps',
  'labor_entries',
  'audit_logs',
] as const;

const AUDIT_BATCH = 500_000;

function sqlText(values: readonly string[]): string {
  return `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`;
}

/** One kind of audit row: which record of which table, and what changed. `g` is the row number, `ti` a traveler of that time. */
interface AuditKind {
  action: string;
  table: string;
  record: string;
  field: string | null;
  oldValue: string;
  newValue: string;
}

function auditKinds(s: BenchSettings): AuditKind[] {
  const S = s.stepsPerTraveler;
  const K = s.checksPerTraveler;
  const step = `((ti - 1) * ${S} + 1 + g % ${S})`;
  const check = `((ti - 1) * ${K} + 1 + g % ${K})`;
  const workOrder = `((ti - 1) / ${s.travelersPerWorkOrder} + 1)`;
  const at = `to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
  const kinds: AuditKind[] = [
    { action: 'create', table: 'travelers', record: 'ti', field: 'number', oldValue: 'NULL', newValue: `'T' || lpad(ti::text, 8, '0')` },
    { action: 'update', table: 'travelers', record: 'ti', field: 'status', oldValue: `'draft'`, newValue: `'released'` },
    { action: 'update', table: 'travelers', record: 'ti', field: 'status', oldValue: `'released'`, newValue: `'in_progress'` },
    { action: 'update', table: 'travelers', record: 'ti', field: 'status', oldValue: `'in_progress'`, newValue: `'completed'` },
    { action: 'update', table: 'travelers', record: 'ti', field: 'notes', oldValue: 'NULL', newValue: `'Expedite: customer line down'` },
    {
      action: 'update',
      table: 'travelers',
      record: 'ti',
      field: 'due_date',
      oldValue: `(at + interval '30 days')::date::text`,
      newValue: `(at + interval '37 days')::date::text`,
    },
    { action: 'create', table: 'traveler_steps', record: step, field: 'traveler_id', oldValue: 'NULL', newValue: 'ti::text' },
    { action: 'create', table: 'traveler_steps', record: step, field: 'operation', oldValue: 'NULL', newValue: `'Rough mill'` },
    { action: 'update', table: 'traveler_steps', record: step, field: 'status', oldValue: `'pending'`, newValue: `'in_progress'` },
    { action: 'update', table: 'traveler_steps', record: step, field: 'status', oldValue: `'in_progress'`, newValue: `'completed'` },
    { action: 'update', table: 'traveler_steps', record: step, field: 'started_at', oldValue: 'NULL', newValue: at },
    { action: 'update', table: 'traveler_steps', record: step, field: 'completed_by_id', oldValue: 'NULL', newValue: 'actor::text' },
    K > 0
      ? { action: 'update', table: 'traveler_sub_steps', record: check, field: 'measured_value', oldValue: 'NULL', newValue: `'10.01'` }
      : { action: 'update', table: 'travelers', record: 'ti', field: 'notes', oldValue: 'NULL', newValue: `'Material certificate received'` },
    K > 0
      ? { action: 'update', table: 'traveler_sub_steps', record: check, field: 'completed_by_id', oldValue: 'NULL', newValue: 'actor::text' }
      : { action: 'update', table: 'travelers', record: 'ti', field: 'notes', oldValue: `'Material certificate received'`, newValue: 'NULL' },
    { action: 'create', table: 'labor_entries', record: '((ti - 1) * 2 + 1)', field: 'traveler_id', oldValue: 'NULL', newValue: 'ti::text' },
    { action: 'update', table: 'work_orders', record: workOrder, field: 'status', oldValue: `'open'`, newValue: `'in_progress'` },
    {
      action: 'update',
      table: 'customers',
      record: `(1 + g % ${s.customers})`,
      field: 'contact_name',
      oldValue: `'Buyer ' || (g % 97)`,
      newValue: `'Buyer ' || (g % 89)`,
    },
    {
      action: 'update',
      table: 'parts',
      record: `(1 + g % ${s.parts})`,
      field: 'description',
      oldValue: `'Machined part'`,
      newValue: `'Machined part, deburred'`,
    },
    { action: 'login', table: 'users', record: 'actor', field: null, oldValue: 'NULL', newValue: 'NULL' },
    {
      action: 'update',
      table: 'work_orders',
      record: workOrder,
      field: 'due_date',
      oldValue: `(at + interval '30 days')::date::text`,
      newValue: `(at + interval '44 days')::date::text`,
    },
  ];
  return kinds;
}

function caseOf(kinds: AuditKind[], pick: (k: AuditKind) => string): string {
  return `CASE kind ${kinds.map((k, i) => `WHEN ${i} THEN ${pick(k)}`).join(' ')} END`;
}

export async function generateDataset(ownerUrl: string, s: BenchSettings, superuser: boolean, log: (line: string) => void): Promise<Dataset> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  const tables: GeneratedTable[] = [];
  const started = process.hrtime.bigint();
  try {
    await client.query(`SET maintenance_work_mem = '256MB'`);
    await client.query(`SET work_mem = '64MB'`);
    await client.query(`SET synchronous_commit = off`);
    if (superuser) await client.query('SET session_replication_role = replica');

    const clock = await client.query<{ t0: string; span: number; from_month: string }>(
      `SELECT (date_trunc('month', now()) - make_interval(months => $1::int - 1))::text AS t0,
              extract(epoch FROM (now() - interval '1 hour') - (date_trunc('month', now()) - make_interval(months => $1::int - 1)))::float8 AS span,
              (date_trunc('month', now()) - make_interval(months => $1::int - 1))::date::text AS from_month`,
      [s.months],
    );
    const { t0, span, from_month: fromMonth } = clock.rows[0]!;
    // Literals, not parameters: the planner then knows the sizes; every value here is a number or a timestamp we made.
    const T0 = `'${t0}'::timestamptz`;
    const sec = (expr: string) => `((${expr}) * interval '1 second')`;
    const S = s.stepsPerTraveler;
    const K = s.checksPerTraveler;
    const W = s.workCenters;
    const workOrders = Math.ceil(s.travelers / s.travelersPerWorkOrder);
    const gap = (span * 0.018) / S;

    const run = async (table: string, sql: string, params: unknown[] = []) => {
      const start = process.hrtime.bigint();
      if (!superuser) {
        await client.query('BEGIN');
        await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      }
      const result = await client.query(sql, params);
      if (!superuser) {
        await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
        await client.query('COMMIT');
      }
      const entry = tables.find((t) => t.table === table);
      const ms = msSince(start);
      if (entry) {
        entry.rows += result.rowCount ?? 0;
        entry.ms += ms;
      } else {
        tables.push({ table, rows: result.rowCount ?? 0, ms });
      }
      return result.rowCount ?? 0;
    };
    const done = (table: string) => {
      const t = tables.find((x) => x.table === table)!;
      log(`  ${table.padEnd(20)} ${String(t.rows).padStart(12)} rows  ${(t.ms / 1000).toFixed(1).padStart(7)} s`);
    };

    const password = `Bench-${crypto.randomUUID()}`;
    const admin = { id: 1, username: 'bench.admin', password };
    await run(
      'users',
      `INSERT INTO users (id, username, email, full_name, role, password_hash, created_at, updated_at)
       VALUES (1, 'bench.admin', 'bench.admin@bench.example', 'Bench Administrator', 'admin', $1, ${T0}, ${T0})`,
      [await hashPassword(password)],
    );
    await run(
      'users',
      `INSERT INTO users (id, username, email, full_name, role, password_hash, created_at, updated_at)
       SELECT i, 'user' || lpad(i::text, 6, '0'), 'user' || lpad(i::text, 6, '0') || '@bench.example', 'Bench User ' || i,
              (${sqlText(ROLES)})[1 + i % 10], '!bench-no-login', ${T0}, ${T0}
         FROM generate_series(2, ${s.users}) i`,
    );
    done('users');
    await run(
      'customers',
      `INSERT INTO customers (id, code, name, contact_name, email, phone, address, created_at, updated_at)
       SELECT i, 'C' || lpad(i::text, 6, '0'), 'Customer ' || i || ' Manufacturing', 'Buyer ' || i,
              'buyer@customer' || i || '.example', '+1 555 ' || lpad(i::text, 7, '0'), i || ' Industrial Way', ${T0}, ${T0}
         FROM generate_series(1, ${s.customers}) i`,
    );
    done('customers');
    await run(
      'work_centers',
      `INSERT INTO work_centers (id, code, name, created_at, updated_at)
       SELECT i, 'WC' || lpad(i::text, 3, '0'), (${sqlText(CENTERS)})[1 + (i - 1) % ${CENTERS.length}] || ' ' || i, ${T0}, ${T0}
         FROM generate_series(1, ${W}) i`,
    );
    done('work_centers');
    await run(
      'parts',
      `INSERT INTO parts (id, part_number, description, customer_id, unit_of_measure, created_at, updated_at)
       SELECT i, 'P-' || lpad(i::text, 7, '0'), 'Machined part ' || i, 1 + (i - 1) % ${s.customers}, 'EA', ${T0}, ${T0}
         FROM generate_series(1, ${s.parts}) i`,
    );
    done('parts');
    // Revision A (obsolete) is 2p - 1, revision B (released, with the routing) is 2p.
    await run(
      'revisions',
      `INSERT INTO revisions (id, part_id, revision_code, status, effective_date, created_at, updated_at)
       SELECT 2 * p - 1 + r, p, CASE r WHEN 0 THEN 'A' ELSE 'B' END, CASE r WHEN 0 THEN 'obsolete' ELSE 'released' END,
              ${T0}::date, ${T0}, ${T0}
         FROM generate_series(1, ${s.parts}) p CROSS JOIN generate_series(0, 1) r`,
    );
    done('revisions');
    const operation = `CASE WHEN n = ${S} THEN 'Final inspection' ELSE (${sqlText(OPERATIONS)})[1 + (n - 1) % ${OPERATIONS.length}] END`;
    await run(
      'process_steps',
      `INSERT INTO process_steps (id, revision_id, step_number, work_center_id, operation, estimated_hours, created_at, updated_at)
       SELECT (p - 1) * ${S} + n, 2 * p, n * 10, 1 + (p + n) % ${W}, ${operation}, 0.5 + n % 4, ${T0}, ${T0}
         FROM generate_series(1, ${s.parts}) p CROSS JOIN generate_series(1, ${S}) n`,
    );
    done('process_steps');
    if (K > 0) {
      await run(
        'sub_steps',
        `INSERT INTO sub_steps (id, process_step_id, sequence, description, requires_measurement, unit, lower_limit, upper_limit, created_at, updated_at)
         SELECT (p - 1) * ${K} + k, (p - 1) * ${S} + ${S}, k, 'Measure dimension ' || k, true, 'mm', 9.95, 10.05, ${T0}, ${T0}
           FROM generate_series(1, ${s.parts}) p CROSS JOIN generate_series(1, ${K}) k`,
      );
      done('sub_steps');
    }
    // A work order's part, customer and revision follow from its number; its age from its place in the sequence.
    await run(
      'work_orders',
      `INSERT INTO work_orders (id, number, customer_id, part_id, revision_id, quantity, due_date, priority, status, version, created_at, updated_at)
       SELECT j, 'WO' || lpad(j::text, 8, '0'), 1 + (pp - 1) % ${s.customers}, pp, 2 * pp, q, (ts + ${sec(`${span} * 0.05`)})::date,
              (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + j % 5],
              CASE WHEN f < 0.85 THEN CASE WHEN j % 40 = 0 THEN 'cancelled' ELSE 'completed' END WHEN f < 0.98 THEN 'in_progress' ELSE 'open' END,
              1, ts, ts
         FROM (SELECT j, 1 + ((j::bigint * 7919) % ${s.parts})::int AS pp, (1 + (j * 37) % 500) * ${s.travelersPerWorkOrder} AS q,
                      (j - 1)::float8 / ${workOrders} AS f
                 FROM generate_series(1, ${workOrders}) j) g
        CROSS JOIN LATERAL (SELECT ${T0} + ${sec(`g.f * ${span}`)} AS ts) t`,
    );
    done('work_orders');
    // Oldest travelers are done (a few cancelled), then the floor's work in progress (some on hold), then released and drafts.
    await run(
      'travelers',
      `INSERT INTO travelers (id, number, work_order_id, part_id, revision_id, customer_id, quantity, status, due_date,
                              released_at, started_at, completed_at, notes, status_reason, version, created_at, updated_at)
       SELECT i, 'T' || lpad(i::text, 8, '0'), w.id, w.part_id, w.revision_id, w.customer_id, w.quantity / ${s.travelersPerWorkOrder}, s.st,
              (s.c + ${sec(`${span} * 0.05`)})::date, tm.rel, tm.sta, tm.comp,
              CASE WHEN i % 7 = 0 THEN 'Expedite: customer line down' END,
              CASE s.st WHEN 'on_hold' THEN 'Waiting for the material certificate' WHEN 'cancelled' THEN 'Order cancelled by the customer' END,
              CASE s.st WHEN 'draft' THEN 0 WHEN 'released' THEN 1 WHEN 'cancelled' THEN 2 WHEN 'in_progress' THEN 2 ELSE 3 END,
              s.c, coalesce(tm.comp, tm.sta, tm.rel, s.c)
         FROM generate_series(1, ${s.travelers}) i
         JOIN work_orders w ON w.id = (i - 1) / ${s.travelersPerWorkOrder} + 1
        CROSS JOIN LATERAL (SELECT (i - 1)::float8 / ${s.travelers} AS f) g
        CROSS JOIN LATERAL (SELECT ${T0} + ${sec(`g.f * ${span}`)} AS c,
                                   CASE WHEN g.f < 0.85 THEN CASE WHEN i % 40 = 0 THEN 'cancelled' ELSE 'completed' END
                                        WHEN g.f < 0.95 THEN CASE WHEN i % 10 = 0 THEN 'on_hold' ELSE 'in_progress' END
                                        WHEN g.f < 0.98 THEN 'released' ELSE 'draft' END AS st) s
        CROSS JOIN LATERAL (SELECT CASE WHEN s.st <> 'draft' THEN s.c + ${sec(`${span} * 0.002`)} END AS rel,
                                   CASE WHEN s.st IN ('in_progress', 'on_hold', 'completed') THEN s.c + ${sec(`${span} * 0.01`)} END AS sta,
                                   CASE WHEN s.st = 'completed' THEN s.c + ${sec(`${span} * 0.03`)} END AS comp) tm`,
    );
    done('travelers');
    // Each traveler's copy of its part's routing, signed off as far as the traveler got.
    await run(
      'traveler_steps',
      `INSERT INTO traveler_steps (id, traveler_id, step_number, process_step_id, work_center_id, operation, estimated_hours, status,
                                   started_at, completed_at, completed_by_id, version, created_at, updated_at)
       SELECT (t.id - 1) * ${S} + n, t.id, n * 10, (t.part_id - 1) * ${S} + n, 1 + (t.part_id + n) % ${W}, ${operation}, 0.5 + n % 4, y.status,
              x.started, x.completed, CASE WHEN y.status = 'completed' THEN o.ops[1 + (t.id * 31 + n) % cardinality(o.ops)] END,
              CASE y.status WHEN 'completed' THEN 2 WHEN 'in_progress' THEN 1 ELSE 0 END,
              t.created_at, coalesce(x.completed, x.started, t.created_at)
         FROM travelers t
        CROSS JOIN generate_series(1, ${S}) n
        CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ops FROM users WHERE role = 'operator') o
        CROSS JOIN LATERAL (SELECT CASE WHEN t.status = 'completed' THEN ${S}
                                        WHEN t.status IN ('in_progress', 'on_hold') THEN 1 + t.id % ${Math.max(S - 1, 1)}
                                        WHEN t.status = 'cancelled' THEN t.id % ${S}
                                        ELSE 0 END AS done) d
        CROSS JOIN LATERAL (SELECT CASE WHEN n <= d.done THEN 'completed'
                                        WHEN n = d.done + 1 AND t.status = 'in_progress' THEN 'in_progress'
                                        ELSE 'pending' END AS status) y
        CROSS JOIN LATERAL (SELECT CASE WHEN y.status <> 'pending' THEN coalesce(t.started_at, t.released_at) + ${sec(`(n - 1) * ${gap}`)} END AS started,
                                   CASE WHEN y.status = 'completed' THEN coalesce(t.started_at, t.released_at) + ${sec(`(n - 1) * ${gap} + ${gap * 0.6}`)} END AS completed) x`,
    );
    done('traveler_steps');
    if (K > 0) {
      await run(
        'traveler_sub_steps',
        `INSERT INTO traveler_sub_steps (id, traveler_step_id, sequence, description, requires_measurement, unit, lower_limit, upper_limit,
                                         measured_value, completed_at, completed_by_id, version, created_at, updated_at)
         SELECT (s.traveler_id - 1) * ${K} + k, s.id, k, 'Measure dimension ' || k, true, 'mm', 9.95, 10.05,
                CASE WHEN s.status = 'completed' THEN 10 + ((s.traveler_id * 7 + k) % 9 - 4) * 0.01 END,
                CASE WHEN s.status = 'completed' THEN s.completed_at - interval '1 minute' END,
                s.completed_by_id, CASE WHEN s.status = 'completed' THEN 1 ELSE 0 END,
                s.created_at, coalesce(s.completed_at - interval '1 minute', s.created_at)
           FROM traveler_steps s CROSS JOIN generate_series(1, ${K}) k
          WHERE s.step_number = ${S * 10}`,
      );
      done('traveler_sub_steps');
    }
    // Labor booked on the first two steps of every traveler that signed them off (closed entries).
    await run(
      'labor_entries',
      `INSERT INTO labor_entries (id, user_id, traveler_id, traveler_step_id, started_at, ended_at, entry_type, version, created_at, updated_at)
       SELECT (s.traveler_id - 1) * 2 + s.step_number / 10, s.completed_by_id, s.traveler_id, s.id, s.started_at,
              least(s.completed_at, s.started_at + interval '8 hours'), 'clock', 1, s.started_at, s.completed_at
         FROM traveler_steps s
        WHERE s.status = 'completed' AND s.step_number <= 20`,
    );
    done('labor_entries');

    // Audit rows: monthly partitions first, then rows in id order spread evenly over the months,
    // each naming a record that exists (a traveler of that time, one of its steps, checks, labor,
    // its work order, a customer, a part) and a user who acted.
    const partitionStart = process.hrtime.bigint();
    await client.query('SELECT ensure_audit_log_partitions($1::date, $2::int)', [fromMonth, s.months + 2]);
    tables.push({ table: 'audit_logs (partitions)', rows: s.months + 3, ms: msSince(partitionStart) });
    const kinds = auditKinds(s);
    const window = Math.max(1, Math.floor(s.travelers / 50));
    for (let lo = 1; lo <= s.auditRows; lo += AUDIT_BATCH) {
      const hi = Math.min(s.auditRows, lo + AUDIT_BATCH - 1);
      await run(
        'audit_logs',
        `INSERT INTO audit_logs (id, occurred_at, change_id, action, table_name, record_id, field_name, old_value, new_value,
                                 actor_kind, actor_id, actor_username, actor_name, actor_email, ip_address, user_agent, request_id)
         SELECT g, at, md5('bench-change-' || g)::uuid, ${caseOf(kinds, (k) => `'${k.action}'`)}, ${caseOf(kinds, (k) => `'${k.table}'`)},
                (${caseOf(kinds, (k) => k.record)})::text, ${caseOf(kinds, (k) => (k.field ? `'${k.field}'` : 'NULL'))},
                ${caseOf(kinds, (k) => k.oldValue)}, ${caseOf(kinds, (k) => k.newValue)},
                'user', u.id, u.username, u.full_name, u.email, '10.20.0.0'::inet + (u.id % 250), 'Mozilla/5.0 (X11; Linux x86_64) NEXUS-bench',
                'bench-' || g
           FROM (SELECT g, g % 20 AS kind, 2 + g % ${s.users - 1} AS actor,
                        ${T0} + ${sec(`(g - 1)::float8 / ${s.auditRows} * ${span}`)} AS at,
                        -- A traveler among the newest of that moment, picked by a hash of the row number.
                        newest - (g * 2654435761 % 4294967291) % least(${window}, newest) AS ti
                   FROM (SELECT g, least(${s.travelers}, ((g - 1)::float8 / ${s.auditRows} * ${s.travelers})::bigint + 1) AS newest
                           FROM generate_series(${lo}::bigint, ${hi}::bigint) g) b) r
           JOIN users u ON u.id = r.actor`,
      );
      log(`  audit_logs           ${String(hi).padStart(12)} rows so far (${(msSince(started) / 1000).toFixed(0)} s)`);
    }
    done('audit_logs');

    // New rows (the measurements' own) take ids after the generated ones.
    for (const table of GENERATED_TABLES) {
      await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT max(id) FROM ${table}))`, [table]);
    }
    if (superuser) await client.query('SET session_replication_role = origin');
    const generationMs = msSince(started);

    const vacuumStart = process.hrtime.bigint();
    await client.query('VACUUM (ANALYZE)');
    const vacuumAnalyzeMs = msSince(vacuumStart);
    log(`  VACUUM (ANALYZE)     ${(vacuumAnalyzeMs / 1000).toFixed(1)} s`);

    const sizes = await client.query<{ database: string; audit: string }>(
      `SELECT pg_database_size(current_database())::text AS database,
              (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'audit_logs'::regclass)::text AS audit`,
    );
    const count = (table: string) => tables.filter((t) => t.table === table).reduce((sum, t) => sum + t.rows, 0);
    return {
      tables,
      generationMs,
      vacuumAnalyzeMs,
      databaseBytes: Number(sizes.rows[0]?.database ?? 0),
      auditBytes: Number(sizes.rows[0]?.audit ?? 0),
      months: s.months,
      historyFrom: fromMonth,
      admin,
      firstUserId: 2,
      lastUserId: s.users,
      counts: { customers: count('customers'), travelers: count('travelers'), workOrders: count('work_orders'), auditRows: count('audit_logs') },
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
