import pg from 'pg';
import type { BenchSettings } from './settings.js';

/**
 * What measurements (3) and (4) ask for. Each case is many different URLs (pages across the
 * range, filter values, records from every part of the history), each asked once, as the panel's
 * users load them: one URL asked again and again is answered from caches that a user who opens
 * it once does not find warm.
 */

export type ReadTarget = 'travelersList' | 'auditList' | 'history';

export interface SampledRequest {
  path: string;
  /** The list page asked for; 1 for a History. */
  page: number;
}

export interface ReadCase {
  label: string;
  target: ReadTarget;
  /** What the case samples, in words, for the report. */
  sampled: string;
  timed: SampledRequest[];
  /** Asked first, untimed: more URLs of the same kind, none of them a timed one. */
  warm: SampledRequest[];
  /** Rows the sampled filters match (exact counts taken beforehand), fewest and most; null for a History. */
  matching: { min: number; max: number } | null;
}

export interface ReadPlan {
  cases: ReadCase[];
  busiest: { id: number; rows: number };
  /** A traveler from the middle of the history with changes of its own, for measurements that need one. */
  travelerId: number;
}

interface FilterValue {
  query: Record<string, string>;
  matching: number;
}

/** k whole numbers from lo to hi, evenly spaced, both ends included (every one of them when there are no more than k). */
export function evenly(lo: number, hi: number, k: number): number[] {
  if (hi < lo || k < 1) return [];
  if (hi - lo + 1 <= k) return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  if (k === 1) return [lo];
  return [...new Set(Array.from({ length: k }, (_, i) => Math.round(lo + ((hi - lo) * i) / (k - 1))))];
}

/** k pages from 1 to last, evenly spaced on a log scale (as many near the front as deep), both ends included. */
export function logPages(last: number, k: number): number[] {
  if (last <= k) return Array.from({ length: last }, (_, i) => i + 1);
  const pages = new Set<number>();
  for (let i = 0; i < k; i += 1) {
    let page = Math.round(last ** (k === 1 ? 0 : i / (k - 1)));
    while (pages.has(page) && page < last) page += 1;
    pages.add(page);
  }
  return [...pages].sort((a, b) => a - b);
}

function listPath(resource: string, query: Record<string, string>, page: number, perPage: number): string {
  const search = new URLSearchParams({ ...query, page: String(page), perPage: String(perPage) });
  return `/admin/api/resources/${resource}/actions/list?${search.toString()}`;
}

/**
 * `want` distinct list requests over the values: the first pass asks each value for one page, the
 * next passes for further pages of the same values. Each value's pages run from 1 to its deepest
 * (BENCH_DEEP_PAGE, or the last full page of what it matches), evenly on a log scale, and each
 * value starts at a different one of them, so that page 1 and deep pages are both asked.
 */
function spread(resource: string, values: FilterValue[], want: number, s: BenchSettings): SampledRequest[] {
  const deepest = (matching: number) => (matching > s.perPage ? Math.min(s.deepPage, Math.ceil(matching / s.perPage) - 1) : 1);
  const pagesOf = values.map((v) => logPages(deepest(v.matching), want));
  const rounds = Math.max(0, ...pagesOf.map((p) => p.length));
  const out: SampledRequest[] = [];
  for (let round = 0; round < rounds && out.length < want; round += 1) {
    values.forEach((value, v) => {
      const pages = pagesOf[v]!;
      if (out.length >= want || round >= pages.length) return;
      const page = pages[(round + v) % pages.length]!;
      out.push({ path: listPath(resource, value.query, page, s.perPage), page });
    });
  }
  return out;
}

/** A list case: `samples` timed requests spread over the values, and up to `warmup` others of the same kind. */
function listCase(label: string, target: ReadTarget, resource: string, values: FilterValue[], s: BenchSettings, what: string): ReadCase {
  const usable = values.filter((v) => v.matching > 0);
  const timed = spread(resource, usable, s.samples, s);
  if (timed.length === 0) throw new Error(`nothing to ask for in the case "${label}": no filter value matches any row`);
  const taken = new Set(timed.map((t) => t.path));
  const warm = spread(resource, usable, s.samples + 4 * s.warmup, s)
    .filter((t) => !taken.has(t.path))
    .slice(0, s.warmup);
  const pages = timed.map((t) => t.page);
  const counts = usable.map((v) => v.matching);
  const valuesAsked = new Set(timed.map((t) => t.path.replace(/[?&](page|perPage)=\d+/g, ''))).size;
  return {
    label,
    target,
    sampled: `${timed.length} URLs: ${what.replace('{values}', String(valuesAsked))}, pages ${Math.min(...pages)} to ${Math.max(...pages)}`,
    timed,
    warm,
    matching: { min: Math.min(...counts), max: Math.max(...counts) },
  };
}

export async function planReadCases(ownerUrl: string, s: BenchSettings): Promise<ReadPlan> {
  const db = new pg.Client({ connectionString: ownerUrl });
  await db.connect();
  try {
    const rows = async <T extends object>(sql: string, params: unknown[] = []) => (await db.query<T & pg.QueryResultRow>(sql, params)).rows;
    const want = s.samples + s.warmup;

    const travelers = Number((await rows<{ n: string }>('SELECT count(*) AS n FROM travelers'))[0]!.n);
    const statuses = await rows<{ status: string; n: string }>('SELECT status, count(*) AS n FROM travelers GROUP BY status ORDER BY status');
    const customerIds = evenly(1, s.customers, want);
    const customers = await rows<{ id: number; n: string }>(
      'SELECT customer_id AS id, count(*) AS n FROM travelers WHERE customer_id = ANY($1::int[]) GROUP BY customer_id ORDER BY customer_id',
      [customerIds],
    );
    const numbers = await rows<{ number: string }>('SELECT number FROM travelers WHERE id = ANY($1::int[]) ORDER BY id', [evenly(1, travelers, want)]);

    // One pass over the audit log for the totals by table, by user and by month.
    const groups = await rows<{ table_name: string | null; actor_id: number | null; month: string | null; n: string; g: number }>(
      `SELECT table_name, actor_id, to_char(date_trunc('month', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, count(*) AS n,
              GROUPING(table_name, actor_id, date_trunc('month', occurred_at AT TIME ZONE 'UTC')) AS g
         FROM audit_logs
        GROUP BY GROUPING SETS ((table_name), (actor_id), (date_trunc('month', occurred_at AT TIME ZONE 'UTC')), ())`,
    );
    const auditRows = Number(groups.find((g) => g.g === 7)?.n ?? 0);
    const tables = groups.filter((g) => g.g === 3).sort((a, b) => String(a.table_name).localeCompare(String(b.table_name)));
    const actors = groups.filter((g) => g.g === 5 && g.actor_id !== null).sort((a, b) => a.actor_id! - b.actor_id!);
    const months = groups.filter((g) => g.g === 6).sort((a, b) => String(a.month).localeCompare(String(b.month)));
    const pickedActors = evenly(0, actors.length - 1, want).map((i) => actors[i]!);

    // Records that changed at times spread evenly over the history, of whatever table they are in.
    const maxId = Number((await rows<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM audit_logs'))[0]!.id);
    const records = await rows<{ table_name: string; record_id: string; n: string }>(
      `SELECT r.table_name, r.record_id, (SELECT count(*) FROM audit_logs c WHERE c.table_name = r.table_name AND c.record_id = r.record_id) AS n
         FROM (SELECT DISTINCT ON (table_name, record_id) id, table_name, record_id FROM audit_logs WHERE id = ANY($1::bigint[]) ORDER BY table_name, record_id, id) r
        ORDER BY r.id`,
      [evenly(1, maxId, want)],
    );

    const monthRange = (month: string) => {
      const from = new Date(`${month}-01T00:00:00.000Z`);
      const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1) - 1);
      return { 'filters.occurred_at~~from': from.toISOString(), 'filters.occurred_at~~to': to.toISOString() };
    };
    const cases: ReadCase[] = [
      listCase('travelers, unfiltered', 'travelersList', 'travelers', [{ query: {}, matching: travelers }], s, 'no filter'),
      listCase(
        'travelers, by status',
        'travelersList',
        'travelers',
        statuses.map((r) => ({ query: { 'filters.status': r.status }, matching: Number(r.n) })),
        s,
        `{values} statuses (${statuses.map((r) => r.status.replace('_', ' ')).join(', ')})`,
      ),
      listCase(
        'travelers, by customer',
        'travelersList',
        'travelers',
        customers.map((r) => ({ query: { 'filters.customer_id': String(r.id) }, matching: Number(r.n) })),
        s,
        `{values} customers spread over ids 1 to ${s.customers.toLocaleString('en-US')}`,
      ),
      listCase(
        'travelers, number search (text)',
        'travelersList',
        'travelers',
        numbers.map((r) => ({ query: { 'filters.number': r.number }, matching: 1 })),
        s,
        `{values} traveler numbers spread from the oldest to the newest`,
      ),
      listCase('audit log, unfiltered', 'auditList', 'audit_logs', [{ query: {}, matching: auditRows }], s, 'no filter'),
      listCase(
        'audit log, by table',
        'auditList',
        'audit_logs',
        tables.map((r) => ({ query: { 'filters.table_name': r.table_name! }, matching: Number(r.n) })),
        s,
        `{values} tables (${tables.map((r) => r.table_name).join(', ')})`,
      ),
      listCase(
        'audit log, by user',
        'auditList',
        'audit_logs',
        pickedActors.map((r) => ({ query: { 'filters.actor_id': String(r.actor_id) }, matching: Number(r.n) })),
        s,
        `{values} users of the ${actors.length} who acted, spread over their ids`,
      ),
      listCase(
        'audit log, by record',
        'auditList',
        'audit_logs',
        records.map((r) => ({ query: { 'filters.table_name': r.table_name, 'filters.record_id': r.record_id }, matching: Number(r.n) })),
        s,
        `{values} records of ${new Set(records.map((r) => r.table_name)).size} tables, changed at times spread over the history`,
      ),
      listCase(
        'audit log, by month (date range)',
        'auditList',
        'audit_logs',
        months.map((r) => ({ query: monthRange(r.month!), matching: Number(r.n) })),
        s,
        `{values} months (${months[0]?.month} to ${months.at(-1)?.month})`,
      ),
    ];
    const { history, busiest, travelerId } = await historyCases(rows, travelers, s);
    return { cases: [...cases, ...history], busiest, travelerId };
  } finally {
    await db.end();
  }
}

type Rows = <T extends object>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * (4) The History of travelers from every part of the history: a third spread evenly by age, a
 * third of the busiest, a third of the newest twentieth (the floor's work in progress); and the
 * busiest one, the oldest kind, again and again, as its own case.
 */
async function historyCases(rows: Rows, travelers: number, s: BenchSettings): Promise<Omit<ReadPlan, 'cases'> & { history: ReadCase[] }> {
  const want = s.samples + s.warmup;
  const third = Math.ceil(want / 3);
  const busy = await rows<{ id: string; n: string }>(
    `SELECT record_id AS id, count(*) AS n FROM audit_logs WHERE table_name = 'travelers'
      GROUP BY record_id ORDER BY count(*) DESC, record_id LIMIT $1`,
    [third + 1],
  );
  const busiest = { id: Number(busy[0]!.id), rows: Number(busy[0]!.n) };
  const groups = {
    age: evenly(1, travelers, third * 2),
    busy: busy.slice(1).map((b) => Number(b.id)),
    recent: evenly(Math.max(1, Math.floor(travelers * 0.95)), travelers, third * 2),
  };
  // Only travelers with changes of their own: an empty History is not what is measured.
  const withChanges = new Set(
    (
      await rows<{ id: string }>(`SELECT DISTINCT record_id AS id FROM audit_logs WHERE table_name = 'travelers' AND record_id = ANY($1::text[])`, [
        [...groups.age, ...groups.recent].map(String),
      ])
    ).map((r) => Number(r.id)),
  );
  const pick = (ids: number[], k: number) => evenly(0, ids.length - 1, k).map((i) => ids[i]!);
  const chosen = {
    age: pick(
      groups.age.filter((id) => withChanges.has(id) && id !== busiest.id),
      third,
    ),
    busy: groups.busy.slice(0, third),
    recent: pick(
      groups.recent.filter((id) => withChanges.has(id) && id !== busiest.id),
      third,
    ),
  };
  const ids: number[] = [];
  // Interleaved, so that the timed ones and the warm-up ones each have some of every kind.
  for (let i = 0; i < third; i += 1) {
    for (const id of [chosen.age[i], chosen.busy[i], chosen.recent[i]]) if (id !== undefined && !ids.includes(id)) ids.push(id);
  }
  const request = (id: number): SampledRequest => ({ path: `/admin/api/history/travelers/${id}`, page: 1 });
  const timedIds = ids.slice(0, s.samples);
  const kinds = (list: number[]) => (id: number) => list.includes(id);
  const count = (isKind: (id: number) => boolean) => timedIds.filter(isKind).length;
  const busyRows = busy.slice(1, third + 1).map((b) => Number(b.n));
  const middle = chosen.age.reduce((best, id) => (Math.abs(id - travelers / 2) < Math.abs(best - travelers / 2) ? id : best), chosen.age[0] ?? busiest.id);
  return {
    busiest,
    travelerId: middle,
    history: [
      {
        label: `${timedIds.length} travelers across the history`,
        target: 'history',
        sampled:
          `${timedIds.length} travelers: ${count(kinds(chosen.age))} spread evenly by age over ids 1 to ${travelers.toLocaleString('en-US')}, ` +
          `${count(kinds(chosen.busy))} of the busiest (${Math.min(...busyRows)} to ${Math.max(...busyRows)} audit rows of their own), ` +
          `${count(kinds(chosen.recent))} of the newest 5%`,
        timed: timedIds.map(request),
        warm: ids.slice(s.samples).map(request),
        matching: null,
      },
      {
        label: `busiest traveler (id ${busiest.id}, ${busiest.rows} audit rows of its own)`,
        target: 'history',
        sampled: `1 URL, asked ${s.samples} times (the one record with the most changes, among the oldest)`,
        timed: Array.from({ length: s.samples }, () => request(busiest.id)),
        warm: Array.from({ length: s.warmup }, () => request(busiest.id)),
        matching: null,
      },
    ],
  };
}
