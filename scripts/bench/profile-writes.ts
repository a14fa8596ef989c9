/**
 * The benchmark's write case (2) on its own, for working on the write path: writers in parallel
 * editing customers through the app's updateRecord, and the same statements through node-postgres
 * directly (writes.ts' driver reference), in alternating rounds in one run, with the statements
 * each change sends counted and, on request, a CPU profile of the app's rounds.
 *
 *   npx tsx scripts/bench/profile-writes.ts [--seconds 5] [--rounds 3] [--writers 16] [--profile DIR]
 *
 * The database is a throwaway one on PROFILE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * small (the write case needs only customers and users), written as a runtime login like the app.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { UserActor } from '../../src/audit/actor.js';
import { createSequelize } from '../../src/db/database.js';
import { Customer } from '../../src/models/index.js';
import { updateRecord } from '../../src/records/record.service.js';
import { migrateBenchDatabase, openBenchDatabase } from './bench-database.js';
import { printSummary, type CpuProfile } from './cpu-profile-summary.js';
import { generateDataset } from './dataset.js';
import { benchSettings, type BenchSettings } from './settings.js';
import { msSince } from './stats.js';
import { customerEditors, customersOf, driverEdit, measureDriverWrites, nextEditValues } from './writes.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    writers: { type: 'string', default: '16' },
    profile: { type: 'string' },
    // A third case: node-postgres sending the very statements the app sends (what PostgreSQL's share costs).
    'app-statements': { type: 'boolean', default: false },
  },
});
const log = (line: string) => console.log(line);

/**
 * CPU time (user + system, clock ticks) of a process and, with `children`, of its children too: the
 * live ones (a postmaster's backends) and those that ended (the postmaster's cutime and cstime).
 */
function ticks(pid: number, children: boolean): number {
  let sum = 0;
  for (const name of children ? fs.readdirSync('/proc') : [String(pid)]) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const fields = fs.readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (children && Number(fields[1]) !== pid && Number(name) !== pid) continue;
      sum += Number(fields[11]) + Number(fields[12]);
      if (children && Number(name) === pid) sum += Number(fields[13]) + Number(fields[14]);
    } catch {
      // ended while we looked
    }
  }
  return sum;
}

/** Node's and PostgreSQL's CPU while `work` runs, in milliseconds per change. */
async function cpuPerChange<T extends { changesPerSecond: number }>(
  postmaster: number,
  work: () => Promise<T>,
): Promise<T & { nodeMs: number; postgresMs: number }> {
  const start = process.hrtime.bigint();
  const node = ticks(process.pid, false);
  const server = ticks(postmaster, true);
  const result = await work();
  const changes = result.changesPerSecond * (msSince(start) / 1000);
  return { ...result, nodeMs: ((ticks(process.pid, false) - node) * 10) / changes, postgresMs: ((ticks(postmaster, true) - server) * 10) / changes };
}

async function appEdit(id: number, actor: UserActor, tag: string): Promise<void> {
  await updateRecord(Customer, id, nextEditValues(), { ...actor, requestId: `${tag}-${crypto.randomUUID()}` }, { lastWriteWins: true });
}

/** Writers through updateRecord for the settings' writeSeconds, as writes.ts' measurement (2) without its seal and verify. */
async function appWrites(actors: UserActor[], s: BenchSettings): Promise<{ changesPerSecond: number; failures: number }> {
  let changes = 0;
  let failures = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + s.writeSeconds * 1000;
  await Promise.all(
    actors.map(async (actor, w) => {
      const mine = customersOf(w, s);
      let i = 0;
      while (Date.now() < deadline) {
        try {
          await appEdit(mine[i++ % mine.length]!, actor, `profile-writers-${w}`);
          changes += 1;
        } catch (error) {
          if (failures++ === 0) console.error((error as Error).message);
        }
      }
    }),
  );
  return { changesPerSecond: changes / (msSince(start) / 1000), failures };
}

/** The statements one app change sends (see the counting phase), through node-postgres directly. */
async function appStatementsEdit(client: pg.Client, id: number, actor: UserActor): Promise<void> {
  const values = nextEditValues();
  const requestId = `profile-shaped-${crypto.randomUUID()}`;
  const actorJson = JSON.stringify({ ...actor, requestId });
  await client.query(
    `START TRANSACTION; SELECT set_config('nexus.actor', ${client.escapeLiteral(actorJson)}, true), set_config('nexus.request_id', ${client.escapeLiteral(requestId)}, true);`,
  );
  try {
    const { rows } = await client.query<{ version: number }>(
      'SELECT "id", "code", "name", "contact_name", "email", "phone", "address", "active", "version", "created_at", "updated_at" FROM "customers" WHERE "id" = $1 FOR UPDATE',
      [id],
    );
    const version = rows[0]!.version;
    await client.query('UPDATE "customers" SET "contact_name"=$1,"phone"=$2,"updated_at"=$3,"version"=$4 WHERE "id" = $5 AND "version" = $6', [
      values.contact_name,
      values.phone,
      new Date().toISOString(),
      version + 1,
      id,
      version,
    ]);
    await client.query('COMMIT;');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

async function appStatementWrites(runtimeUrl: string, actors: UserActor[], s: BenchSettings): Promise<{ changesPerSecond: number }> {
  const clients = await Promise.all(
    actors.map(async () => {
      const client = new pg.Client({ connectionString: runtimeUrl });
      await client.connect();
      return client;
    }),
  );
  let changes = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + s.writeSeconds * 1000;
  try {
    await Promise.all(
      actors.map(async (actor, w) => {
        const mine = customersOf(w, s);
        let i = 0;
        while (Date.now() < deadline) {
          await appStatementsEdit(clients[w]!, mine[i++ % mine.length]!, actor);
          changes += 1;
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  return { changesPerSecond: changes / (msSince(start) / 1000) };
}

/** Every statement node-postgres sends, for the counting phase (a Client's query is one round trip). */
function countStatements(): { stop(): string[] } {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  const sent: string[] = [];
  proto.query = function (this: unknown, ...a: unknown[]) {
    const first = a[0] as string | { text?: string };
    sent.push((typeof first === 'string' ? first : (first?.text ?? '?')).replace(/\s+/g, ' ').slice(0, 160));
    return original.apply(this, a);
  };
  return {
    stop() {
      proto.query = original;
      return sent;
    },
  };
}

async function roundTrips(sequelize: Sequelize, runtimeUrl: string, actor: UserActor): Promise<void> {
  const n = 20;
  const client = new pg.Client({ connectionString: runtimeUrl });
  await client.connect();
  try {
    // One edit first so that nothing the first change does once (a prepared lock statement) is counted.
    await appEdit(1, actor, 'profile-count');
    let counter = countStatements();
    for (let i = 0; i < n; i += 1) await appEdit(1, actor, 'profile-count');
    const app = counter.stop();
    counter = countStatements();
    for (let i = 0; i < n; i += 1) await driverEdit(client, 1, nextEditValues(), { ...actor, requestId: `profile-count-${i}` });
    const driver = counter.stop();
    log(`round trips per change: app ${(app.length / n).toFixed(2)}, driver reference ${(driver.length / n).toFixed(2)}`);
    log('  one app change sends:');
    for (const sql of app.slice(0, app.length / n)) log(`    ${sql}`);
  } finally {
    await client.end();
  }
  void sequelize;
}

/** The server's postmaster, whose children are this run's backends (the server must be on this machine). */
async function postmasterPid(sequelize: Sequelize): Promise<number> {
  const [row] = await sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', { type: QueryTypes.SELECT });
  return Number(fs.readFileSync(`/proc/${row!.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
}

async function profiled<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `writes-${Date.now()}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    log(`CPU profile of the app's writers: ${file}`);
    printSummary(profile as unknown as CpuProfile, 25);
  }
}

async function main(): Promise<void> {
  const serverUrl = process.env.PROFILE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const s: BenchSettings = {
    ...benchSettings({ BENCH_TRAVELERS: '1000', BENCH_AUDIT_ROWS: '1000', BENCH_MONTHS: '1' }),
    writers: Number(args.writers),
    writeSeconds: Number(args.seconds),
  };
  const db = await openBenchDatabase(serverUrl, (line) => log(`  ${line}`));
  let sequelize: Sequelize | undefined;
  const stop = () => void db.cleanup().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await migrateBenchDatabase(db);
    const dataset = await generateDataset(db.ownerUrl, s, db.superuser, () => undefined);
    sequelize = createSequelize({ url: db.runtimeUrl, poolMax: Math.max(2, s.writers), acquireTimeoutMs: 60_000 });
    const actors = await customerEditors(sequelize, dataset.firstUserId, s.writers);
    log(`${db.where}: ${s.customers} customers, ${s.writers} writers, ${s.writeSeconds} s a round`);
    await roundTrips(sequelize, db.runtimeUrl, actors[0]!);

    // Warm-up of both (JIT, connections, the server's caches), not reported.
    const warm = { ...s, writeSeconds: 2 };
    await appWrites(actors, warm);
    await measureDriverWrites(db.runtimeUrl, sequelize, warm, dataset.firstUserId);
    const ratios: number[] = [];
    const postmaster = await postmasterPid(sequelize);
    for (let round = 0; round < Number(args.rounds); round += 1) {
      // The order flips every round, so that drift in the machine affects both alike.
      const order = round % 2 === 0 ? (['app', 'driver'] as const) : (['driver', 'app'] as const);
      const measured: Record<string, { changesPerSecond: number; nodeMs: number; postgresMs: number; failures?: number }> = {};
      for (const which of order) {
        measured[which] =
          which === 'app'
            ? await cpuPerChange(postmaster, () => appWrites(actors, s))
            : await cpuPerChange(postmaster, () => measureDriverWrites(db.runtimeUrl, sequelize!, s, dataset.firstUserId));
      }
      if (args['app-statements']) measured.shaped = await cpuPerChange(postmaster, () => appStatementWrites(db.runtimeUrl, actors, s));
      const app = measured.app!;
      const driver = measured.driver!;
      const ratio = app.changesPerSecond / driver.changesPerSecond;
      ratios.push(ratio);
      const cpu = (m: typeof app) => `Node ${m.nodeMs.toFixed(3)} ms + PostgreSQL ${m.postgresMs.toFixed(3)} ms CPU a change`;
      log(
        `round ${round + 1}: app ${app.changesPerSecond.toFixed(0)} changes/s (${app.failures} failed; ${cpu(app)}), ` +
          `driver ${driver.changesPerSecond.toFixed(0)} changes/s (${cpu(driver)}): ${(100 * ratio).toFixed(1)}%` +
          (measured.shaped
            ? `; the app's statements through the driver ${measured.shaped.changesPerSecond.toFixed(0)} changes/s (${cpu(measured.shaped)})`
            : ''),
      );
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    log(`app / driver: median ${(100 * sorted[Math.floor(sorted.length / 2)]!).toFixed(1)}% over ${ratios.length} rounds`);
    if (args.profile) {
      const result = await profiled(args.profile, () => appWrites(actors, s));
      log(`profiled round: app ${result.changesPerSecond.toFixed(0)} changes/s (slower: the profiler samples)`);
    }
  } finally {
    await sequelize?.close();
    await db.cleanup();
    await dropGroupRoles(serverUrl, db.database);
  }
}

/** The database's group roles (src/db/database-roles.ts), which outlive it and the bench's cleanup. */
async function dropGroupRoles(serverUrl: string, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const role of [`${database}_runtime`, `${database}_app`]) await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(role)}`);
  } finally {
    await admin.end();
  }
}

await main();
