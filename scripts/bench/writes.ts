import crypto from 'node:crypto';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { UserActor } from '../../src/audit/actor.js';
import { sealAuditLog, type SealResult } from '../../src/audit/audit-seal.service.js';
import { verifyAuditLog, type VerifyReport } from '../../src/audit/audit-verify.service.js';
import { asSessionUser, RESOURCE_RULES } from '../../src/auth/access-rules.js';
import type { Role } from '../../src/auth/roles.js';
import { Customer } from '../../src/models/index.js';
import { updateRecord } from '../../src/records/record.service.js';
import type { BenchSettings } from './settings.js';
import { latency, msSince, watchCpu, type CpuUse, type Latency } from './stats.js';

/**
 * Measurements (1) and (2): the app's write path (updateRecord, as the panel's edit form calls
 * it, with a user actor) on customers, through a runtime login, in this process.
 */

export async function actorsFor(sequelize: Sequelize, ids: number[]): Promise<UserActor[]> {
  const rows = await sequelize.query<{ id: number; username: string; full_name: string; email: string; role: Role }>(
    'SELECT id, username, full_name, email, role FROM users WHERE id IN (:ids) ORDER BY id',
    { type: QueryTypes.SELECT, replacements: { ids } },
  );
  return rows.map((u) => ({
    kind: 'user',
    userId: u.id,
    username: u.username,
    fullName: u.full_name,
    email: u.email,
    role: u.role,
    ip: '127.0.0.1',
    userAgent: 'nexus-bench',
    requestId: '',
  }));
}

/**
 * `count` actors: the users from `fromId` on whose role may change customers (the role matrix's
 * rule, as updateRecord checks it), taken in turn when there are fewer of them than writers.
 */
export async function customerEditors(sequelize: Sequelize, fromId: number, count: number): Promise<UserActor[]> {
  const [{ last }] = (await sequelize.query<{ last: number }>('SELECT coalesce(max(id), 0)::int AS last FROM users', { type: QueryTypes.SELECT })) as [
    { last: number },
  ];
  const all = await actorsFor(
    sequelize,
    Array.from({ length: Math.max(0, last - fromId + 1) }, (_, i) => fromId + i),
  );
  const editors = all.filter((actor) => RESOURCE_RULES.customers.update(asSessionUser(actor)));
  if (editors.length === 0) throw new Error(`no user from id ${fromId} on may change customers: the writers have no one to act as`);
  return Array.from({ length: count }, (_, i) => editors[i % editors.length]!);
}

let edits = 0;

/** The next edit's two field values: unlike the generated ones ("Buyer <id>", "+1 555 <id>"), so that every save changes both. */
export function nextEditValues(): { contact_name: string; phone: string } {
  edits += 1;
  return { contact_name: `Bench buyer ${edits}`, phone: `+1 555 9${String(edits).padStart(8, '0')}` };
}

/** Writer w's own customers: writers never wait for each other's row locks. */
export function customersOf(w: number, s: BenchSettings): number[] {
  const mine: number[] = [];
  for (let id = 1 + w; id <= s.customers; id += s.writers) mine.push(id);
  return mine;
}

/** One edit form's save: two fields of a customer change, so an audited save writes two audit rows. */
async function editCustomer(id: number, actor: UserActor, tag: string): Promise<void> {
  const values = nextEditValues();
  await updateRecord(Customer, id, values, { ...actor, requestId: `${tag}-${crypto.randomUUID()}` }, { lastWriteWins: true });
}

export interface UpdateOverhead {
  audited: Latency;
  unaudited: Latency;
  /** p50 audited / p50 unaudited: the judged ratio. */
  ratioP50: number;
  ratioP95: number;
  ratioMean: number;
  rounds: number;
  batch: number;
  /** Audit rows the audited updates wrote, and the unaudited ones (should be 2 per audited update, 0). */
  auditRowsAudited: number;
  auditRowsUnaudited: number;
  cpu: CpuUse;
}

/**
 * (1) The same update with the customers audit trigger enabled and disabled, in alternating
 * batches (the order flips every round) so that drift in the machine affects both equally.
 * Warm-up: one untimed batch of each, stated in the report.
 */
export async function measureUpdateOverhead(sequelize: Sequelize, ownerUrl: string, s: BenchSettings, actorId: number): Promise<UpdateOverhead> {
  const [actor] = await customerEditors(sequelize, actorId, 1);
  if (!actor) throw new Error(`no user ${actorId} to act as`);
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  const records = Math.min(s.customers, 64);
  let next = 0;
  const audited: number[] = [];
  const unaudited: number[] = [];
  const batch = async (mode: 'audited' | 'unaudited', into: number[] | null) => {
    if (mode === 'unaudited') await owner.query('ALTER TABLE customers DISABLE TRIGGER customers_audit');
    try {
      for (let i = 0; i < s.updateBatch; i += 1) {
        const id = 1 + (next++ % records);
        const start = process.hrtime.bigint();
        await editCustomer(id, actor, `bench-overhead-${mode}`);
        into?.push(msSince(start));
      }
    } finally {
      if (mode === 'unaudited') await owner.query('ALTER TABLE customers ENABLE TRIGGER customers_audit');
    }
  };
  const cpu = watchCpu({ bench: process.pid });
  try {
    await batch('audited', null);
    await batch('unaudited', null);
    for (let round = 0; round < s.updateRounds; round += 1) {
      const order: Array<'audited' | 'unaudited'> = round % 2 === 0 ? ['audited', 'unaudited'] : ['unaudited', 'audited'];
      for (const mode of order) await batch(mode, mode === 'audited' ? audited : unaudited);
    }
    const counted = await owner.query<{ audited: number; unaudited: number }>(
      `SELECT count(*) FILTER (WHERE request_id LIKE 'bench-overhead-audited-%')::int AS audited,
              count(*) FILTER (WHERE request_id LIKE 'bench-overhead-unaudited-%')::int AS unaudited
         FROM audit_logs WHERE table_name = 'customers' AND occurred_at > now() - interval '1 day'`,
    );
    const a = latency(audited);
    const u = latency(unaudited);
    return {
      audited: a,
      unaudited: u,
      ratioP50: a.p50 / u.p50,
      ratioP95: a.p95 / u.p95,
      ratioMean: a.mean / u.mean,
      rounds: s.updateRounds,
      batch: s.updateBatch,
      auditRowsAudited: counted.rows[0]?.audited ?? 0,
      auditRowsUnaudited: counted.rows[0]?.unaudited ?? 0,
      cpu: cpu(),
    };
  } finally {
    // Whatever happened, the trigger is on again before anything else runs.
    await owner.query('ALTER TABLE customers ENABLE TRIGGER customers_audit').catch(() => undefined);
    await owner.end();
  }
}

export interface ConcurrentWrites {
  writers: number;
  seconds: number;
  changes: number;
  failures: number;
  firstFailure: string | null;
  changesPerSecond: number;
  auditRows: number;
  auditRowsPerSecond: number;
  latency: Latency;
  /** How busy the machine was while the writers ran, and this process (the writers' Node.js) in percent of one core. */
  cpu: CpuUse;
  preSeal: SealResult & { ms: number };
  seal: SealResult & { ms: number };
  incremental: { ok: boolean; rowsChecked: number; ms: number; problem: string | null };
  full: (VerifyReport & { ms: number }) | null;
}

/**
 * (2) Writers in parallel, each on its own customers, for a fixed time; then the chain is sealed
 * and verified: incrementally from the seal taken just before the run (always), and in full
 * when asked or when the log is small enough to do it in reasonable time.
 */
export async function measureConcurrentWrites(sequelize: Sequelize, s: BenchSettings, firstUserId: number, verifyAll: boolean): Promise<ConcurrentWrites> {
  const actors = await customerEditors(sequelize, firstUserId, s.writers);
  const preStart = process.hrtime.bigint();
  const preSeal = { ...(await sealAuditLog(sequelize)), ms: msSince(preStart) };
  const [{ before }] = (await sequelize.query<{ before: string }>(`SELECT coalesce(max(id), 0)::text AS before FROM audit_logs`, {
    type: QueryTypes.SELECT,
  })) as [{ before: string }];

  const latencies: number[] = [];
  let changes = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  const start = process.hrtime.bigint();
  const cpu = watchCpu({ bench: process.pid });
  const deadline = Date.now() + s.writeSeconds * 1000;
  await Promise.all(
    actors.map(async (actor, w) => {
      const mine = customersOf(w, s);
      let i = 0;
      while (Date.now() < deadline) {
        const id = mine[i++ % mine.length]!;
        const t = process.hrtime.bigint();
        try {
          await editCustomer(id, actor, `bench-writers-${w}`);
          latencies.push(msSince(t));
          changes += 1;
        } catch (error) {
          failures += 1;
          firstFailure ??= (error as Error).message;
        }
      }
    }),
  );
  const elapsedMs = msSince(start);
  const cpuUse = cpu();
  const [{ rows }] = (await sequelize.query<{ rows: number }>(
    `SELECT count(*)::int AS rows FROM audit_logs WHERE id > :before AND request_id LIKE 'bench-writers-%'`,
    { type: QueryTypes.SELECT, replacements: { before } },
  )) as [{ rows: number }];

  const sealStart = process.hrtime.bigint();
  const seal = { ...(await sealAuditLog(sequelize)), ms: msSince(sealStart) };
  const incStart = process.hrtime.bigint();
  // The product's incremental mode, from the chain head the seal before the run returned (kept, as
  // an operator keeps the head audit:verify prints): the writers' rows only. The runtime login
  // records no anchor.
  const inc = await verifyAuditLog(sequelize, {
    mode: 'incremental',
    ...(preSeal.headHash && { from: { position: preSeal.lastPosition, headHash: preSeal.headHash } }),
  });
  const incremental = { ok: inc.ok, rowsChecked: inc.rowsChecked, ms: msSince(incStart), problem: inc.problem?.message ?? null };
  let full: ConcurrentWrites['full'] = null;
  if (verifyAll) {
    const fullStart = process.hrtime.bigint();
    const report = await verifyAuditLog(sequelize);
    full = { ...report, ms: msSince(fullStart) };
  }
  return {
    writers: s.writers,
    seconds: elapsedMs / 1000,
    changes,
    failures,
    firstFailure,
    changesPerSecond: changes / (elapsedMs / 1000),
    auditRows: rows,
    auditRowsPerSecond: rows / (elapsedMs / 1000),
    latency: latency(latencies),
    cpu: cpuUse,
    preSeal,
    seal,
    incremental,
    full,
  };
}

/** The statements one audited edit of a customer sends (begin with the actor, the locked read, the update of two fields, commit), without the app. */
export async function driverEdit(client: pg.Client, id: number, values: { contact_name: string; phone: string }, actor: UserActor): Promise<void> {
  await client.query(`START TRANSACTION; SELECT set_config('nexus.actor', ${client.escapeLiteral(JSON.stringify(actor))}, true)`);
  try {
    await client.query('SELECT * FROM customers WHERE id = $1 FOR UPDATE', [id]);
    await client.query('UPDATE customers SET contact_name = $1, phone = $2, version = version + 1, updated_at = now() WHERE id = $3', [
      values.contact_name,
      values.phone,
      id,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** Seals everything generated, once, so that later verification can start from there. */
export async function sealGeneratedHistory(sequelize: Sequelize): Promise<SealResult & { ms: number }> {
  const start = process.hrtime.bigint();
  const result = await sealAuditLog(sequelize);
  return { ...result, ms: msSince(start) };
}

export async function verifyWholeChain(sequelize: Sequelize): Promise<VerifyReport & { ms: number }> {
  const start = process.hrtime.bigint();
  const report = await verifyAuditLog(sequelize);
  return { ...report, ms: msSince(start) };
}

export interface DriverWrites {
  writers: number;
  seconds: number;
  changes: number;
  changesPerSecond: number;
  auditRows: number;
  cpu: CpuUse;
}

/**
 * A reference for (2), not a target: the statements one audited edit sends (begin with the
 * actor, the locked read, the update of two fields, commit), through node-postgres directly,
 * with the same writers, customers, runtime login and audit trigger. What remains between this
 * and (2) is the app's own work per change in Node.js (Sequelize's model, hooks, validation and
 * query building, the approval policy), which shares the machine's cores with PostgreSQL.
 */
export async function measureDriverWrites(runtimeUrl: string, sequelize: Sequelize, s: BenchSettings, firstUserId: number): Promise<DriverWrites> {
  const actors = await customerEditors(sequelize, firstUserId, s.writers);
  const clients = await Promise.all(
    actors.map(async () => {
      const client = new pg.Client({ connectionString: runtimeUrl });
      await client.connect();
      return client;
    }),
  );
  let changes = 0;
  const start = process.hrtime.bigint();
  const cpu = watchCpu({ bench: process.pid });
  const deadline = Date.now() + s.writeSeconds * 1000;
  try {
    await Promise.all(
      actors.map(async (actor, w) => {
        const client = clients[w]!;
        const mine = customersOf(w, s);
        let i = 0;
        while (Date.now() < deadline) {
          const id = mine[i++ % mine.length]!;
          await driverEdit(client, id, nextEditValues(), { ...actor, requestId: `bench-driver-${w}-${crypto.randomUUID()}` });
          changes += 1;
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  const elapsedMs = msSince(start);
  const cpuUse = cpu();
  const [{ rows }] = (await sequelize.query<{ rows: number }>(
    `SELECT count(*)::int AS rows FROM audit_logs WHERE occurred_at > now() - interval '1 hour' AND request_id LIKE 'bench-driver-%'`,
    { type: QueryTypes.SELECT },
  )) as [{ rows: number }];
  return { writers: s.writers, seconds: elapsedMs / 1000, changes, changesPerSecond: changes / (elapsedMs / 1000), auditRows: rows, cpu: cpuUse };
}
