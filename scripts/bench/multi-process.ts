import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueryTypes, type Sequelize } from 'sequelize';
import { sealAuditLog } from '../../src/audit/audit-seal.service.js';
import { verifyAuditLog } from '../../src/audit/audit-verify.service.js';
import { projectRoot } from '../../src/paths.js';
import type { FromWorker, ToWorker, WorkerRound, WorkerSetup, WriteMode } from './multi-process-worker.js';
import type { BenchSettings } from './settings.js';
import { customerEditors } from './writes.js';
import { latency, msSince, watchCpu, type CpuUse, type Latency } from './stats.js';

/**
 * Measurement (2b): the writers of (2), the app's (updateRecord) and the driver-level reference,
 * in N app processes at once against the one database, for each N of BENCH_WRITE_PROCESSES.
 * Each process is a child of its own (multi-process-worker.ts) with its own pool and the app's
 * background sealer; all start writing at the same instant once every one is connected and warm.
 * Afterwards every change must have its two audit rows, and the chain must run on without a gap
 * or a second branch from the head sealed before the round, and verify.
 */

/** How often each process's sealer runs here: more often than the app's 10 s, so that the N sealers meet during a round. */
const SEAL_EVERY_MS = 1000;
const MODES: WriteMode[] = ['app', 'driver'];

export interface ModeResult {
  seconds: number;
  changes: number;
  failures: number;
  firstFailure: string | null;
  changesPerSecond: number;
  perProcess: Array<{ changes: number; changesPerSecond: number; cpuPercent: number }>;
  latency: Latency;
  machineBusyPercent: number;
  othersPercent: number;
  /** CPU of the writing processes together, and of PostgreSQL (every process of the server), in percent of one core. */
  appCpuPercent: number;
  postgresCpuPercent: number | null;
  /** CPU time per change, in ms: the app processes', and PostgreSQL's. */
  appCpuMsPerChange: number;
  postgresCpuMsPerChange: number | null;
}

export interface ProcessRound {
  processes: number;
  writersPerProcess: number[];
  /** Some writers share customers (fewer customers than writers): they may wait for each other's row locks. */
  sharedCustomers: boolean;
  modes: Record<WriteMode, ModeResult>;
  check: {
    ok: boolean;
    problems: string[];
    /** Per mode: distinct changes found in the audit log, their rows, and changes without exactly two rows. */
    found: Record<WriteMode, { changes: number; rows: number; odd: number }>;
    unchained: number;
    chainEntries: number;
    seals: number;
    sealErrors: number;
    verifiedEntries: number;
    verifyMs: number;
  };
}

export interface MultiProcessWrites {
  cores: number;
  sealEveryMs: number;
  writeSeconds: number;
  rounds: ProcessRound[];
}

/** CPU ticks (USER_HZ, 100 a second) of each root process and all its descendants (PostgreSQL's postmaster and its backends). */
function ticksOf(roots: number[]): number[] {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      ticks.set(Number(name), Number(fields[11]) + Number(fields[12]));
    } catch {
      // ended while we looked
    }
  }
  const sums = roots.map(() => 0);
  for (const [pid, t] of ticks) {
    for (let p = pid, hops = 0; p > 1 && hops < 16; p = parent.get(p) ?? 0, hops += 1) {
      const i = roots.indexOf(p);
      if (i >= 0) {
        sums[i]! += t;
        break;
      }
    }
  }
  return sums;
}

/** `total` writers shared out among n processes, the first ones taking what does not divide. */
function shareOut(total: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.max(1, Math.floor(total / n) + (i < total % n ? 1 : 0)));
}

interface Worker {
  child: ChildProcess;
  inbox: FromWorker[];
  waiters: Array<() => void>;
}

function startWorker(): Worker {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'multi-process-worker.ts');
  const child = fork(script, [], { cwd: projectRoot, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const worker: Worker = { child, inbox: [], waiters: [] };
  const deliver = (message: FromWorker) => {
    worker.inbox.push(message);
    worker.waiters.splice(0).forEach((w) => w());
  };
  child.on('message', deliver);
  child.on('exit', (code) => deliver({ type: 'failed', message: `the writer process exited (code ${code})` }));
  return worker;
}

async function receive<T extends FromWorker['type']>(worker: Worker, type: T, timeoutMs: number): Promise<Extract<FromWorker, { type: T }>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = worker.inbox.shift();
    if (message?.type === type) return message as Extract<FromWorker, { type: T }>;
    if (message?.type === 'failed') throw new Error(`writer process ${worker.child.pid}: ${message.message}`);
    if (message) continue;
    if (Date.now() > deadline) throw new Error(`writer process ${worker.child.pid} sent no "${type}" within ${timeoutMs / 1000} s`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      worker.waiters.push(() => (clearTimeout(timer), resolve()));
    });
  }
}

const tell = (worker: Worker, message: ToWorker) => worker.child.send(message);

export async function measureMultiProcessWrites(
  sequelize: Sequelize,
  runtimeUrl: string,
  s: BenchSettings,
  firstUserId: number,
  postgresPid: number | null,
  log: (line: string) => void,
): Promise<MultiProcessWrites> {
  const rounds: ProcessRound[] = [];
  for (const n of s.writeProcesses) {
    const writersPerProcess = s.processWriters ? Array.from({ length: n }, () => s.processWriters!) : shareOut(s.writers, n);
    const total = writersPerProcess.reduce((a, b) => a + b, 0);
    const mine = (g: number) => Array.from({ length: s.customers }, (_, i) => i + 1).filter((id) => (id - 1) % total === g);
    const sharedCustomers = total > s.customers;
    const tag = `bench-mp${n}`;
    const editors = await customerEditors(sequelize, firstUserId, total);
    let g = 0;
    const setups: WorkerSetup[] = writersPerProcess.map((count, index) => ({
      runtimeUrl,
      index,
      tag,
      round: n,
      sealEveryMs: SEAL_EVERY_MS,
      writers: Array.from({ length: count }, () => {
        const own = mine(g);
        const writer = { customers: own.length ? own : [1 + (g % s.customers)], userId: editors[g]!.userId };
        g += 1;
        return writer;
      }),
    }));
    log(`  ${n} process${n === 1 ? '' : 'es'} × ${writersPerProcess.join('/')} writers...`);
    const workers = setups.map(() => startWorker());
    try {
      workers.forEach((w, i) => tell(w, { type: 'setup', setup: setups[i]! }));
      for (const w of workers) await receive(w, 'ready', 180_000);
      const anchor = await sealAuditLog(sequelize);
      const [before] = await sequelize.query<{ id: string; seal: number; since: string }>(
        `SELECT coalesce((SELECT max(id) FROM audit_logs), 0)::text AS id, coalesce((SELECT max(id) FROM audit_seals), 0) AS seal,
                (now() - interval '1 minute')::text AS since`,
        { type: QueryTypes.SELECT },
      );
      const modes = {} as Record<WriteMode, ModeResult>;
      for (const mode of MODES) {
        const machine = watchCpu({});
        const roots = [...workers.map((w) => w.child.pid!), ...(postgresPid ? [postgresPid] : [])];
        const ticksBefore = ticksOf(roots);
        const startAt = Date.now() + 300;
        workers.forEach((w) => tell(w, { type: 'go', mode, startAt, deadline: startAt + s.writeSeconds * 1000 }));
        const done: WorkerRound[] = [];
        for (const w of workers) done.push((await receive(w, 'done', s.writeSeconds * 1000 + 120_000)).round);
        const cpuMs = ticksOf(roots).map((t, i) => (t - ticksBefore[i]!) * 10);
        modes[mode] = summarize(done, machine(), cpuMs.slice(0, workers.length), postgresPid ? cpuMs.at(-1)! : null);
        const m = modes[mode];
        log(
          `    ${mode === 'app' ? 'app (updateRecord)' : 'driver-level'}: ${Math.round(m.changesPerSecond)} changes/s ` +
            `(${m.perProcess.map((p) => Math.round(p.changesPerSecond)).join(' + ')}), ${m.failures} failed; machine ${m.machineBusyPercent.toFixed(0)}% busy, ` +
            `app processes ${m.appCpuPercent.toFixed(0)}% of a core${m.postgresCpuPercent === null ? '' : `, PostgreSQL ${m.postgresCpuPercent.toFixed(0)}%`}`,
        );
      }
      workers.forEach((w) => tell(w, { type: 'stop' }));
      const stopped = [];
      for (const w of workers) stopped.push(await receive(w, 'stopped', 60_000));
      const check = await checkRound(sequelize, tag, before!, anchor, modes, stopped);
      log(`    ${check.ok ? 'every change audited, chain verifies' : `CHECK FAILED: ${check.problems.join('; ')}`}`);
      rounds.push({ processes: n, writersPerProcess, sharedCustomers, modes, check });
    } finally {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    }
  }
  return { cores: os.cpus().length, sealEveryMs: SEAL_EVERY_MS, writeSeconds: s.writeSeconds, rounds };
}

function summarize(done: WorkerRound[], machine: CpuUse, appCpuMs: number[], postgresCpuMs: number | null): ModeResult {
  const changes = done.reduce((sum, d) => sum + d.changes, 0);
  const ms = Math.max(...done.map((d) => d.elapsedMs));
  const perChange = (cpuMs: number) => (changes ? cpuMs / changes : NaN);
  const appMs = appCpuMs.reduce((sum, x) => sum + x, 0);
  return {
    seconds: ms / 1000,
    changes,
    failures: done.reduce((sum, d) => sum + d.failures, 0),
    firstFailure: done.find((d) => d.firstFailure)?.firstFailure ?? null,
    changesPerSecond: changes / (ms / 1000),
    perProcess: done.map((d, i) => ({
      changes: d.changes,
      changesPerSecond: d.changes / (d.elapsedMs / 1000),
      cpuPercent: (100 * appCpuMs[i]!) / d.elapsedMs,
    })),
    latency: latency(done.flatMap((d) => d.latencies)),
    machineBusyPercent: machine.machineBusyPercent,
    othersPercent: machine.othersPercent,
    appCpuPercent: (100 * appMs) / ms,
    postgresCpuPercent: postgresCpuMs === null ? null : (100 * postgresCpuMs) / ms,
    appCpuMsPerChange: perChange(appMs),
    postgresCpuMsPerChange: postgresCpuMs === null ? null : perChange(postgresCpuMs),
  };
}

/**
 * After a round: the parent seals what is left, then every change must have exactly its two
 * audit rows, every one of them chained; the chain after the head sealed before the round must
 * have no gap and no row twice, each seal must start where the one before ended, and the
 * product's incremental verification from that head must pass.
 */
async function checkRound(
  sequelize: Sequelize,
  tag: string,
  before: { id: string; seal: number; since: string },
  anchor: { lastPosition: number; headHash: string | null },
  modes: Record<WriteMode, ModeResult>,
  stopped: Array<Extract<FromWorker, { type: 'stopped' }>>,
): Promise<ProcessRound['check']> {
  await sealAuditLog(sequelize);
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>) => sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
  const where = `id > :before AND occurred_at >= :since::timestamptz AND request_id LIKE :prefix`;
  const params = { before: before.id, since: before.since, prefix: `${tag}-%` };
  const perMode = await select<{ mode: string; changes: number; rows: number; odd: number }>(
    `SELECT mode, count(*)::int AS changes, sum(n)::int AS rows, count(*) FILTER (WHERE n <> 2)::int AS odd
       FROM (SELECT split_part(request_id, '-', 3) AS mode, request_id, count(*) AS n FROM audit_logs WHERE ${where} GROUP BY 1, 2) x
      GROUP BY mode`,
    params,
  );
  const [{ unchained }] = (await select<{ unchained: number }>(
    `SELECT count(*)::int AS unchained FROM audit_logs a
      WHERE ${where} AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id AND c.audit_occurred_at = a.occurred_at)`,
    params,
  )) as [{ unchained: number }];
  const [chain] = (await select<{ entries: number; last: string; distinct_rows: number }>(
    `SELECT count(*)::int AS entries, coalesce(max(position), :from)::text AS last, count(DISTINCT (audit_id, audit_occurred_at))::int AS distinct_rows
       FROM audit_chain WHERE position > :from`,
    { from: anchor.lastPosition },
  )) as [{ entries: number; last: string; distinct_rows: number }];
  const [seals] = (await select<{ seals: number; broken: number }>(
    `SELECT count(*) FILTER (WHERE id > :seal)::int AS seals,
            count(*) FILTER (WHERE previous IS NOT NULL AND last_position - previous <> rows_sealed)::int AS broken
       FROM (SELECT id, last_position, rows_sealed, lag(last_position) OVER (ORDER BY id) AS previous FROM audit_seals WHERE id >= :seal) s`,
    { seal: before.seal },
  )) as [{ seals: number; broken: number }];
  const verifyStart = process.hrtime.bigint();
  const verified = await verifyAuditLog(sequelize, {
    mode: 'incremental',
    ...(anchor.headHash && { from: { position: anchor.lastPosition, headHash: anchor.headHash } }),
  });
  const verifyMs = msSince(verifyStart);

  const problems: string[] = [];
  const found = {} as ProcessRound['check']['found'];
  for (const mode of MODES) {
    const f = perMode.find((p) => p.mode === mode) ?? { changes: 0, rows: 0, odd: 0 };
    found[mode] = { changes: f.changes, rows: f.rows, odd: f.odd };
    if (f.changes !== modes[mode].changes) problems.push(`${mode}: ${modes[mode].changes} changes made, ${f.changes} found in the audit log`);
    if (f.odd) problems.push(`${mode}: ${f.odd} changes without exactly two audit rows`);
  }
  if (unchained) problems.push(`${unchained} audit rows of the round are not in the chain`);
  if (chain.entries !== Number(chain.last) - anchor.lastPosition) problems.push(`the chain has gaps after position ${anchor.lastPosition}`);
  if (chain.distinct_rows !== chain.entries) problems.push('an audit row is in the chain twice');
  if (seals.broken) problems.push(`${seals.broken} seals do not start where the one before ended`);
  if (!verified.ok) problems.push(`verification fails: ${verified.problem?.message}`);
  const sealErrors = stopped.reduce((sum, x) => sum + x.sealErrors, 0);
  if (sealErrors) problems.push(`${sealErrors} sealer runs failed (first: ${stopped.find((x) => x.firstSealError)?.firstSealError})`);
  for (const mode of MODES) if (modes[mode].failures) problems.push(`${modes[mode].failures} ${mode} changes failed (first: ${modes[mode].firstFailure})`);
  return {
    ok: problems.length === 0,
    problems,
    found,
    unchained,
    chainEntries: chain.entries,
    seals: seals.seals,
    sealErrors,
    verifiedEntries: verified.rowsChecked,
    verifyMs,
  };
}
