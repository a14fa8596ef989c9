/**
 * npm run bench: the benchmark. Generates a shop's worth of history in a private
 * PostgreSQL, measures the audited write path, writers in parallel, the panel's list and History
 * API over HTTP against the real app in a child process, a load run and the server's memory,
 * prints each result against its target, and writes docs/benchmarks.md. Not part of npm test.
 *
 * The pieces: scripts/bench/settings.ts (sizes), bench-database.ts (the private database),
 * dataset.ts (generation), writes.ts (measurements 1 and 2), audit-cost.ts (1b: the audit cost taken apart), multi-process.ts (2b: writers in
 * several app processes), sampling.ts and panel-reads.ts (3 and 4), app-server.ts and panel.ts
 * (5 and 6), browser.ts (7: the panel in Chromium), report.ts (the document).
 */
import os from 'node:os';
import { sealAuditLog } from '../src/audit/audit-seal.service.js';
import { createSequelize } from '../src/db/database.js';
import { projectRoot } from '../src/paths.js';
import { openBenchDatabase, migrateBenchDatabase, serverFacts, type BenchDatabase } from './bench/bench-database.js';
import { generateDataset } from './bench/dataset.js';
import { signIn, startAppServer, type AppServer } from './bench/app-server.js';
import { browserPages, browserVerdicts, measureBrowser } from './bench/browser.js';
import { measureMultiProcessWrites } from './bench/multi-process.js';
import { loadRun } from './bench/panel.js';
import { measureReads, readVerdicts } from './bench/panel-reads.js';
import { multiProcessVerdict } from './bench/report-multi-process.js';
import { planReadCases } from './bench/sampling.js';
import { machine, writeReport, type BenchResults } from './bench/report.js';
import { BenchSettingsError, benchSettings } from './bench/settings.js';
import { atLeast, atMost, countAsOurs, exactly, msSince, watchCpu, type Verdict } from './bench/stats.js';
import { customerEditors, measureConcurrentWrites, measureDriverWrites, measureUpdateOverhead, sealGeneratedHistory } from './bench/writes.js';
import { componentCosts, measureAuditCost } from './bench/audit-cost.js';

/** The whole chain is verified by default up to this many audit rows; beyond, with BENCH_VERIFY_ALL=1. */
const VERIFY_ALL_UP_TO = 2_000_000;
/** (1b): interleaved rounds of every variant; two runs, so that each component shows a spread. */
const AUDIT_COST_RUNS = 2;
const AUDIT_COST_OPTIONS = (customers: number) => ({ rounds: 10, batch: 20, explain: 3, records: Math.min(customers, 64) });
const TARGETS = { ratio: 1.3, changesPerSecond: 2000, ofDriver: 0.9, travelersListMs: 50, auditListMs: 100, historyMs: 10, memoryMB: 300 };

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

  log('starting the app in a child process...');
  const app: AppServer = await startAppServer(db.runtimeUrl, db.ownerUrl, settings.app, log);
  cleanups.push(app.stop);
  countAsOurs(app.pid);
  const memoryAfterStart = app.memory();
  const plan = await planReadCases(db.ownerUrl, settings);
  const cookies: string[] = [];
  for (let i = 0; i < 8; i += 1) cookies.push(await signIn(app.base, dataset.admin.username, dataset.admin.password));
  const cookie = cookies[0]!;

  log('(3) list API and (4) History, many different URLs per case, the cases in turn...');
  const readCpu = watchCpu({ app: app.pid });
  const reads = await measureReads(app.base, cookie, plan, log);

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
  log('(7) the panel in a browser (Chromium)...');
  const browser = await measureBrowser(app.base, cookie, browserPages(plan.travelerId), Math.max(3, Math.ceil(settings.samples / 5)));
  log(
    `  first load ${(browser.first.bytes / 1000).toFixed(0)} kB; repeat load ${(browser.repeat.bytes / 1000).toFixed(0)} kB, ${browser.repeat.reachedServer} requests reached the server (${browser.repeat.assetsReachedServer.length} for assets); ` +
      `full load p50 ${browser.fullLoad.p50.toFixed(0)} ms, p95 ${browser.fullLoad.p95.toFixed(0)} ms; list → record p95 ${browser.navigation.toRecord.p95.toFixed(0)} ms, back p95 ${browser.navigation.back.p95.toFixed(0)} ms`,
  );
  await app.stop();
  cleanups.pop();

  // The writes come after the reads: their bursts (hundreds of thousands of audit rows of one
  // table, at the head of the current month, within minutes) are the bench's own, and a list
  // filtered by another table would otherwise be measured scanning past them, which no shop's
  // month looks like. The reads see the generated history as a shop's is.
  log('(1) audited against unaudited updates...');
  const overhead = await measureUpdateOverhead(sequelize, db.ownerUrl, settings, dataset.firstUserId);
  log(`  p50 ${overhead.audited.p50.toFixed(2)} ms audited, ${overhead.unaudited.p50.toFixed(2)} ms unaudited: ratio ${overhead.ratioP50.toFixed(2)}`);

  log('(1b) where the audit cost goes: the same update through node-postgres, the audit trigger taken apart...');
  const [auditCostActor] = await customerEditors(sequelize, dataset.firstUserId, 1);
  const auditCost = await measureAuditCost(db.ownerUrl, db.runtimeUrl, auditCostActor!, AUDIT_COST_OPTIONS(settings.customers), AUDIT_COST_RUNS, [], (line) =>
    log(`  ${line}`),
  );
  log(`  audit cost ${componentCosts(auditCost).total.toFixed(3)} ms at p50 over the unaudited update`);

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
  // Sealed here, so that (2b) starts from a sealed chain as (2) did.
  await sealAuditLog(sequelize);
  log(`(2b) the writers in ${settings.writeProcesses.join(', ')} app processes at once, ${settings.writeSeconds} s each way...`);
  const multiProcess = await measureMultiProcessWrites(sequelize, db.runtimeUrl, settings, dataset.firstUserId, db.serverPid, log);
  await sequelize.close();
  cleanups.pop();

  const verdicts: Verdict[] = [
    atMost('(1) audited/unaudited update time, p50 ratio', overhead.ratioP50, TARGETS.ratio, '', 2),
    atLeast(`(2) audited changes per second, ${settings.writers} writers`, writes.changesPerSecond, TARGETS.changesPerSecond, '/s'),
    atLeast(
      '(2) the app against the same statements through node-postgres, changes/s ratio',
      writes.changesPerSecond / driverWrites.changesPerSecond,
      TARGETS.ofDriver,
      '',
      2,
    ),
    exactly(
      '(2) the audit log verifies after the writers',
      writes.incremental.ok && writes.failures === 0 && (writes.full?.ok ?? true),
      writes.incremental.ok && (writes.full?.ok ?? true) ? `verifies${writes.full ? ' (whole chain and incrementally)' : ' (incrementally)'}` : 'FAILS',
      'verifies, no failed change',
      writes.incremental.problem ?? writes.full?.problem?.message ?? `${writes.failures} changes failed`,
    ),
    multiProcessVerdict(multiProcess),
    ...readVerdicts(reads, { travelersList: TARGETS.travelersListMs, auditList: TARGETS.auditListMs, history: TARGETS.historyMs }),
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
    ...browserVerdicts(browser),
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
    auditCost,
    writes,
    driverWrites,
    fullVerify: writes.full,
    multiProcess,
    reads,
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
    browser,
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
