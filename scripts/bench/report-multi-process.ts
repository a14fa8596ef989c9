import type { ModeResult, MultiProcessWrites, ProcessRound } from './multi-process.js';
import { exactly, ms, thousands, type Verdict } from './stats.js';

/** The cores the estimate is made for, beside this machine's. */
const ESTIMATE_CORES = 8;

/** Section (2b) of docs/benchmarks.md. */
export function renderMultiProcess(m: MultiProcessWrites, writers: number, processWriters: number | null): string[] {
  const counts = m.rounds.map((r) => r.processes);
  const first = m.rounds[0];
  const best = bestRound(m, 'app');
  const bestDriver = bestRound(m, 'driver');
  const shared = m.rounds.some((r) => r.sharedCustomers);
  return [
    `## (2b) Writers in ${listed(counts)} app processes`,
    '',
    `The writers of (2), the app's (\`updateRecord\`) and the driver-level reference, in ${listed(counts)} app processes at once`,
    'against the one database. Each process is a child process of its own (Node.js with the same sources)',
    "with its own pool of connections, its writers, and the app's background sealer (`startAuditSealer`, here",
    `every ${m.sealEveryMs / 1000} s rather than the app's default 10 s, so that the sealers of all processes meet during a round).`,
    processWriters
      ? `Every process runs ${processWriters} writers (BENCH_PROCESS_WRITERS), so more processes also means more writers.`
      : `The ${writers} writers of (2) are shared out among the processes (${writers} in every round: only the number of processes changes).`,
    'Every process connects, warms up (one untimed change of each kind per writer) and says it is ready; then all',
    `start at the same instant, named by the parent, and write for ${m.writeSeconds} s through the app, then again with the driver-level`,
    `statements. Each writer edits customers of its own${shared ? ' (in some rounds there were fewer customers than writers: writers shared customers and could wait for one another)' : ''}.`,
    'After each round the parent seals what is left and checks that every change has exactly its two audit rows,',
    'all of them in the chain; that the chain after the head sealed before the round has no gap and no row in it',
    "twice, and that each seal starts where the one before ended (no fork); and that the product's incremental",
    'verification (`verifyAuditLog`) from that head passes.',
    '',
    table(
      [
        'processes',
        'writers',
        'app: changes/s',
        'per process',
        'driver-level: changes/s',
        'per process',
        'app, p95 of a change',
        'machine busy (app)',
        'CPU per change (app): app / PostgreSQL',
        'check',
      ],
      m.rounds.map((r) => [
        String(r.processes),
        r.writersPerProcess.join(' + '),
        `**${thousands(r.modes.app.changesPerSecond)}**`,
        r.modes.app.perProcess.map((p) => thousands(p.changesPerSecond)).join(' + '),
        thousands(r.modes.driver.changesPerSecond),
        r.modes.driver.perProcess.map((p) => thousands(p.changesPerSecond)).join(' + '),
        `${ms(r.modes.app.latency.p95)} ms`,
        `${r.modes.app.machineBusyPercent.toFixed(0)}% (others ${r.modes.app.othersPercent.toFixed(0)}%)`,
        cpuPerChange(r.modes.app),
        r.check.ok
          ? `passes (${thousands(r.check.found.app.changes + r.check.found.driver.changes)} changes, ${r.check.seals} seals)`
          : `**FAILS**: ${r.check.problems.join('; ')}`,
      ]),
    ),
    '',
    ...(first && m.rounds.length > 1
      ? [
          'Against one process: ' +
            m.rounds
              .slice(1)
              .map(
                (r) =>
                  `${r.processes} processes ${(r.modes.app.changesPerSecond / first.modes.app.changesPerSecond).toFixed(2)}× through the app, ` +
                  `${(r.modes.driver.changesPerSecond / first.modes.driver.changesPerSecond).toFixed(2)}× driver-level`,
              )
              .join('; ') +
            '.',
          '',
        ]
      : []),
    ...m.rounds.map(
      (r) =>
        `- ${r.processes} process${r.processes === 1 ? '' : 'es'}: the app processes used ${r.modes.app.appCpuPercent.toFixed(0)}% of a core together ` +
        `(${r.modes.app.perProcess.map((p) => `${p.cpuPercent.toFixed(0)}%`).join(' + ')})` +
        (r.modes.app.postgresCpuPercent === null ? '' : `, PostgreSQL ${r.modes.app.postgresCpuPercent.toFixed(0)}%`) +
        `; driver-level ${r.modes.driver.appCpuPercent.toFixed(0)}%${r.modes.driver.postgresCpuPercent === null ? '' : ` and ${r.modes.driver.postgresCpuPercent.toFixed(0)}%`}; ` +
        `${thousands(r.check.chainEntries)} chain entries added, ${thousands(r.check.verifiedEntries)} verified in ${(r.check.verifyMs / 1000).toFixed(1)} s.`,
    ),
    '',
    ...(best ? scaling(m, best, bestDriver) : []),
  ];
}

function scaling(m: MultiProcessWrites, best: ProcessRound, bestDriver: ProcessRound | null): string[] {
  const a = best.modes.app;
  const out = [
    `**This host (${m.cores} cores, measured):** the most audited changes through the app were ${thousands(a.changesPerSecond)}/s, with ${best.processes} ` +
      `process${best.processes === 1 ? '' : 'es'}, the machine ${a.machineBusyPercent.toFixed(0)}% busy (${a.othersPercent.toFixed(0)}% of its cores with other work than this run's)` +
      (bestDriver ? `; driver-level ${thousands(bestDriver.modes.driver.changesPerSecond)}/s with ${bestDriver.processes}.` : '.'),
    '',
  ];
  const leastBusy = Math.min(...m.rounds.map((r) => r.modes.app.machineBusyPercent));
  const few = m.rounds[0]!;
  const many = m.rounds.at(-1)!;
  if (leastBusy >= 90 && many !== few) {
    out.push(
      `The machine was ${leastBusy >= 99.5 ? 'fully' : `at least ${leastBusy.toFixed(0)}%`} busy in every round: with CPU the limit, more app processes on ${m.cores} cores share the ` +
        `same cores rather than add to them, and the app's CPU per change went from ${ms(few.modes.app.appCpuMsPerChange)} ms with ${few.processes} ` +
        `process${few.processes === 1 ? '' : 'es'} to ${ms(many.modes.app.appCpuMsPerChange)} ms with ${many.processes}.`,
      '',
    );
  }
  const costs = m.rounds
    .map((r) => ({ round: r, app: r.modes.app.appCpuMsPerChange, postgres: r.modes.app.postgresCpuMsPerChange }))
    .filter((c): c is { round: ProcessRound; app: number; postgres: number } => c.postgres !== null && Number.isFinite(c.app));
  if (costs.length === 0) {
    out.push(`No estimate for ${ESTIMATE_CORES} cores: PostgreSQL's CPU is not known on a BENCH_DATABASE_URL server.`, '');
    return out;
  }
  const byCost = [...costs].sort((x, y) => x.app + x.postgres - (y.app + y.postgres));
  const cheap = byCost[0]!;
  const dear = byCost.at(-1)!;
  const rate = (c: typeof cheap) => (ESTIMATE_CORES * 1000) / (c.app + c.postgres);
  const appCores = (rate(cheap) * cheap.app) / 1000;
  const cost = (c: typeof cheap) =>
    `${ms(c.app)} ms of CPU in the app processes and ${ms(c.postgres)} ms in PostgreSQL (${ms(c.app + c.postgres)} ms) with ${c.round.processes} ` +
    `process${c.round.processes === 1 ? '' : 'es'}`;
  out.push(
    `**Estimate for ${ESTIMATE_CORES} cores (not measured):** an audited change through the app cost ${cost(cheap)}` +
      (dear === cheap ? '' : `, up to ${cost(dear)}`) +
      `. If CPU stays the limit and a change costs as much there, ${ESTIMATE_CORES} cores do at most about ` +
      (dear === cheap ? thousands(rate(cheap)) : `${thousands(rate(dear))} to ${thousands(rate(cheap))}`) +
      ` changes a second; at the upper figure the app's share needs about ${appCores.toFixed(1)} cores, so at least ${Math.ceil(appCores)} app ` +
      'processes (one process uses at most about one core). Upper bounds: they assume every core serves the app or PostgreSQL and that nothing ' +
      'else limits first (the WAL flush of each commit with fsync on, row and index locks, the sealers), which only a run on such a machine shows.',
    '',
  );
  return out;
}

function bestRound(m: MultiProcessWrites, mode: 'app' | 'driver'): ProcessRound | null {
  return m.rounds.reduce<ProcessRound | null>((b, r) => (!b || r.modes[mode].changesPerSecond > b.modes[mode].changesPerSecond ? r : b), null);
}

function cpuPerChange(r: ModeResult): string {
  return `${ms(r.appCpuMsPerChange)} / ${r.postgresCpuMsPerChange === null ? '—' : ms(r.postgresCpuMsPerChange)} ms`;
}

function listed(n: number[]): string {
  return n.length > 1 ? `${n.slice(0, -1).join(', ')} and ${n.at(-1)}` : String(n[0] ?? 0);
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Correctness of the multi-process rounds: judged, as the single-process writers' log is. */
export function multiProcessVerdict(m: MultiProcessWrites): Verdict {
  const failed = m.rounds.filter((r) => !r.check.ok);
  return exactly(
    `(2b) every change of ${listed(m.rounds.map((r) => r.processes))} writing processes audited, the chain unforked and verifying`,
    failed.length === 0,
    failed.length === 0 ? 'yes' : 'FAILS',
    'yes',
    failed.map((r) => `${r.processes} processes: ${r.check.problems.join('; ')}`).join(' | '),
  );
}
