import autocannon from 'autocannon';
import { request } from './app-server.js';
import type { BenchSettings } from './settings.js';
import { latency } from './stats.js';

/**
 * Measurement (5), and what the answers of (3) and (4) must hold: the panel's API over HTTP, with
 * a signed-in administrator's session cookie. What (3) and (4) ask for is in sampling.ts, how they
 * are timed in panel-reads.ts.
 */

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
