import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { UserActor } from '../../src/audit/actor.js';
import { createSequelize } from '../../src/db/database.js';
import { migrateBenchDatabase, openBenchDatabase } from './bench-database.js';
import { generateDataset } from './dataset.js';
import { benchSettings } from './settings.js';
import { latency, msSince, percentile } from './stats.js';
import { customerEditors } from './writes.js';

/**
 * Where the cost of auditing one update goes (issue 17): the update of measurement (1), two
 * fields of a customer, through node-postgres as the runtime login, in one transaction begun
 * with the actor as the unit of work sets it, under variants that each leave out one part of
 * the audit. Every variant is an AFTER row trigger on customers, enabled alone for its batch:
 *
 * - the shipped trigger (customers_audit) and none (the unaudited baseline);
 * - empty trigger functions (the cost of firing one at all);
 * - the shipped function with its INSERT replaced by a PERFORM of the same values (the trigger's
 *   own logic: actor, request, diff of the row);
 * - the shipped function writing into a copy of audit_logs (same columns, defaults, identity,
 *   checks, monthly partitions, and the current month's rows) that lacks one thing: an index,
 *   all secondary indexes, every index, the foreign key to users, both foreign keys.
 *
 * The copies' functions are the shipped one's text with only the target table changed, so a
 * migration that changes audit_row_change() is measured as it is. Batches are interleaved in
 * rounds, the order reversing every round, so that drift on a shared machine affects all alike.
 * Nothing here is left behind: the copies, functions and triggers are dropped afterwards and the
 * shipped trigger is enabled again.
 */

export interface AuditCostOptions {
  rounds: number;
  /** Timed updates per variant and round (after two untimed ones after each switch). */
  batch: number;
  /** EXPLAIN ANALYZE updates per variant and round (server-side time, not in the client times). */
  explain: number;
  /** Customers updated in turn (ids 1..records). */
  records: number;
}

type Body = 'none' | 'shipped' | 'empty-plain' | 'empty' | 'no-insert' | 'copy' | 'candidate';

interface VariantSpec {
  key: string;
  label: string;
  body: Body;
  /** For a copy: the audit_logs indexes left out ('*' all of them, '+' all but the primary key). */
  without?: string[] | '*' | '+';
  /** For a copy: the foreign keys it keeps. */
  fks?: Array<'users' | 'approvals'>;
  /** For a candidate: a CREATE OR REPLACE FUNCTION audit_row_change() to measure beside the shipped one (it writes to audit_logs). */
  sql?: string;
}

const BOTH: Array<'users' | 'approvals'> = ['users', 'approvals'];

export const VARIANTS: VariantSpec[] = [
  { key: 'unaudited', label: 'trigger disabled (unaudited)', body: 'none' },
  { key: 'shipped', label: 'full audit, as shipped', body: 'shipped' },
  { key: 'empty_plain', label: 'empty trigger, plain plpgsql', body: 'empty-plain' },
  { key: 'empty', label: 'empty trigger, SECURITY DEFINER SET search_path', body: 'empty' },
  { key: 'no_insert', label: 'trigger logic, no INSERT', body: 'no-insert' },
  { key: 'copy', label: 'copy: everything (control)', body: 'copy', without: [], fks: BOTH },
  { key: 'heap', label: 'copy: no index, no FK (heap insert only)', body: 'copy', without: '*', fks: [] },
  { key: 'no_fks', label: 'copy: all indexes, no FK', body: 'copy', without: [], fks: [] },
  { key: 'no_fk_users', label: 'copy: no FK to users', body: 'copy', without: [], fks: ['approvals'] },
  { key: 'pkey_only', label: 'copy: primary key only (no secondary index)', body: 'copy', without: '+', fks: BOTH },
  { key: 'no_record', label: 'copy: without audit_logs_record_idx', body: 'copy', without: ['audit_logs_record_idx'], fks: BOTH },
  { key: 'no_actor', label: 'copy: without audit_logs_actor_idx', body: 'copy', without: ['audit_logs_actor_idx'], fks: BOTH },
  { key: 'no_occurred', label: 'copy: without audit_logs_occurred_at_idx', body: 'copy', without: ['audit_logs_occurred_at_idx'], fks: BOTH },
  { key: 'no_change', label: 'copy: without audit_logs_change_id_idx', body: 'copy', without: ['audit_logs_change_id_idx'], fks: BOTH },
  { key: 'no_txid', label: 'copy: without audit_logs_txid_idx', body: 'copy', without: ['audit_logs_txid_idx'], fks: BOTH },
  { key: 'no_approval', label: 'copy: without audit_logs_approval_id_idx (partial)', body: 'copy', without: ['audit_logs_approval_id_idx'], fks: BOTH },
  { key: 'no_parent', label: 'copy: without audit_logs_parent_key_idx (partial)', body: 'copy', without: ['audit_logs_parent_key_idx'], fks: BOTH },
];

const PREFIX = 'audit_cost_';
const triggerOf = (v: VariantSpec) => (v.body === 'none' ? null : v.body === 'shipped' ? 'customers_audit' : `${PREFIX}${v.key}`);

export interface VariantResult {
  key: string;
  label: string;
  /** Client-side: the whole transaction, the UPDATE alone, the COMMIT alone (ms). */
  total: { n: number; p50: number; p95: number; mean: number };
  updateP50: number;
  commitP50: number;
  /** Server-side, from EXPLAIN (ANALYZE): the UPDATE's execution time and the audit trigger's time (ms). */
  serverP50: number;
  triggerP50: number;
  /** Audit rows written per timed update (2 when two fields change and the variant inserts). */
  rowsPerUpdate: number;
}

export interface AuditCostRun {
  variants: VariantResult[];
  seconds: number;
}

export interface AuditCostSetup {
  partition: string;
  partitionRows: number;
  partitions: number;
  indexes: string[];
}

interface Sample {
  total: number;
  update: number;
  commit: number;
}

/** The owner's DDL for every variant: copies of audit_logs, trigger functions, disabled triggers on customers. */
async function installVariants(owner: pg.Client, variants: VariantSpec[]): Promise<AuditCostSetup> {
  const current = await owner.query<{ name: string; rows: number }>(
    `SELECT c.relname AS name, c.reltuples::bigint::int AS rows FROM pg_class c
      WHERE c.relname = format('audit_logs_%s', to_char(now(), 'YYYY_MM')) AND c.relkind = 'r'`,
  );
  const partition = current.rows[0]?.name;
  if (!partition) throw new Error('audit_logs has no partition for the current month');
  const parts = await owner.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_logs'::regclass ORDER BY c.relname`,
  );
  const indexes = await owner.query<{ name: string; def: string; pkey: boolean }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def, i.indisprimary AS pkey
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'audit_logs'::regclass ORDER BY c.relname`,
  );
  const constraints = await owner.query<{ name: string; type: string; def: string; target: string | null }>(
    `SELECT conname AS name, contype AS type, pg_get_constraintdef(oid) AS def, confrelid::regclass::text AS target
       FROM pg_constraint WHERE conrelid = 'audit_logs'::regclass AND contype IN ('c', 'f') ORDER BY conname`,
  );
  const fnDef = (await owner.query<{ def: string }>(`SELECT pg_get_functiondef('public.audit_row_change()'::regprocedure) AS def`)).rows[0]!.def;
  const header = 'FUNCTION public.audit_row_change()';
  const insert = /INSERT INTO audit_logs \(/g;
  if (fnDef.split(header).length !== 2 || (fnDef.match(insert) ?? []).length !== 1) {
    throw new Error('audit_row_change() no longer has one INSERT INTO audit_logs: update scripts/bench/audit-cost.ts');
  }
  const named = (fn: string) => fnDef.replace(header, `FUNCTION public.${fn}()`);
  for (const v of variants) {
    const fn = `${PREFIX}fn_${v.key}`;
    if (v.body === 'candidate') {
      const sql = v.sql!.replace(/FUNCTION (public\.)?audit_row_change\(\)/, `FUNCTION public.${fn}()`);
      if (sql === v.sql) throw new Error(`candidate ${v.label} does not define audit_row_change()`);
      await owner.query(sql);
    } else if (v.body === 'empty-plain') {
      await owner.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`);
    } else if (v.body === 'empty') {
      await owner.query(
        `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$ BEGIN RETURN NULL; END $$`,
      );
    } else if (v.body === 'no-insert') {
      // The same values computed (PERFORM of the row the INSERT would write), nothing written.
      const sql = named(fn).replace(/INSERT INTO audit_logs \([^)]*\)\s*(VALUES\s*\(|SELECT\s)/, (_, rest: string) =>
        rest.startsWith('VALUES') ? 'PERFORM (' : 'PERFORM ',
      );
      if (sql.includes('INSERT INTO audit_logs')) throw new Error('audit_row_change() inserts neither VALUES nor SELECT: update scripts/bench/audit-cost.ts');
      await owner.query(sql);
    } else if (v.body === 'copy') {
      const table = `${PREFIX}${v.key}`;
      await owner.query(`CREATE TABLE ${table} (LIKE audit_logs INCLUDING DEFAULTS INCLUDING IDENTITY) PARTITION BY RANGE (occurred_at)`);
      for (const [i, p] of parts.rows.entries()) await owner.query(`CREATE TABLE ${table}_${i} PARTITION OF ${table} ${p.bound}`);
      for (const c of constraints.rows) {
        const fk = c.type === 'f' ? (c.target === 'users' ? 'users' : 'approvals') : null;
        if (fk && !v.fks!.includes(fk)) continue;
        await owner.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_${c.name.replace(/^audit_logs_/, '')} ${c.def}`);
      }
      for (const ix of indexes.rows) {
        const left = v.without === '*' || (v.without === '+' && !ix.pkey) || (Array.isArray(v.without) && v.without.includes(ix.name));
        if (left) continue;
        if (ix.pkey) await owner.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (id, occurred_at)`);
        else await owner.query(ix.def.replace(/INDEX \S+ ON (ONLY )?public\.audit_logs /, `INDEX ON public.${table} `));
      }
      // The current month's rows, in id order as they were written, so that its indexes have its shape and depth.
      await owner.query(`INSERT INTO ${table} SELECT * FROM ${partition} ORDER BY id`);
      await owner.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM audit_logs))`);
      await owner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_append_only()`);
      await owner.query(named(fn).replace('INSERT INTO audit_logs (', `INSERT INTO ${table} (`));
      await owner.query(`VACUUM (ANALYZE) ${table}`);
    } else {
      continue;
    }
    await owner.query(`CREATE TRIGGER ${PREFIX}${v.key} AFTER INSERT OR UPDATE OR DELETE ON customers FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    await owner.query(`ALTER TABLE customers DISABLE TRIGGER ${PREFIX}${v.key}`);
  }
  return {
    partition,
    partitionRows: Number((await owner.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${partition}`)).rows[0]!.n),
    partitions: parts.rows.length,
    indexes: indexes.rows.map((ix) => ix.name),
  };
}

async function removeVariants(owner: pg.Client, variants: VariantSpec[]): Promise<void> {
  await owner.query('ALTER TABLE customers ENABLE TRIGGER customers_audit');
  for (const v of variants) {
    if (v.body === 'none' || v.body === 'shipped') continue;
    await owner.query(`DROP TRIGGER IF EXISTS ${PREFIX}${v.key} ON customers`);
    await owner.query(`DROP TABLE IF EXISTS ${PREFIX}${v.key}`);
    await owner.query(`DROP FUNCTION IF EXISTS ${PREFIX}fn_${v.key}()`);
  }
}

/** Enables the variant's trigger alone (none for the unaudited one), in one ALTER TABLE. */
async function switchTo(owner: pg.Client, variants: VariantSpec[], v: VariantSpec): Promise<void> {
  const target = triggerOf(v);
  const all = variants.map(triggerOf).filter((t): t is string => t !== null);
  await owner.query(`ALTER TABLE customers ${all.map((t) => `${t === target ? 'ENABLE' : 'DISABLE'} TRIGGER ${t}`).join(', ')}`);
}

let edits = 0;

/** The statements of one edit, as the unit of work sends them: begin with the actor and request, the locked read, the update, commit. */
async function edit(
  client: pg.Client,
  id: number,
  actor: UserActor,
  tag: string,
  explain: boolean,
): Promise<Sample & { server?: { ms: number; trigger: number } }> {
  edits += 1;
  const requestId = `${tag}-${crypto.randomUUID()}`;
  const start = process.hrtime.bigint();
  await client.query(
    `START TRANSACTION; SELECT set_config('nexus.actor', ${client.escapeLiteral(JSON.stringify({ ...actor, requestId }))}, true), set_config('nexus.request_id', ${client.escapeLiteral(requestId)}, true)`,
  );
  try {
    await client.query('SELECT * FROM customers WHERE id = $1 FOR UPDATE', [id]);
    const beforeUpdate = process.hrtime.bigint();
    const sql = 'UPDATE customers SET contact_name = $1, phone = $2, version = version + 1, updated_at = now() WHERE id = $3';
    const result = await client.query(explain ? `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}` : sql, [
      `Cost buyer ${edits}`,
      `+1 555 8${String(edits).padStart(8, '0')}`,
      id,
    ]);
    const update = msSince(beforeUpdate);
    const beforeCommit = process.hrtime.bigint();
    await client.query('COMMIT');
    const sample = { total: msSince(start), update, commit: msSince(beforeCommit) };
    if (!explain) return sample;
    const plan = (result.rows[0] as { 'QUERY PLAN': Array<{ 'Execution Time': number; Triggers?: Array<{ 'Trigger Name': string; Time: number }> }> })[
      'QUERY PLAN'
    ][0]!;
    const trigger = (plan.Triggers ?? []).filter((t) => t['Trigger Name'] === 'customers_audit' || t['Trigger Name'].startsWith(PREFIX));
    return { ...sample, server: { ms: plan['Execution Time'], trigger: trigger.reduce((s, t) => s + t.Time, 0) } };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** Counts the audit rows the run's timed updates wrote, per variant (its own table for a copy). */
async function rowsWritten(owner: pg.Client, v: VariantSpec, tag: string): Promise<number> {
  const table = v.body === 'copy' ? `${PREFIX}${v.key}` : 'audit_logs';
  const r = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE request_id LIKE $1 AND occurred_at > now() - interval '1 day'`, [
    `${tag}-${v.key}-%`,
  ]);
  return r.rows[0]?.n ?? 0;
}

/**
 * One interleaved run over every variant; the variants must be installed. `tag` marks the audit
 * rows this run writes (request ids), so that they can be counted.
 */
async function runOnce(
  owner: pg.Client,
  client: pg.Client,
  actor: UserActor,
  variants: VariantSpec[],
  o: AuditCostOptions,
  tag: string,
): Promise<AuditCostRun> {
  const start = process.hrtime.bigint();
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.key, []]));
  const server = new Map<string, Array<{ ms: number; trigger: number }>>(variants.map((v) => [v.key, []]));
  let next = 0;
  const nextId = () => 1 + (next++ % o.records);
  for (let round = 0; round < o.rounds; round += 1) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      await switchTo(owner, variants, v);
      for (let i = 0; i < 2; i += 1) await edit(client, nextId(), actor, `${tag}-warm`, false);
      for (let i = 0; i < o.batch; i += 1) samples.get(v.key)!.push(await edit(client, nextId(), actor, `${tag}-${v.key}`, false));
      for (let i = 0; i < o.explain; i += 1) server.get(v.key)!.push((await edit(client, nextId(), actor, `${tag}-explain`, true)).server!);
    }
  }
  await switchTo(
    owner,
    variants,
    variants.find((v) => v.body === 'shipped')!,
  );
  const results: VariantResult[] = [];
  for (const v of variants) {
    const s = samples.get(v.key)!;
    const t = latency(s.map((x) => x.total));
    const srv = server.get(v.key)!;
    const p50 = (values: number[]) => percentile(values, 50);
    results.push({
      key: v.key,
      label: v.label,
      total: { n: t.n, p50: t.p50, p95: t.p95, mean: t.mean },
      updateP50: p50(s.map((x) => x.update)),
      commitP50: p50(s.map((x) => x.commit)),
      serverP50: srv.length ? p50(srv.map((x) => x.ms)) : Number.NaN,
      triggerP50: srv.length ? p50(srv.map((x) => x.trigger)) : Number.NaN,
      rowsPerUpdate: (await rowsWritten(owner, v, tag)) / s.length,
    });
  }
  return { variants: results, seconds: msSince(start) / 1000 };
}

/** A candidate audit_row_change() (its CREATE OR REPLACE FUNCTION text) to measure beside the shipped one. */
export interface AuditCostCandidate {
  name: string;
  sql: string;
}

export interface AuditCostResult {
  setup: AuditCostSetup;
  runs: AuditCostRun[];
}

/**
 * Installs the variants on a migrated, generated database (as its owner), measures `runs`
 * interleaved runs through the runtime login as `actor`, and removes the variants again.
 */
export async function measureAuditCost(
  ownerUrl: string,
  runtimeUrl: string,
  actor: UserActor,
  o: AuditCostOptions,
  runs: number,
  candidates: AuditCostCandidate[] = [],
  log: (line: string) => void = () => undefined,
): Promise<AuditCostResult> {
  const variants: VariantSpec[] = [
    ...VARIANTS,
    ...candidates.map((c, i) => ({ key: `cand_${i + 1}`, label: `candidate: ${c.name}`, body: 'candidate' as const, sql: c.sql })),
  ];
  const owner = new pg.Client({ connectionString: ownerUrl });
  const client = new pg.Client({ connectionString: runtimeUrl });
  await owner.connect();
  await client.connect();
  try {
    await removeVariants(owner, variants);
    const setup = await installVariants(owner, variants);
    log(`variants installed: ${variants.length}; current partition ${setup.partition} with ${setup.partitionRows} rows of ${setup.partitions} partitions`);
    const results: AuditCostRun[] = [];
    for (let r = 0; r < runs; r += 1) {
      const run = await runOnce(owner, client, actor, variants, o, `audit-cost-${r}-${crypto.randomBytes(3).toString('hex')}`);
      results.push(run);
      log(`run ${r + 1}/${runs}: ${run.seconds.toFixed(0)} s`);
    }
    return { setup, runs: results };
  } finally {
    await removeVariants(owner, variants).catch((error: unknown) => log(`removing the variants: ${(error as Error).message}`));
    await client.end().catch(() => undefined);
    await owner.end().catch(() => undefined);
  }
}

const median = (values: number[]) => percentile(values, 50);
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');

/** Per variant, the median over runs of each run's figure. */
function across(runs: AuditCostRun[], key: string, pick: (v: VariantResult) => number): number {
  return median(runs.map((r) => pick(r.variants.find((v) => v.key === key)!)));
}

/** What each part adds, as differences of two variants' p50 (client) and of their server-side medians. */
export const COMPONENTS: Array<{ name: string; with: string; without: string }> = [
  { name: 'firing a plpgsql AFTER row trigger', with: 'empty_plain', without: 'unaudited' },
  { name: 'SECURITY DEFINER + SET search_path on it', with: 'empty', without: 'empty_plain' },
  { name: 'trigger logic (actor, approval, row diff, values)', with: 'no_insert', without: 'empty' },
  { name: 'heap insert of 2 rows (routing, defaults, identity, checks)', with: 'heap', without: 'no_insert' },
  { name: 'all 8 indexes (pkey + 5 full + 2 partial)', with: 'no_fks', without: 'heap' },
  { name: '  of which the 7 secondary indexes', with: 'copy', without: 'pkey_only' },
  { name: '  audit_logs_record_idx', with: 'copy', without: 'no_record' },
  { name: '  audit_logs_actor_idx', with: 'copy', without: 'no_actor' },
  { name: '  audit_logs_occurred_at_idx', with: 'copy', without: 'no_occurred' },
  { name: '  audit_logs_change_id_idx', with: 'copy', without: 'no_change' },
  { name: '  audit_logs_txid_idx', with: 'copy', without: 'no_txid' },
  { name: '  audit_logs_approval_id_idx (partial)', with: 'copy', without: 'no_approval' },
  { name: '  audit_logs_parent_key_idx (partial)', with: 'copy', without: 'no_parent' },
  { name: 'FK check to users (actor_id)', with: 'copy', without: 'no_fk_users' },
  { name: 'FK check to approvals (approval_id, null)', with: 'no_fk_users', without: 'no_fks' },
  { name: 'copy vs shipped audit_logs (should be ~0)', with: 'shipped', without: 'copy' },
];

/** What each component adds at p50 (the median over runs of each run's difference), and the whole audit cost. */
export function componentCosts(result: AuditCostResult): { total: number; components: Array<{ name: string; ms: number }> } {
  const { runs } = result;
  const total = across(runs, 'shipped', (v) => v.total.p50) - across(runs, 'unaudited', (v) => v.total.p50);
  const components = COMPONENTS.filter((c) => !c.name.startsWith(' ') && c.with !== 'shipped').map((c) => ({
    name: c.name,
    ms: median(runs.map((r) => r.variants.find((v) => v.key === c.with)!.total.p50 - r.variants.find((v) => v.key === c.without)!.total.p50)),
  }));
  const commit = across(runs, 'shipped', (v) => v.commitP50) - across(runs, 'unaudited', (v) => v.commitP50);
  return { total, components: [...components, { name: 'COMMIT (more WAL to flush)', ms: commit }] };
}

export function auditCostMarkdown(result: AuditCostResult): string {
  const { runs, setup } = result;
  const total = across(runs, 'shipped', (v) => v.total.p50) - across(runs, 'unaudited', (v) => v.total.p50);
  const lines = [
    `Current partition ${setup.partition}: ${setup.partitionRows.toLocaleString('en-US')} rows, ${setup.partitions} partitions of audit_logs.`,
    `${runs.length} runs; figures are the median over runs of each run's figure.`,
    '',
    '| variant | p50 ms | mean ms | UPDATE p50 | COMMIT p50 | server p50 (EXPLAIN) | trigger p50 | audit rows / update |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs[0]!.variants.map(
      (v) =>
        `| ${v.label} | ${f3(across(runs, v.key, (x) => x.total.p50))} | ${f3(across(runs, v.key, (x) => x.total.mean))} | ${f3(across(runs, v.key, (x) => x.updateP50))} | ${f3(across(runs, v.key, (x) => x.commitP50))} | ${f3(across(runs, v.key, (x) => x.serverP50))} | ${f3(across(runs, v.key, (x) => x.triggerP50))} | ${across(runs, v.key, (x) => x.rowsPerUpdate).toFixed(2)} |`,
    ),
    '',
    `Audit cost (shipped − unaudited, p50): ${f3(total)} ms.`,
    '',
    '| component | added ms at p50 (client) | per run | share | added ms (server, EXPLAIN) |',
    '| --- | --- | --- | --- | --- |',
    ...COMPONENTS.map((c) => {
      const perRun = runs.map((r) => r.variants.find((v) => v.key === c.with)!.total.p50 - r.variants.find((v) => v.key === c.without)!.total.p50);
      const added = median(perRun);
      const srv = across(runs, c.with, (v) => v.serverP50) - across(runs, c.without, (v) => v.serverP50);
      return `| ${c.name} | ${f3(added)} | ${perRun.map(f3).join(' / ')} | ${((added / total) * 100).toFixed(0)}% | ${f3(srv)} |`;
    }),
    (() => {
      const commit = across(runs, 'shipped', (v) => v.commitP50) - across(runs, 'unaudited', (v) => v.commitP50);
      return `| COMMIT (more WAL to flush), from the COMMIT phase alone | ${f3(commit)} |  | ${((commit / total) * 100).toFixed(0)}% |  |`;
    })(),
    ...runs[0]!.variants
      .filter((v) => v.key.startsWith('cand_'))
      .map((v) => {
        const perRun = runs.map((r) => r.variants.find((x) => x.key === v.key)!.total.p50 - r.variants.find((x) => x.key === 'shipped')!.total.p50);
        const srv = across(runs, v.key, (x) => x.serverP50) - across(runs, 'shipped', (x) => x.serverP50);
        return `| ${v.label} against shipped | ${f3(median(perRun))} | ${perRun.map(f3).join(' / ')} | ${((median(perRun) / total) * 100).toFixed(0)}% | ${f3(srv)} |`;
      }),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const settings = benchSettings();
  const env = (name: string, fallback: number) => (process.env[name]?.trim() ? Number(process.env[name]) : fallback);
  const options: AuditCostOptions = {
    rounds: env('AUDIT_COST_ROUNDS', 20),
    batch: env('AUDIT_COST_BATCH', 30),
    explain: env('AUDIT_COST_EXPLAIN', 5),
    records: Math.min(settings.customers, 64),
  };
  const runs = env('AUDIT_COST_RUNS', 3);
  // Files each holding a CREATE OR REPLACE FUNCTION audit_row_change(), measured beside the shipped one.
  const candidates = (process.env.AUDIT_COST_CANDIDATES ?? '')
    .split(',')
    .filter((file) => file.trim())
    .map((file) => ({ name: path.basename(file.trim()), sql: fs.readFileSync(file.trim(), 'utf8') }));
  const log = (line: string) => console.error(line);
  const db = await openBenchDatabase(settings.databaseUrl, (line) => log(`  ${line}`));
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void db.cleanup().finally(() => process.exit(130));
    });
  }
  try {
    log(`database: ${db.where}`);
    await migrateBenchDatabase(db);
    const dataset = await generateDataset(db.ownerUrl, settings, db.superuser, log);
    const sequelize = createSequelize({ url: db.runtimeUrl, poolMax: 1, acquireTimeoutMs: 30_000 });
    const [actor] = await customerEditors(sequelize, dataset.firstUserId, 1).finally(() => sequelize.close());
    const result = await measureAuditCost(db.ownerUrl, db.runtimeUrl, actor!, options, runs, candidates, log);
    const text = [
      `Audit rows ${settings.auditRows.toLocaleString('en-US')} over ${settings.months} months; ${options.rounds} rounds × ${options.batch} updates per variant and run (+ ${options.explain} EXPLAIN ANALYZE).`,
      auditCostMarkdown(result),
    ].join('\n');
    console.log(text);
    if (process.env.AUDIT_COST_REPORT) fs.writeFileSync(process.env.AUDIT_COST_REPORT, `${text}\n${JSON.stringify(result)}\n`);
  } finally {
    await db.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
