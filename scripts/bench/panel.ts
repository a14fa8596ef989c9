import autocannon from 'autocannon';
import pg from 'pg';
import { request } from './app-server.js';
import type { BenchSettings } from './settings.js';
import { latency, type Latency } from './stats.js';

/**
 * Measurements (3), (4) and (5): what the panel's pages ask the server for, over HTTP, with a
 * signed-in administrator's session cookie.
 */

export interface ListCase {
  resource: 'travelers' | 'audit_logs';
  label: string;
  query: Record<string, string>;
  page: number;
  /** Rows the filter matches (exact count, taken by the bench beforehand). */
  matching: number;
}

export interface TimedCase {
  label: string;
  path: string;
  latency: Latency;
  failures: number;
  firstFailure: string | null;
  /** What the response said: the list's total (and whether it was an estimate), or the history's size. */
  note: string;
}

export interface PanelTargets {
  travelerId: number;
  travelerLabel: string;
  busyTravelerId: number;
  busyTravelerRows: number;
  actorId: number;
  customerId: number;
  month: { from: string; to: string };
  cases: ListCase[];
}

/** Picks what to ask for and counts exactly what each filter matches, so deep pages exist. */
export async function planPanelCases(ownerUrl: string, s: BenchSettings, actorId: number): Promise<PanelTargets> {
  const db = new pg.Client({ connectionString: ownerUrl });
  await db.connect();
  try {
    const one = async <T extends object>(sql: string, params: unknown[] = []) => (await db.query<T & pg.QueryResultRow>(sql, params)).rows[0]!;
    const travelers = Number((await one<{ n: string }>('SELECT count(*) AS n FROM travelers')).n);
    const inProgress = Number((await one<{ n: string }>(`SELECT count(*) AS n FROM travelers WHERE status = 'in_progress'`)).n);
    const customerId = 1 + Math.floor(s.customers / 2);
    const ofCustomer = Number((await one<{ n: string }>('SELECT count(*) AS n FROM travelers WHERE customer_id = $1', [customerId])).n);
    const auditRows = Number((await one<{ n: string }>('SELECT count(*) AS n FROM audit_logs')).n);
    const auditTravelers = Number((await one<{ n: string }>(`SELECT count(*) AS n FROM audit_logs WHERE table_name = 'travelers'`)).n);
    const byActor = Number((await one<{ n: string }>('SELECT count(*) AS n FROM audit_logs WHERE actor_id = $1', [actorId])).n);
    const month = await one<{ from: string; to: string }>(
      `SELECT to_char(date_trunc('month', now()) - interval '1 month', 'YYYY-MM-DD"T"00:00:00"Z"') AS from,
              to_char(date_trunc('month', now()) - interval '1 microsecond', 'YYYY-MM-DD"T"23:59:59"Z"') AS to`,
    );
    const inMonth = Number(
      (await one<{ n: string }>('SELECT count(*) AS n FROM audit_logs WHERE occurred_at >= $1 AND occurred_at <= $2', [month.from, month.to])).n,
    );
    // The "typical" traveler: one from the middle of the history (completed, with its steps, checks
    // and labor) that has audit rows of its own, so that filtering the log by it finds some.
    let travelerId = Math.max(1, Math.floor(s.travelers / 2));
    let recordRows = 0;
    for (let tries = 0; tries < 100 && travelerId <= s.travelers; tries += 1, travelerId += 1) {
      recordRows = Number(
        (await one<{ n: string }>(`SELECT count(*) AS n FROM audit_logs WHERE table_name = 'travelers' AND record_id = $1`, [String(travelerId)])).n,
      );
      if (recordRows > 0) break;
    }
    const busy = await one<{ id: string; n: string }>(
      `SELECT record_id AS id, count(*) AS n FROM audit_logs WHERE table_name = 'travelers' GROUP BY record_id ORDER BY count(*) DESC, record_id LIMIT 1`,
    );
    const number = (await one<{ number: string }>('SELECT number FROM travelers WHERE id = $1', [travelerId])).number;

    const deep = (matching: number) => Math.max(1, Math.min(s.deepPage, Math.floor((matching - 1) / s.perPage) + 1));
    const cases: ListCase[] = [
      { resource: 'travelers', label: 'travelers, unfiltered, page 1', query: {}, page: 1, matching: travelers },
      { resource: 'travelers', label: 'travelers, unfiltered, deep page', query: {}, page: deep(travelers), matching: travelers },
      { resource: 'travelers', label: 'travelers, status = in progress, page 1', query: { 'filters.status': 'in_progress' }, page: 1, matching: inProgress },
      {
        resource: 'travelers',
        label: 'travelers, status = in progress, deep page',
        query: { 'filters.status': 'in_progress' },
        page: deep(inProgress),
        matching: inProgress,
      },
      { resource: 'travelers', label: 'travelers, one customer, page 1', query: { 'filters.customer_id': String(customerId) }, page: 1, matching: ofCustomer },
      { resource: 'travelers', label: 'travelers, number search (text), page 1', query: { 'filters.number': number }, page: 1, matching: 1 },
      { resource: 'audit_logs', label: 'audit log, unfiltered, page 1', query: {}, page: 1, matching: auditRows },
      { resource: 'audit_logs', label: 'audit log, unfiltered, deep page', query: {}, page: deep(auditRows), matching: auditRows },
      {
        resource: 'audit_logs',
        label: 'audit log, table = travelers, page 1',
        query: { 'filters.table_name': 'travelers' },
        page: 1,
        matching: auditTravelers,
      },
      {
        resource: 'audit_logs',
        label: 'audit log, table = travelers, deep page',
        query: { 'filters.table_name': 'travelers' },
        page: deep(auditTravelers),
        matching: auditTravelers,
      },
      { resource: 'audit_logs', label: 'audit log, one user, page 1', query: { 'filters.actor_id': String(actorId) }, page: 1, matching: byActor },
      {
        resource: 'audit_logs',
        label: 'audit log, one user, deep page',
        query: { 'filters.actor_id': String(actorId) },
        page: deep(byActor),
        matching: byActor,
      },
      {
        resource: 'audit_logs',
        label: 'audit log, one record, page 1',
        query: { 'filters.table_name': 'travelers', 'filters.record_id': String(travelerId) },
        page: 1,
        matching: recordRows,
      },
      {
        resource: 'audit_logs',
        label: 'audit log, last month (date range), page 1',
        query: { 'filters.occurred_at~~from': month.from, 'filters.occurred_at~~to': month.to },
        page: 1,
        matching: inMonth,
      },
      {
        resource: 'audit_logs',
        label: 'audit log, last month (date range), deep page',
        query: { 'filters.occurred_at~~from': month.from, 'filters.occurred_at~~to': month.to },
        page: deep(inMonth),
        matching: inMonth,
      },
    ];
    return {
      travelerId,
      travelerLabel: number,
      busyTravelerId: Number(busy.id),
      busyTravelerRows: Number(busy.n),
      actorId,
      customerId,
      month,
      cases,
    };
  } finally {
    await db.end();
  }
}

export function listPath(c: ListCase, perPage: number): string {
  const query = new URLSearchParams({ ...c.query, page: String(c.page), perPage: String(perPage) });
  return `/admin/api/resources/${c.resource}/actions/list?${query.toString()}`;
}

/** `warmup` untimed requests, then `samples` timed ones, one after another on one kept-alive socket. */
export async function timeRequests(
  base: string,
  cookie: string,
  label: string,
  path: string,
  s: BenchSettings,
  check: (body: any) => string | null,
): Promise<TimedCase> {
  const times: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  let note = '';
  for (let i = 0; i < s.warmup + s.samples; i += 1) {
    const reply = await request(base, 'GET', path, { cookie });
    let problem: string | null = reply.status === 200 ? null : `HTTP ${reply.status}: ${reply.body.slice(0, 160)}`;
    if (!problem) {
      try {
        const body = JSON.parse(reply.body);
        problem = check(body);
        if (!problem) note = describe(body);
      } catch {
        problem = `not JSON: ${reply.body.slice(0, 160)}`;
      }
    }
    if (problem) {
      failures += 1;
      firstFailure ??= problem;
    }
    if (i >= s.warmup) times.push(reply.ms);
  }
  return { label, path, latency: latency(times), failures, firstFailure, note };
}

function describe(body: any): string {
  if (body?.meta && typeof body.meta.total === 'number') {
    const estimated = Object.entries(body.meta).find(([k, v]) => /estimat/i.test(k) && v);
    const rows = body.records?.length ?? 0;
    return `${rows} ${rows === 1 ? 'row' : 'rows'} of ${body.meta.total.toLocaleString('en-US')}${estimated ? ' (estimated total)' : ''}`;
  }
  if (body?.history?.entries) {
    return `${body.history.entries.length} changes${body.history.olderEntriesExist ? ' (older ones exist)' : ''}`;
  }
  return '';
}

export const expectRecords = (body: any): string | null =>
  Array.isArray(body?.records) && body.records.length > 0 ? null : `no records in the answer: ${JSON.stringify(body).slice(0, 200)}`;

export const expectHistory = (body: any): string | null =>
  Array.isArray(body?.history?.entries) && body.history.entries.length > 0 ? null : `no history entries: ${JSON.stringify(body).slice(0, 200)}`;

export interface LoadRun {
  label: string;
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  paths: string[];
}

/**
 * (5) autocannon against the list and show API calls the panel's pages make, two runs at once
 * (lists and shows, half of the connections each); every request carries one of several
 * signed-in sessions' cookies. Latency percentiles come from every response's own time.
 */
export async function loadRun(base: string, cookies: string[], s: BenchSettings, travelers: number, auditRows: number, perPage: number): Promise<LoadRun[]> {
  const lists = [
    `/admin/api/resources/travelers/actions/list?page=1&perPage=${perPage}`,
    `/admin/api/resources/travelers/actions/list?filters.status=in_progress&page=1&perPage=${perPage}`,
    `/admin/api/resources/audit_logs/actions/list?page=1&perPage=${perPage}`,
    `/admin/api/resources/audit_logs/actions/list?filters.table_name=travelers&page=1&perPage=${perPage}`,
  ];
  let n = 0;
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const show = () =>
    random() < 0.5
      ? `/admin/api/resources/travelers/records/${1 + Math.floor(random() * travelers)}/show`
      : `/admin/api/resources/audit_logs/records/${1 + Math.floor(random() * auditRows)}/show`;
  const half = Math.max(1, Math.floor(s.loadConnections / 2));
  const run = (label: string, next: () => string) =>
    new Promise<LoadRun>((resolve, reject) => {
      const times: number[] = [];
      const instance = autocannon(
        {
          url: base,
          connections: half,
          duration: s.loadSeconds,
          timeout: 10,
          requests: [
            {
              method: 'GET',
              setupRequest: (req) => ({
                ...req,
                path: next(),
                headers: { ...req.headers, accept: 'application/json', cookie: cookies[n++ % cookies.length]! },
              }),
            },
          ],
        },
        (error, result) => {
          if (error) return reject(error);
          const l = latency(times);
          resolve({
            label,
            connections: half,
            seconds: s.loadSeconds,
            requests: times.length,
            requestsPerSecond: times.length / s.loadSeconds,
            p50: l.p50,
            p95: l.p95,
            p99: [...times].sort((a, b) => a - b)[Math.max(0, Math.ceil(times.length * 0.99) - 1)] ?? NaN,
            errors: result.errors,
            timeouts: result.timeouts,
            non2xx: result.non2xx,
            paths:
              label === 'list'
                ? lists
                : ['/admin/api/resources/travelers/records/<random id>/show', '/admin/api/resources/audit_logs/records/<random id>/show'],
          });
        },
      );
      // autocannon emits (client, statusCode, bytes, responseTime) on the instance.
      (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => times.push(ms));
    });
  let i = 0;
  return Promise.all([run('list', () => lists[i++ % lists.length]!), run('show', show)]);
}

export { request };
