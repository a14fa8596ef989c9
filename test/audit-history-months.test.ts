import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { recordHistory, type RecordHistory } from '../src/audit/audit-history.service.js';
import { createSequelize } from '../src/db/database.js';
import { createMigrator } from '../src/db/migrator.js';
import { sealAllAuditRows } from './support/audit-seal.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * History reads only the months that hold a record's changes (audit_record_months, kept by the
 * sealer) and every month that rows not sealed yet can lie in, and finds exactly what searching
 * every month since the record was made finds: for changes in many months, of children in months
 * of their own, written since the last seal, sealed late, and after old months were archived.
 * Searching every month is what History does while nothing is recorded (a database never sealed
 * since the table came), which these tests bring about by clearing when it was last brought up
 * to date.
 */

const MIGRATION = '20261208000100-audit-record-months';

let db: TestDatabase;
let floor: Floor;
/** months[k]: the first instant of the UTC month k months before the database's current one. */
let months: string[];
let traveler: string;
/** A traveler with no row this month until the tests write some: made eight months ago, changed since in two months. */
let quiet: string;

async function rows<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]> {
  return (await db.query<R>(sql, params)).rows;
}

/** One change (its rows share a change id) as a writer then left it, `day` days into month `monthsAgo`, or now. */
async function change(
  at: { monthsAgo: number; day: number } | 'now',
  action: string,
  table: string,
  id: string,
  fields: Record<string, [string | null, string | null]>,
) {
  const changeId = crypto.randomUUID();
  for (const [field, [oldValue, newValue]] of Object.entries(fields)) {
    await db.query(
      `INSERT INTO audit_logs (occurred_at, change_id, action, table_name, record_id, field_name, old_value, new_value, actor_kind, actor_username)
       VALUES (coalesce($1::timestamptz + make_interval(days => $2::int), now()), $3, $4, $5, $6, $7, $8, $9, 'system', 'system:test:import')`,
      [at === 'now' ? null : months[at.monthsAgo], at === 'now' ? 0 : at.day, changeId, action, table, id, field, oldValue, newValue],
    );
  }
}

const history = (id: string) => recordHistory(db.sequelize, 'travelers', id, { facets: true });

/** The History as it is searched while nothing is recorded: every month since the record was made. */
async function searchingEveryMonth(id: string): Promise<RecordHistory> {
  const [saved] = await rows<{ at: Date | null }>('SELECT recorded_at AS at FROM audit_record_months_progress');
  await db.query('UPDATE audit_record_months_progress SET recorded_at = NULL');
  try {
    return await history(id);
  } finally {
    await db.query('UPDATE audit_record_months_progress SET recorded_at = $1', [saved!.at]);
  }
}

/** The traveler's changes and its children's (live ones, and `gone`), newest first, read straight from the audit log. */
async function changesInLog(id: string, gone: Array<[string, string]> = []): Promise<string[]> {
  const family = await rows<{ t: string; id: string }>(
    `WITH s AS (SELECT id FROM traveler_steps WHERE traveler_id = $1::int)
     SELECT 'travelers' AS t, $1::text AS id
     UNION ALL SELECT 'traveler_steps', id::text FROM s
     UNION ALL SELECT 'traveler_sub_steps', id::text FROM traveler_sub_steps WHERE traveler_step_id IN (SELECT id FROM s)
     UNION ALL SELECT 'manual_steps', id::text FROM manual_steps WHERE traveler_id = $1::int
     UNION ALL SELECT 'labor_entries', id::text FROM labor_entries WHERE traveler_id = $1::int`,
    [id],
  );
  const keys = [...family.map((r) => [r.t, r.id] as [string, string]), ...gone];
  const found = await rows<{ change_id: string }>(
    `SELECT change_id::text FROM audit_logs
      WHERE action IN ('create', 'update', 'delete') AND (table_name, record_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
      GROUP BY change_id ORDER BY max(occurred_at) DESC, max(id) DESC`,
    [keys.map((k) => k[0]), keys.map((k) => k[1])],
  );
  return found.map((r) => r.change_id);
}

const DELETED_MANUAL_STEP: [string, string] = ['manual_steps', '990001'];
const DELETED_LABOR: [string, string] = ['labor_entries', '990002'];
/** A check of one of the traveler's steps, found (as a grandchild) only through the audit rows that made it the step's. */
const DELETED_CHECK: [string, string] = ['traveler_sub_steps', '990004'];

beforeAll(async () => {
  db = await createTestDatabase();
  floor = await buildFloor(db);
  traveler = String(floor.completed.id);
  months = (
    await rows<{ m: string }>(
      `SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => k), 'YYYY-MM-DD"T"00:00:00"Z"') AS m FROM generate_series(0, 8) k ORDER BY k`,
    )
  ).map((r) => r.m);
  // Months of partitions, in UTC as History's windows; travelers made eight months ago, one of
  // them loaded as it was (no trigger, so no audit row of this month).
  await db.query(`SET TIME ZONE 'UTC'; SELECT ensure_audit_log_partitions('${months[8]!.slice(0, 10)}'::date, 8)`);
  await db.query(
    `SET session_replication_role = replica;
     UPDATE travelers SET created_at = '${months[8]}'::timestamptz + interval '2 days' WHERE id = ${traveler};
     INSERT INTO travelers (number, work_order_id, part_id, revision_id, customer_id, quantity, created_at)
     SELECT 'T-QUIET-01', work_order_id, part_id, revision_id, customer_id, quantity, '${months[8]}'::timestamptz + interval '2 days' FROM travelers WHERE id = ${traveler}`,
  );
  quiet = (await rows<{ id: string }>(`SELECT id::text FROM travelers WHERE number = 'T-QUIET-01'`))[0]!.id;

  // Another record changed every month: rows in every partition that are none of History's.
  for (let k = 1; k <= 8; k += 1) await change({ monthsAgo: k, day: 1 }, 'update', 'customers', String(floor.customers.aero.id), { contact_name: ['A', 'B'] });
  // The traveler and its children, each in months of their own; a manual step and a labor entry since deleted.
  const [step10, step20] = [String(floor.completed.steps[10]), String(floor.completed.steps[20])];
  const check = String(Object.values(Object.values(floor.completed.checks)[0]!)[0]);
  await change({ monthsAgo: 7, day: 3 }, 'update', 'travelers', traveler, { notes: [null, 'Expedite'] });
  await change({ monthsAgo: 6, day: 5 }, 'create', ...DELETED_MANUAL_STEP, { traveler_id: [null, traveler], operation: [null, 'Rework face A'] });
  await change({ monthsAgo: 6, day: 6 }, 'delete', ...DELETED_MANUAL_STEP, { traveler_id: [traveler, null], operation: ['Rework face A', null] });
  await change({ monthsAgo: 5, day: 4 }, 'update', 'traveler_steps', step10, { instructions: [null, 'Saw from cert 4471 only'] });
  await change({ monthsAgo: 5, day: 5 }, 'create', ...DELETED_CHECK, { traveler_step_id: [null, step10], description: [null, 'Flatness'] });
  await change({ monthsAgo: 5, day: 6 }, 'delete', ...DELETED_CHECK, { traveler_step_id: [step10, null], description: ['Flatness', null] });
  await change({ monthsAgo: 4, day: 7 }, 'create', ...DELETED_LABOR, { traveler_id: [null, traveler], hours: [null, '1.5'] });
  await change({ monthsAgo: 4, day: 8 }, 'delete', ...DELETED_LABOR, { traveler_id: [traveler, null], hours: ['1.5', null] });
  await change({ monthsAgo: 3, day: 2 }, 'update', 'travelers', traveler, { quantity: ['10', '12'] });
  await change({ monthsAgo: 2, day: 9 }, 'update', 'traveler_sub_steps', check, { measured_value: [null, '10.01'] });
  await change({ monthsAgo: 2, day: 10 }, 'update', 'traveler_steps', step20, { instructions: [null, 'Deburr'] });
  // The quiet traveler: changed five months ago, and a manual step added and removed three months ago.
  await change({ monthsAgo: 5, day: 10 }, 'update', 'travelers', quiet, { notes: [null, 'Waiting for material'] });
  await change({ monthsAgo: 3, day: 11 }, 'create', 'manual_steps', '990010', { traveler_id: [null, quiet], operation: [null, 'Inspect'] });
  await change({ monthsAgo: 3, day: 12 }, 'delete', 'manual_steps', '990010', { traveler_id: [quiet, null], operation: ['Inspect', null] });
});

afterAll(async () => {
  await db.drop();
});

describe('History by recorded months', () => {
  it('finds, once sealed, exactly what searching every month finds, the children’s months included', async () => {
    const everyMonth = await searchingEveryMonth(traveler);
    await sealAllAuditRows(db.sequelize);
    const own = await rows<{ m: string }>(
      `SELECT to_char(month, 'YYYY-MM-DD') AS m FROM audit_record_months WHERE table_name = 'travelers' AND key_field = 'id' AND key_value = $1 ORDER BY 1`,
      [traveler],
    );
    expect(own.map((r) => r.m)).toEqual([months[7], months[3], months[0]].map((m) => m!.slice(0, 10)));
    const linked = await rows<{ t: string; m: string }>(
      `SELECT table_name AS t, to_char(month, 'YYYY-MM-DD') AS m FROM audit_record_months WHERE key_field = 'traveler_id' AND key_value = $1 AND month < $2 ORDER BY 1, 2`,
      [traveler, months[0]!.slice(0, 10)],
    );
    expect(linked).toEqual([
      { t: 'labor_entries', m: months[4]!.slice(0, 10) },
      { t: 'manual_steps', m: months[6]!.slice(0, 10) },
    ]);

    const recorded = await history(traveler);
    expect(recorded).toEqual(everyMonth);
    expect(recorded.entries.map((e) => e.changeId)).toEqual(await changesInLog(traveler, [DELETED_MANUAL_STEP, DELETED_LABOR, DELETED_CHECK]));
    const monthsShown = new Set(recorded.entries.map((e) => `${e.at.slice(0, 7)}-01T00:00:00Z`));
    expect([...monthsShown].sort()).toEqual([7, 6, 5, 4, 3, 2, 0].map((k) => months[k]).sort());
  });

  it('reads the rows written since the last seal: a change, and a child made and deleted, this month', async () => {
    expect(await rows('SELECT recorded_at IS NOT NULL AS recorded FROM audit_record_months_progress')).toEqual([{ recorded: true }]);
    // Nothing of the quiet traveler's is recorded for this month: only the months since the last seal bring these up.
    const thisMonth = await rows(
      `SELECT count(*)::int AS n FROM audit_record_months
        WHERE (table_name, key_field) IN (('travelers', 'id'), ('manual_steps', 'traveler_id')) AND key_value = $1 AND month >= $2`,
      [quiet, months[1]!.slice(0, 10)],
    );
    expect(thisMonth).toEqual([{ n: 0 }]);
    await change('now', 'create', 'manual_steps', '990011', { traveler_id: [null, quiet], operation: [null, 'Polish'] });
    await change('now', 'delete', 'manual_steps', '990011', { traveler_id: [quiet, null], operation: ['Polish', null] });
    await change('now', 'update', 'travelers', quiet, { notes: ['Waiting for material', 'Material in'] });

    const recorded = await history(quiet);
    expect(recorded.entries.map((e) => [e.record.table, e.record.id, e.action])).toEqual([
      ['travelers', quiet, 'update'],
      ['manual_steps', '990011', 'delete'],
      ['manual_steps', '990011', 'create'],
      ['manual_steps', '990010', 'delete'],
      ['manual_steps', '990010', 'create'],
      ['travelers', quiet, 'update'],
    ]);
    expect(recorded).toEqual(await searchingEveryMonth(quiet));
    expect(recorded.entries.map((e) => e.changeId)).toEqual(
      await changesInLog(quiet, [
        ['manual_steps', '990010'],
        ['manual_steps', '990011'],
      ]),
    );
  });

  it('finds a change back-dated into an earlier month once it is sealed', async () => {
    await change({ monthsAgo: 1, day: 12 }, 'update', 'traveler_steps', String(floor.completed.steps[30]), { instructions: [null, 'Late entry'] });
    await sealAllAuditRows(db.sequelize);
    const recorded = await history(traveler);
    expect(recorded.entries.filter((e) => e.at.startsWith(months[1]!.slice(0, 7))).map((e) => e.changes[0]!.new)).toEqual(['Late entry']);
    expect(recorded).toEqual(await searchingEveryMonth(traveler));
  });

  it('after old months are archived, finds what searching every month finds: the months left', async () => {
    await db.query(`SELECT archive_audit_log_partitions('${months[6]!.slice(0, 10)}'::date)`);
    expect(await rows<{ table_name: string }>('SELECT table_name FROM audit_archives ORDER BY 1')).toEqual(
      [8, 7].map((k) => ({ table_name: `audit_logs_${months[k]!.slice(0, 7).replace('-', '_')}` })),
    );
    const recorded = await history(traveler);
    expect(recorded).toEqual(await searchingEveryMonth(traveler));
    expect(recorded.entries.map((e) => e.changeId)).toEqual(await changesInLog(traveler, [DELETED_MANUAL_STEP, DELETED_LABOR, DELETED_CHECK]));
    expect(recorded.entries.some((e) => e.at.startsWith(months[7]!.slice(0, 7)))).toBe(false);
  });

  it('is brought up to date by its migration on a database that had audit rows before it', async () => {
    const before = await history(traveler);
    const migrator = createMigrator(db.sequelize);
    await migrator.down({ to: MIGRATION });
    await migrator.up();
    const [progress] = await rows<{ horizon: string; at: Date }>('SELECT txid_horizon::text AS horizon, recorded_at AS at FROM audit_record_months_progress');
    const [seal] = await rows<{ horizon: string; at: Date }>('SELECT txid_horizon::text AS horizon, sealed_at AS at FROM audit_seals ORDER BY id DESC LIMIT 1');
    expect(progress).toEqual(seal);
    expect(await history(traveler)).toEqual(before);
  });
});

const partitionOf = (month: string) => `audit_logs_${month.slice(0, 4)}_${month.slice(5, 7)}`;

/** The audit partitions a statement's generic plan looks into (pruned by what its text says), by name. */
async function partitionsPlanned(text: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const params = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    await client.query('SET plan_cache_mode = force_generic_plan');
    await client.query(`PREPARE search AS ${text}`);
    const explained = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (FORMAT JSON) EXECUTE search${params ? `(${Array(params).fill('NULL').join(', ')})` : ''}`,
    );
    const names = new Set<string>();
    const walk = (node: PlanNode) => {
      if (node['Relation Name']?.startsWith('audit_logs')) names.add(node['Relation Name']);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(explained.rows[0]!['QUERY PLAN'][0]!.Plan);
    return [...names].sort();
  } finally {
    await client.end();
  }
}

interface PlanNode {
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** The audit-log statements of one History, as sent. */
async function searchesOf(id: string): Promise<string[]> {
  const texts: string[] = [];
  const logged = createSequelize({
    url: db.url,
    poolMax: 2,
    acquireTimeoutMs: 10_000,
    preparedReads: false,
    log: (sql) => texts.push(sql.replace(/^Executing \([^)]*\): /, '')),
  });
  try {
    await recordHistory(logged, 'travelers', id, { facets: true });
  } finally {
    await logged.close();
  }
  return texts.filter((text) => /\bFROM audit_logs\b/.test(text));
}

describe('History’s searches of the audit log', () => {
  // Last in this file: a second Sequelize instance binds the models to itself.
  it('for a record changed in two of the months look into those months’ partitions and the current month’s only', async () => {
    // Where rows not sealed yet can lie: from the last seal, less the clock tolerance, to a day from now (UTC months).
    const current = (
      await rows<{ part: string }>(
        `SELECT to_char(m, '"audit_logs_"YYYY_MM') AS part FROM generate_series(
           date_trunc('month', ((SELECT recorded_at FROM audit_record_months_progress) - audit_clock_tolerance()) AT TIME ZONE 'UTC'),
           date_trunc('month', (now() + interval '1 day') AT TIME ZONE 'UTC'), interval '1 month') m`,
      )
    ).map((r) => r.part);
    const [linked, changed] = [[3], [5, 3]].map((ks) => [...ks.map((k) => partitionOf(months[k]!)), ...current].sort());

    const searches = await searchesOf(quiet);
    // The children of the traveler (manual steps, whose own have none), its changes and their
    // facets, and the last values of the manual steps since deleted, which name them.
    expect(searches).toHaveLength(4);
    const planned = await Promise.all(searches.map(partitionsPlanned));
    expect(planned).toEqual([linked, changed, changed, linked]);

    // Searching every month, the same changes are looked for in every partition from the month
    // the traveler was made (its first months archived: the default partition instead).
    const [saved] = await rows<{ at: Date }>('SELECT recorded_at AS at FROM audit_record_months_progress');
    await db.query('UPDATE audit_record_months_progress SET recorded_at = NULL');
    const everyMonth = await searchesOf(quiet).finally(() => db.query('UPDATE audit_record_months_progress SET recorded_at = $1', [saved!.at]));
    const sinceMade = [...[6, 5, 4, 3, 2, 1].map((k) => partitionOf(months[k]!)), ...current, 'audit_logs_default'].sort();
    expect(await partitionsPlanned(everyMonth[1]!)).toEqual(sinceMade);
  });
});
