/**
 * What one benchmark run does, from the environment. Every size has a small default that runs
 * in a few minutes on 2 cores; the full size the targets are set for is in docs/benchmarks.md.
 */
export interface BenchSettings {
  /** A server where this login may create databases (and, for trigger-free generation, a superuser). */
  databaseUrl: string | undefined;
  travelers: number;
  /** Steps per traveler (copied routing); the last one carries the sub-steps (checks). */
  stepsPerTraveler: number;
  checksPerTraveler: number;
  travelersPerWorkOrder: number;
  customers: number;
  parts: number;
  workCenters: number;
  users: number;
  auditRows: number;
  /** Months of history, ending now; the audit log has one partition per month. */
  months: number;
  /** Verify the whole chain after sealing the generated history (always done up to 2M rows). */
  verifyAll: boolean;
  /** Updates per batch and batch pairs of measurement (1). */
  updateBatch: number;
  updateRounds: number;
  /** Measurement (2): concurrent writers and how long they write. */
  writers: number;
  writeSeconds: number;
  /** The multi-process write case: how many app processes write at once, one round per entry. */
  writeProcesses: number[];
  /** Writers in each of those processes; null: BENCH_WRITERS shared out among them. */
  processWriters: number | null;
  /** Measurements (3) and (4): timed requests per case, after `warmup` untimed ones. */
  samples: number;
  warmup: number;
  perPage: number;
  deepPage: number;
  /** Measurement (5). */
  loadSeconds: number;
  loadConnections: number;
  /**
   * How the app is started: `tsx` runs the sources (`node --import tsx src/main.ts`), `dist` runs
   * the compiled app as the Dockerfile does (`node dist/src/main.js`, after `npm run build`).
   */
  app: 'tsx' | 'dist';
  /** Where the report goes. */
  reportPath: string;
}

export class BenchSettingsError extends Error {}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BenchSettingsError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return n;
}

function processCounts(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const counts = raw.split(',').map((part) => Number(part.trim()));
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 64)) {
    throw new BenchSettingsError(`${name} must be a comma-separated list of whole numbers from 1 to 64 (got "${raw}")`);
  }
  return [...new Set(counts)].sort((a, b) => a - b);
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  return ['1', 'true', 'yes'].includes((env[name] ?? '').trim().toLowerCase());
}

function appMode(raw: string | undefined): 'tsx' | 'dist' {
  // The app as the Dockerfile runs it; npm run bench builds it first.
  const value = (raw ?? '').trim() || 'dist';
  if (value !== 'tsx' && value !== 'dist') throw new BenchSettingsError(`BENCH_APP must be tsx or dist (got "${raw}")`);
  return value;
}

export function benchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const travelers = whole(env, 'BENCH_TRAVELERS', 20_000, 1_000, 20_000_000);
  const databaseUrl = env.BENCH_DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new BenchSettingsError('BENCH_DATABASE_URL must be a postgres:// URL');
  return {
    databaseUrl,
    travelers,
    stepsPerTraveler: whole(env, 'BENCH_STEPS', 5, 1, 50),
    checksPerTraveler: whole(env, 'BENCH_CHECKS', 3, 0, 20),
    travelersPerWorkOrder: whole(env, 'BENCH_TRAVELERS_PER_WORK_ORDER', 2, 1, 100),
    customers: whole(env, 'BENCH_CUSTOMERS', Math.max(40, Math.round(travelers / 500)), 16, 1_000_000),
    parts: whole(env, 'BENCH_PARTS', Math.max(50, Math.round(travelers / 100)), 1, 5_000_000),
    workCenters: whole(env, 'BENCH_WORK_CENTERS', 12, 1, 1000),
    users: whole(env, 'BENCH_USERS', Math.max(50, Math.round(travelers / 5000)), 12, 100_000),
    auditRows: whole(env, 'BENCH_AUDIT_ROWS', 300_000, 1_000, 2_000_000_000),
    months: whole(env, 'BENCH_MONTHS', 12, 1, 240),
    verifyAll: flag(env, 'BENCH_VERIFY_ALL'),
    updateBatch: whole(env, 'BENCH_UPDATE_BATCH', 50, 5, 10_000),
    updateRounds: whole(env, 'BENCH_UPDATE_ROUNDS', 10, 1, 1000),
    writers: whole(env, 'BENCH_WRITERS', 16, 1, 256),
    writeSeconds: whole(env, 'BENCH_WRITE_SECONDS', 10, 1, 3600),
    writeProcesses: processCounts(env, 'BENCH_WRITE_PROCESSES', [1, 2, 4]),
    processWriters: env.BENCH_PROCESS_WRITERS?.trim() ? whole(env, 'BENCH_PROCESS_WRITERS', 1, 1, 256) : null,
    samples: whole(env, 'BENCH_SAMPLES', 50, 5, 100_000),
    warmup: whole(env, 'BENCH_WARMUP', 3, 0, 1000),
    perPage: whole(env, 'BENCH_PER_PAGE', 10, 1, 500),
    deepPage: whole(env, 'BENCH_DEEP_PAGE', 1000, 2, 1_000_000),
    loadSeconds: whole(env, 'BENCH_LOAD_SECONDS', 15, 1, 3600),
    loadConnections: whole(env, 'BENCH_LOAD_CONNECTIONS', 16, 2, 1000),
    app: appMode(env.BENCH_APP),
    reportPath: env.BENCH_REPORT?.trim() || 'docs/benchmarks.md',
  };
}

/** The environment variables that change what is generated or measured, for the report's command line. */
export const SIZE_VARIABLES = [
  'BENCH_TRAVELERS',
  'BENCH_AUDIT_ROWS',
  'BENCH_MONTHS',
  'BENCH_STEPS',
  'BENCH_CHECKS',
  'BENCH_TRAVELERS_PER_WORK_ORDER',
  'BENCH_CUSTOMERS',
  'BENCH_PARTS',
  'BENCH_WORK_CENTERS',
  'BENCH_USERS',
  'BENCH_VERIFY_ALL',
  'BENCH_UPDATE_BATCH',
  'BENCH_UPDATE_ROUNDS',
  'BENCH_WRITERS',
  'BENCH_WRITE_SECONDS',
  'BENCH_WRITE_PROCESSES',
  'BENCH_PROCESS_WRITERS',
  'BENCH_SAMPLES',
  'BENCH_WARMUP',
  'BENCH_PER_PAGE',
  'BENCH_DEEP_PAGE',
  'BENCH_LOAD_SECONDS',
  'BENCH_LOAD_CONNECTIONS',
  'BENCH_APP',
] as const;
