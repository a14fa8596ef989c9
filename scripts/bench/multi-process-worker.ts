/**
 * One app process of the multi-process write case (scripts/bench/multi-process.ts forks it): its
 * own pool to the one database, its own writers, and the app's background sealer, as every app
 * process runs it. It writes when the parent says go, at the instant the parent names, so that
 * all processes start together, and reports what it did.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import type { UserActor } from '../../src/audit/actor.js';
import { startAuditSealer } from '../../src/audit/audit-sealer.job.js';
import { createSequelize } from '../../src/db/database.js';
import { Customer } from '../../src/models/index.js';
import { updateRecord } from '../../src/records/record.service.js';
import { driverEdit, actorsFor } from './writes.js';

export type WriteMode = 'app' | 'driver';

export interface WorkerSetup {
  runtimeUrl: string;
  /** This process's number, 0 to N - 1. */
  index: number;
  /** Starts every request id of this round, e.g. `bench-mp4`. */
  tag: string;
  /** Distinguishes this round's field values from every earlier save of the same customers. */
  round: number;
  writers: Array<{ customers: number[]; userId: number }>;
  sealEveryMs: number;
}

export type ToWorker = { type: 'setup'; setup: WorkerSetup } | { type: 'go'; mode: WriteMode; startAt: number; deadline: number } | { type: 'stop' };

export interface WorkerRound {
  mode: WriteMode;
  changes: number;
  failures: number;
  firstFailure: string | null;
  /** From the common start to this process's last change, in ms. */
  elapsedMs: number;
  latencies: number[];
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; round: WorkerRound }
  | { type: 'stopped'; sealErrors: number; firstSealError: string | null }
  | { type: 'failed'; message: string };

const send = (message: FromWorker) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

let setup: WorkerSetup | null = null;
const pending: ToWorker[] = [];
let wake: (() => void) | null = null;
process.on('message', (message: ToWorker) => {
  pending.push(message);
  wake?.();
});
// The parent is gone (it failed or was interrupted): so is this process.
process.on('disconnect', () => process.exit(1));

async function next(): Promise<ToWorker> {
  while (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
  return pending.shift()!;
}

let saves = 0;

/** Field values no earlier save of any customer had, so that every save changes both fields and writes two audit rows. */
function values(mode: string): { contact_name: string; phone: string } {
  saves += 1;
  return { contact_name: `Bench buyer ${setup!.tag} ${mode} ${setup!.index}.${saves}`, phone: `+1 ${setup!.round} ${setup!.index} ${saves}` };
}

async function main(): Promise<void> {
  const first = await next();
  if (first.type !== 'setup') throw new Error(`expected the setup, got ${first.type}`);
  setup = first.setup;
  const s = setup;
  const sequelize = createSequelize({ url: s.runtimeUrl, poolMax: Math.max(2, s.writers.length + 1), acquireTimeoutMs: 60_000 });
  const clients: pg.Client[] = [];
  let sealErrors = 0;
  let firstSealError: string | null = null;
  try {
    const actors = new Map((await actorsFor(sequelize, [...new Set(s.writers.map((w) => w.userId))])).map((a) => [a.userId, a]));
    for (let w = 0; w < s.writers.length; w += 1) {
      const client = new pg.Client({ connectionString: s.runtimeUrl });
      await client.connect();
      clients.push(client);
    }
    const edit = async (mode: string, w: number, id: number) => {
      const actor: UserActor = { ...actors.get(s.writers[w]!.userId)!, requestId: `${s.tag}-${mode}-p${s.index}w${w}-${crypto.randomUUID()}` };
      if (mode === 'app' || mode === 'warmapp') {
        await updateRecord(Customer, id, values(mode), actor, { lastWriteWins: true });
      } else {
        await driverEdit(clients[w]!, id, values(mode), actor);
      }
    };
    // Warm-up, untimed: every connection opened and every statement run once.
    await Promise.all(
      s.writers.map(async (writer, w) => {
        await edit('warmapp', w, writer.customers[0]!);
        await edit('warmdriver', w, writer.customers[0]!);
      }),
    );
    const sealer = startAuditSealer(sequelize, s.sealEveryMs, (error) => {
      sealErrors += 1;
      firstSealError ??= (error as Error).message;
    });
    await send({ type: 'ready' });

    for (;;) {
      const message = await next();
      if (message.type === 'stop') break;
      if (message.type !== 'go') continue;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, message.startAt - Date.now())));
      const start = process.hrtime.bigint();
      const latencies: number[] = [];
      let failures = 0;
      let firstFailure: string | null = null;
      await Promise.all(
        s.writers.map(async (writer, w) => {
          for (let i = 0; Date.now() < message.deadline; i += 1) {
            const t = process.hrtime.bigint();
            try {
              await edit(message.mode, w, writer.customers[i % writer.customers.length]!);
              latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
            } catch (error) {
              failures += 1;
              firstFailure ??= (error as Error).message;
            }
          }
        }),
      );
      const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
      await send({ type: 'done', round: { mode: message.mode, changes: latencies.length, failures, firstFailure, elapsedMs, latencies } });
    }
    await sealer.stop();
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await sequelize.close().catch(() => undefined);
  }
  await send({ type: 'stopped', sealErrors, firstSealError });
}

try {
  await main();
  process.exit(0);
} catch (error) {
  await send({ type: 'failed', message: (error as Error).stack ?? String(error) }).catch(() => undefined);
  process.exit(1);
}
