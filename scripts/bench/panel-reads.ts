import { request } from './app-server.js';
import { expectHistory, expectRecords } from './panel.js';
import type { ReadCase, ReadPlan, ReadTarget, SampledRequest } from './sampling.js';
import { atMost, latency, type Latency, type Verdict } from './stats.js';

/**
 * Measurements (3) and (4): the cases of the plan, over HTTP with a signed-in administrator's
 * session cookie, one request after another on one kept-alive connection. The cases take turns,
 * one request each per round (starting with a different case every round), so that none of them
 * meets the app cold or right after its own previous request; every URL of a case is different,
 * except in the one case that asks for the busiest record again and again.
 */

export interface ReadResult {
  label: string;
  target: ReadTarget;
  sampled: string;
  distinctUrls: number;
  /** Lowest and highest page asked for (lists). */
  pages: { min: number; max: number } | null;
  matching: ReadCase['matching'];
  latency: Latency;
  /** The same, split: the requests for page 1, and those for a deeper page (lists). */
  firstPage: Latency | null;
  deeperPages: Latency | null;
  failures: number;
  firstFailure: string | null;
  slowest: { path: string; ms: number } | null;
  /** Records (lists) or changes (History) in the answers: fewest and most. */
  answerSizes: { min: number; max: number } | null;
  /** Answers whose total was an estimate (lists). */
  estimatedTotals: number;
}

interface Outcome {
  ms: number;
  problem: string | null;
  size: number | null;
  estimated: boolean;
}

async function ask(base: string, cookie: string, r: SampledRequest, isHistory: boolean): Promise<Outcome> {
  const reply = await request(base, 'GET', r.path, { cookie });
  if (reply.status !== 200) return { ms: reply.ms, problem: `HTTP ${reply.status} for ${r.path}: ${reply.body.slice(0, 160)}`, size: null, estimated: false };
  let body: any;
  try {
    body = JSON.parse(reply.body);
  } catch {
    return { ms: reply.ms, problem: `not JSON for ${r.path}: ${reply.body.slice(0, 160)}`, size: null, estimated: false };
  }
  const problem = (isHistory ? expectHistory : expectRecords)(body);
  if (problem) return { ms: reply.ms, problem: `${r.path}: ${problem}`, size: null, estimated: false };
  const size = isHistory ? body.history.entries.length : body.records.length;
  const estimated = !isHistory && Object.entries(body.meta ?? {}).some(([k, v]) => /estimat/i.test(k) && Boolean(v));
  return { ms: reply.ms, problem: null, size, estimated };
}

export async function measureReads(base: string, cookie: string, plan: ReadPlan, log: (line: string) => void): Promise<ReadResult[]> {
  const cases = plan.cases;
  const outcomes = cases.map(() => [] as Array<Outcome & { request: SampledRequest }>);
  const warmFailures = cases.map(() => [] as string[]);
  const inTurn = async (list: (c: ReadCase) => SampledRequest[], each: (i: number, r: SampledRequest, o: Outcome) => void) => {
    const rounds = Math.max(...cases.map((c) => list(c).length));
    for (let round = 0; round < rounds; round += 1) {
      for (let k = 0; k < cases.length; k += 1) {
        const i = (round + k) % cases.length;
        const r = list(cases[i]!)[round];
        if (r) each(i, r, await ask(base, cookie, r, cases[i]!.target === 'history'));
      }
    }
  };
  await inTurn(
    (c) => c.warm,
    (i, _r, o) => o.problem && warmFailures[i]!.push(o.problem),
  );
  await inTurn(
    (c) => c.timed,
    (i, r, o) => outcomes[i]!.push({ ...o, request: r }),
  );
  return cases.map((c, i) => {
    const all = outcomes[i]!;
    const ok = all.filter((o) => o.size !== null);
    const failed = [...warmFailures[i]!, ...all.flatMap((o) => (o.problem ? [o.problem] : []))];
    const slowest = all.reduce<(typeof all)[number] | null>((worst, o) => (!worst || o.ms > worst.ms ? o : worst), null);
    const isList = c.target !== 'history';
    const split = (pick: (page: number) => boolean) => {
      const times = all.filter((o) => pick(o.request.page)).map((o) => o.ms);
      return isList && times.length ? latency(times) : null;
    };
    const pages = all.map((o) => o.request.page);
    const result: ReadResult = {
      label: c.label,
      target: c.target,
      sampled: c.sampled,
      distinctUrls: new Set(c.timed.map((t) => t.path)).size,
      pages: isList ? { min: Math.min(...pages), max: Math.max(...pages) } : null,
      matching: c.matching,
      latency: latency(all.map((o) => o.ms)),
      firstPage: split((page) => page === 1),
      deeperPages: split((page) => page > 1),
      failures: failed.length,
      firstFailure: failed[0] ?? null,
      slowest: slowest ? { path: slowest.request.path, ms: slowest.ms } : null,
      answerSizes: ok.length ? { min: Math.min(...ok.map((o) => o.size!)), max: Math.max(...ok.map((o) => o.size!)) } : null,
      estimatedTotals: ok.filter((o) => o.estimated).length,
    };
    log(
      `  ${c.label.padEnd(46)} ${String(result.distinctUrls).padStart(3)} URLs  p50 ${result.latency.p50.toFixed(1).padStart(7)} ms  p95 ${result.latency.p95.toFixed(1).padStart(7)} ms  max ${result.latency.max.toFixed(1).padStart(7)} ms` +
        (result.failures ? `  ${result.failures} FAILED: ${result.firstFailure}` : ''),
    );
    return result;
  });
}

/** Each case's p95 against its target; a case with a failed request misses, whatever its times. */
export function readVerdicts(results: ReadResult[], limits: Record<ReadTarget, number>): Verdict[] {
  return results.map((r) => {
    const name = r.target === 'history' ? `(4) History, ${r.label.replace(/ \(.*/, '')}, p95` : `(3) ${r.label}, ${r.distinctUrls} URLs, p95`;
    const v = atMost(name, r.latency.p95, limits[r.target], ' ms');
    return r.failures ? { ...v, pass: false, shortfall: `${r.failures} failed requests: ${r.firstFailure}` } : v;
  });
}
