/**
 * npm run bench: the benchmark. Generates a shop's worth of history in a private
 * PostgreSQL, measures the audited write path, writers in parallel, the panel's list and History
 * API over HTTP against the real app in a child process, a load run and the server's memory,
 * prints each result against its target, and writes docs/benchmarks.md. Not part of npm test.
 *
 * The pieces: scripts/bench/settings.ts (sizes), bench-database.ts (the private database),
 * dataset.ts (generation), writes.ts (measurements 1 and 2), app-server.ts and panel.ts
 * (3 to 6), report.ts (the document).
 */
import os from 'node:os';
import { sealAuditLog } from '../src/audit/audit-seal.service.js';
import { createSequelize } from '../src/db/database.js';
import { projectRoot } from '../src/paths.js';
import { openBenchDatabase, migrateBenchDatabase, serverFacts, type BenchDatabase } from './bench/bench-database.js';
import { generateDataset } from './bench/dataset.js';
import { signIn, startAppServer, type AppServer } from './bench/app-server.js';
import { expectHistory, expectRecords, listPath, loadRun, planPanelCases, timeRequests } from './bench/panel.js';
import { machine, writeReport, type BenchResults } from './bench/report.js';
import { BenchSettingsError, benchSettings } from './bench/settings.js';
import { atLeast, atMost, countAsOurs, exactly, msSince, watchCpu, type Verdict } from './bench/stats.js';
import { measureConcurrentWrites, measureDriverWrites, measureUpdateOverhead, sealGeneratedHistory } from './bench/writes.js';

/** The whole chain is verified by default up to this many audit rows; beyond, with BENCH_VERIFY_ALL=1. */
const VERIFY_ALL_UP_TO = 2_000_000;
const TARGETS = { ratio: 1.3, changesPerSecond: 2000, travelersListMs: 50, auditListMs: 100, historyMs: 10, memoryMB: 300 };

const log = (line: string) => console.log(line);
const cleanups: Array<() => Promise<void>> = [];
let interrupted = false;

async function cleanUp(): Promise<void> {
  while (cleanups.length) {
    const step = cleanups.pop()!;
    await step().catch((error: unknown) => console.error(`cleaning up: ${(error as Error).message}`));
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping the app and removing the benchmark database...`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const settings = benchSettings();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const start = process.hrtime.bigint();
  const verifyAll = settings.verifyAll || settings.auditRows <= VERIFY_ALL_UP_TO;
  log(
    `NEXUS benchmark: ${settings.travelers.toLocaleString('en-US')} travelers, ${settings.auditRows.toLocaleString('en-US')} audit rows over ` +
      `${settings.months} months${settings.databaseUrl ? ' (BENCH_DATABASE_URL)' : ' (embedded PostgreSQL)'}`,
  );

  const db: BenchDatabase = await openBenchDatabase(settings.databaseUrl, (line) => log(`  ${line}`));
  cleanups.push(db.cleanup);
  countAsOurs(db.serverPid);
  log(`database: ${db.where}`);
  await migrateBenchDatabase(db);

  log('generating the dataset...');
  const dataset = await generateDataset(db.ownerUrl, settings, db.superuser, log);
  log(`generated in ${(dataset.generationMs / 1000).toFixed(1)} s (+ VACUUM ANALYZE ${(dataset.vacuumAnalyzeMs / 1000).toFixed(1)} s)`);

  // The runtime login, as the app writes and seals; created last so the models are bound to it.
  const sequelize = createSequelize({ url: db.runtimeUrl, poolMax: Math.max(2, settings.writers), acquireTimeoutMs: 60_000 });
  cleanups.push(() => sequelize.close());
  const server = await serverFacts(sequelize);

  log('sealing the generated history into the hash chain...');
  const generatedSeal = await sealGeneratedHistory(sequelize);
  log(`  sealed ${generatedSeal.rowsSealed.toLocaleString('en-US')} rows in ${(generatedSeal.ms / 1000).toFixed(1)} s`);

  log('(1) audited against unaudited updates...');
  const overhead = await measureUpdateOverhead(sequelize, db.ownerUrl, settings, dataset.firstUserId);
  log(`  p50 ${overhead.audited.p50.toFixed(2)} ms audited, ${overhead.unaudited.p50.toFixed(2)} ms unaudited: ratio ${overhead.ratioP50.toFixed(2)}`);

  log(`(2) ${settings.writers} concurrent writers for ${settings.writeSeconds} s, then seal and verify...`);
  const writes = await measureConcurrentWrites(sequelize, settings, dataset.firstUserId, verifyAll);
  log(
    `  ${Math.round(writes.changesPerSecond)} changes/s, ${writes.failures} failed (machine ${writes.cpu.machineBusyPercent.toFixed(0)}% busy, ` +
      `${writes.cpu.othersPercent.toFixed(0)}% with other work; writers' process ${(writes.cpu.processPercent.bench ?? 0).toFixed(0)}% of a core); incremental verify ${writes.incremental.ok ? 'ok' : 'FAILED'}` +
      (writes.full ? `, full verify ${writes.full.ok ? 'ok' : 'FAILED'} (${(writes.full.ms / 1000).toFixed(1)} s)` : ''),
  );
  log(`    for reference, the same statements through node-postgres directly (no ORM), ${settings.writers} writers...`);
  const driverWrites = await measureDriverWrites(db.runtimeUrl, sequelize, settings, dataset.firstUserId);
  log(`    ${Math.round(driverWrites.changesPerSecond)} changes/s (writers' process ${(driverWrites.cpu.processPercent.bench ?? 0).toFixed(0)}% of a core)`);
  // Sealed here, so that the app's own sealer does not chain these rows during (3) to (6).
  await sealAuditLog(sequelize);
  await sequelize.close();
  cleanups.pop();

  log('starting the app in a child process...');
  const app: AppServer = await startAppServer(db.runtimeUrl, db.ownerUrl, settings.app, log);
  cleanups.push(app.stop);
  countAsOurs(app.pid);
  const memoryAfterStart = app.memory();
  const targets = await planPanelCases(db.ownerUrl, settings, dataset.firstUserId);
  const cookies: string[] = [];
  for (let i = 0; i < 8; i += 1) cookies.push(await signIn(app.base, dataset.admin.username, dataset.admin.password));
  const cookie = cookies[0]!;

  log('(3) list API...');
  const readCpu = watchCpu({ app: app.pid });
  const lists = [];
  for (const c of targets.cases) {
    const timed = await timeRequests(app.base, cookie, c.label, listPath(c, settings.perPage), settings, expectRecords);
    lists.push(timed);
    log(
      `  ${c.label.padEnd(48)} page ${String(c.page).padStart(5)}  p50 ${timed.latency.p50.toFixed(1).padStart(7)} ms  p95 ${timed.latency.p95.toFixed(1).padStart(7)} ms${timed.failures ? `  ${timed.failures} FAILED: ${timed.firstFailure}` : ''}`,
    );
  }

  log('(4) History...');
  const history = [];
  for (const [label, id] of [
    [`traveler ${targets.travelerLabel} (id ${targets.travelerId}, from the middle of the history)`, targets.travelerId],
    [`busiest traveler (id ${targets.busyTravelerId}, ${targets.busyTravelerRows} audit rows of its own)`, targets.busyTravelerId],
  ] as const) {
    const timed = await timeRequests(app.base, cookie, label, `/admin/api/history/travelers/${id}`, settings, expectHistory);
    history.push(timed);
    log(
      `  ${label}: p50 ${timed.latency.p50.toFixed(1)} ms, p95 ${timed.latency.p95.toFixed(1)} ms${timed.failures ? `, ${timed.failures} FAILED: ${timed.firstFailure}` : ''}`,
    );
  }

  const readsCpu = readCpu();
  const memoryAfterReads = app.memory();
  log(`(5) load run: ${settings.loadConnections} connections for ${settings.loadSeconds} s...`);
  const loadCpuWatch = watchCpu({ app: app.pid, bench: process.pid });
  const load = await loadRun(app.base, cookies, settings, dataset.counts.travelers, dataset.counts.auditRows, settings.perPage);
  for (const l of load) {
    log(`  ${l.label}: ${Math.round(l.requestsPerSecond)} req/s, p95 ${l.p95.toFixed(1)} ms, ${l.errors} errors, ${l.timeouts} timeouts, ${l.non2xx} non-2xx`);
  }

  const loadCpu = loadCpuWatch();
  const memory = app.memory();
  log(
    `  app ${(loadCpu.processPercent.app ?? 0).toFixed(0)}% of a core, autocannon ${(loadCpu.processPercent.bench ?? 0).toFixed(0)}%, machine ${loadCpu.machineBusyPercent.toFixed(0)}% busy, ${loadCpu.othersPercent.toFixed(0)}% with other work`,
  );
  log(`(6) server peak memory (VmHWM): ${memory.peakMiB.toFixed(0)} MiB (${memoryAfterStart.peakMiB.toFixed(0)} MiB when it began serving)`);
  await app.stop();
  cleanups.pop();

  const verdicts: Verdict[] = [
    atMost('(1) audited/unaudited update time, p50 ratio', overhead.ratioP50, TARGETS.ratio, '', 2),
    atLeast(`(2) audited changes per second, ${settings.writers} writers`, writes.changesPerSecond, TARGETS.changesPerSecond, '/s'),
    exactly(
      '(2) the audit log verifies after the writers',
      writes.incremental.ok && writes.failures === 0 && (writes.full?.ok ?? true),
      writes.incremental.ok && (writes.full?.ok ?? true) ? `verifies${writes.full ? ' (whole chain and incrementally)' : ' (incrementally)'}` : 'FAILS',
      'verifies, no failed change',
      writes.incremental.problem ?? writes.full?.problem?.message ?? `${writes.failures} changes failed`,
    ),
    ...lists.map((c, i) => {
      const plan = targets.cases[i]!;
      const limit = plan.resource === 'travelers' ? TARGETS.travelersListMs : TARGETS.auditListMs;
      const v = atMost(`(3) ${c.label.replace('deep page', `page ${plan.page}`)}, p95`, c.latency.p95, limit, ' ms');
      return c.failures ? { ...v, pass: false, shortfall: `${c.failures} failed requests: ${c.firstFailure}` } : v;
    }),
    ...history.map((c) => {
      const v = atMost(`(4) History, ${c.label.replace(/ \(.*/, '')}, p95`, c.latency.p95, TARGETS.historyMs, ' ms');
      return c.failures ? { ...v, pass: false, shortfall: `${c.failures} failed requests: ${c.firstFailure}` } : v;
    }),
    ...load.map((l) =>
      exactly(
        `(5) load run (${l.label}): errors, timeouts, non-2xx`,
        l.errors + l.timeouts + l.non2xx === 0,
        `${l.errors + l.timeouts + l.non2xx}`,
        '0',
        `${l.errors} errors, ${l.timeouts} timeouts, ${l.non2xx} non-2xx`,
      ),
    ),
    atMost('(6) server peak memory (VmHWM)', (memory.peakMiB * 1024 * 1024) / 1e6, TARGETS.memoryMB, ' MB', 0),
  ];

  const results: BenchResults = {
    settings,
    machine: machine(),
    server,
    databaseWhere: db.where,
    startedAt,
    totalMs: msSince(start),
    dataset,
    generatedSeal,
    overhead,
    writes,
    driverWrites,
    fullVerify: writes.full,
    targets,
    lists,
    history,
    load,
    app: {
      startMs: app.startMs,
      peakMiB: memory.peakMiB,
      rssMiB: memory.rssMiB,
      afterStart: memoryAfterStart,
      afterReads: memoryAfterReads,
      poolMax: app.poolMax,
      command: app.command,
      components: app.components,
      readsCpu,
      loadCpu,
    },
    loadBefore,
    verdicts,
  };
  const file = writeReport(results, projectRoot);

  log('');
  log('Targets:');
  for (const v of verdicts) log(`  ${v.pass ? 'PASS' : 'MISS'}  ${v.name}: ${v.measured} (target ${v.target})${v.pass ? '' : `, ${v.shortfall}`}`);
  log(`${verdicts.filter((v) => v.pass).length} of ${verdicts.length} targets met. Report: ${file}`);
}

function describeError(error: unknown): string {
  if (error instanceof BenchSettingsError) return error.message;
  if (!(error instanceof Error)) return String(error);
  const sql = (error as { sql?: string }).sql;
  return `${error.stack ?? error.message}${sql ? `\n  while running: ${sql.replace(/\s+/g, ' ').slice(0, 500)}` : ''}`;
}

try {
  await main();
  await cleanUp();
  process.exit(0);
} catch (error) {
  if (!interrupted) {
    console.error(`npm run bench failed: ${describeError(error)}`);
    await cleanUp();
    process.exit(1);
  }
}
