import fs from 'node:fs';
import { z } from 'zod';
import { DATABASE_SSL_MODES, databaseTlsProblems } from '../db/database-tls.js';
import { DEFAULT_NUMBER_PATTERNS, numberPatternProblem } from '../tables/record-numbers.js';

const numberPattern = (fallback: string) =>
  z
    .string()
    .superRefine((pattern, ctx) => {
      const problem = numberPatternProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default(fallback);

const booleanFromEnv = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    // Migrations, seeding and maintenance run as the owner; the app runs as DATABASE_URL, which
    // should be a member of the database's group role, e.g. nexus_app for the database nexus
    // (src/db/database-roles.ts). Unset: DATABASE_URL does both.
    DATABASE_OWNER_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    // A streaming replica (hot standby) of DATABASE_URL's database, as the same runtime login, for
    // the audit log's list and export and the dashboard (src/db/read-replica.ts). Unset: all on the primary.
    DATABASE_REPLICA_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    // A replica further behind than this serves nothing; the primary does until it catches up.
    DATABASE_REPLICA_MAX_LAG_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    DB_POOL_ACQUIRE_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
    // Off behind a connection pooler that cannot keep prepared statements (see docs/operations.md).
    DB_PREPARED_READS: booleanFromEnv.default(true),
    DATA_DIR: z.string().min(1).optional(),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
    // Folder holding pg_dump and pg_restore 15 for db:backup / db:restore (src/db/backup/pg-tools.ts).
    PG_BIN_DIR: z.string().min(1).optional(),
    SEED_DEMO_DATA: booleanFromEnv.optional(),
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    SESSION_ABSOLUTE_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24)
      .default(12),
    TRUST_PROXY: booleanFromEnv.default(false),
    // A request body not in full after this long is refused (408): a slow client cannot hold a connection.
    HTTP_BODY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('NEXUS <nexus@localhost>'),
    // Mail leaves when its write commits (the outbox notifies); this sweep sends what no notification announced.
    MAIL_SWEEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    APP_URL: z.string().url('must be the address people open NEXUS at, e.g. https://nexus.shop.example').optional(),
    AUDIT_SEAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
    // How often a running app makes sure the coming months' audit partitions exist (one instance at a time).
    AUDIT_PARTITION_CHECK_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
    // Sign-in throttling (src/auth/login-throttle.service.ts), shared by every instance through the database.
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(10_000).default(20),
    LOGIN_FAILURE_WINDOW_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    LOGIN_LOCKOUT_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    // Numbers given to new work orders and travelers left without one (src/tables/record-numbers.ts).
    WORK_ORDER_NUMBER_PATTERN: numberPattern(DEFAULT_NUMBER_PATTERNS.work_orders),
    TRAVELER_NUMBER_PATTERN: numberPattern(DEFAULT_NUMBER_PATTERNS.travelers),
    // A new work order's form proposes a due date this many days ahead.
    WORK_ORDER_LEAD_DAYS: z.coerce.number().int().min(0).max(365).default(14),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // TLS to PostgreSQL (src/db/database-tls.ts): require encrypts, verify-full also checks the
    // server's certificate against DATABASE_SSL_CA and the URL's host name.
    DATABASE_SSL_MODE: z.enum(DATABASE_SSL_MODES).default('disable'),
    DATABASE_SSL_CA: z.string().min(1).optional(),
    DATABASE_SSL_CERT: z.string().min(1).optional(),
    DATABASE_SSL_KEY: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    for (const problem of databaseTlsProblems(env)) {
      ctx.addIssue({ code: 'custom', path: [problem.variable], message: problem.message });
    }
    if (env.DATABASE_REPLICA_URL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_REPLICA_URL'],
        message: 'needs DATABASE_URL (the primary it replicates; the embedded database has no replica)',
      });
    }
    if (env.DATABASE_OWNER_URL && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required with DATABASE_OWNER_URL (it is the runtime connection)' });
    }
    if (env.NODE_ENV === 'production') {
      if (!env.SESSION_SECRET) {
        ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required when NODE_ENV=production' });
      }
      if (!env.DATABASE_URL) {
        ctx.addIssue({
          code: 'custom',
          path: ['DATABASE_URL'],
          message: 'is required when NODE_ENV=production (the embedded database is for development only)',
        });
      }
    }
  });

export type AppConfig = Omit<z.infer<typeof envSchema>, 'SEED_DEMO_DATA'> & { SEED_DEMO_DATA: boolean };

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Secrets may come from files (Docker secrets, a vault agent) as well as from variables: X_FILE
 * names a file whose first line is X. Passwords of the two database URLs have files of their own,
 * so that the URL itself (user, host, database) can stay in plain configuration.
 */
const SECRET_FILES: Record<string, string> = {
  SESSION_SECRET_FILE: 'SESSION_SECRET',
  SMTP_URL_FILE: 'SMTP_URL',
  DATABASE_URL_FILE: 'DATABASE_URL',
  DATABASE_OWNER_URL_FILE: 'DATABASE_OWNER_URL',
  DATABASE_REPLICA_URL_FILE: 'DATABASE_REPLICA_URL',
};
const PASSWORD_FILES: Record<string, string> = {
  DATABASE_PASSWORD_FILE: 'DATABASE_URL',
  DATABASE_OWNER_PASSWORD_FILE: 'DATABASE_OWNER_URL',
};

function readSecretFiles(env: Record<string, string>, problems: string[]): Record<string, string> {
  const out = { ...env };
  const read = (variable: string): string | undefined => {
    try {
      const value = fs.readFileSync(env[variable]!, 'utf8').split(/\r?\n/)[0]!.trim();
      if (!value) problems.push(`${variable} names an empty file (${env[variable]})`);
      return value || undefined;
    } catch (error) {
      problems.push(`${variable} names a file that cannot be read (${env[variable]}): ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      return undefined;
    }
  };
  for (const [fileVariable, variable] of Object.entries(SECRET_FILES)) {
    if (env[fileVariable] === undefined) continue;
    if (env[variable] !== undefined) {
      problems.push(`${variable} and ${fileVariable} are both set: give the secret one way`);
      continue;
    }
    const value = read(fileVariable);
    if (value !== undefined) out[variable] = value;
  }
  for (const [fileVariable, urlVariable] of Object.entries(PASSWORD_FILES)) {
    if (env[fileVariable] === undefined) continue;
    const password = read(fileVariable);
    const url = out[urlVariable];
    if (password === undefined) continue;
    if (!url) {
      problems.push(`${fileVariable} is set but ${urlVariable} is not: the password needs its URL`);
      continue;
    }
    try {
      const parsed = new URL(url);
      if (parsed.password) problems.push(`${urlVariable} carries a password and ${fileVariable} is set too: give the password one way`);
      parsed.password = encodeURIComponent(password);
      out[urlVariable] = parsed.toString();
    } catch {
      // The URL's own check below names the problem.
    }
  }
  return out;
}

/** Parses the environment once at start; any problem stops the process with every reason listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable in a .env file or compose file means "not set", not "set to empty".
  const given = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  const fileProblems: string[] = [];
  const cleaned = readSecretFiles(given, fileProblems);
  if (fileProblems.length) throw new ConfigError(fileProblems);
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'} ${i.message}`));
  }
  // Demo users with published passwords have no place in production unless asked for.
  return { ...result.data, SEED_DEMO_DATA: result.data.SEED_DEMO_DATA ?? result.data.NODE_ENV !== 'production' };
}
