import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { createAdmin } from './admin/admin.js';
import type { AppConfig } from './config/config.js';
import { createPgPool, createSequelize } from './db/database.js';
import { databaseUrlForTls } from './db/database-tls.js';
import type { ReplicaSettings } from './db/read-replica.js';
import { prepareComponentsBundle } from './http/panel-assets.js';
import { dataRoot, openDatabaseTarget, type DatabaseTarget } from './db/database-target.js';
import type { EmbeddedPostgres } from './db/embedded-postgres.js';
import { createMigrator } from './db/migrator.js';
import { withMigrationLock } from './db/migration-lock.js';
import { advanceTransactionIds } from './db/transaction-horizon.js';
import { createSeeder } from './db/seeder.js';
import { adoptDatabaseRoles } from './db/database-roles.js';
import { connectionPrivileges, ensureRuntimeLogin, privilegeWarnings } from './db/runtime-role.js';
import { checkRuntimeLimits, placeRuntimeLimits, runtimeLimits, type LimitPlacement, type RuntimeLimits } from './db/runtime-limits.js';
import { createApp } from './http/app.js';
import { loginThrottleSettings } from './auth/login-throttle.service.js';
import { createAppContext, type AppContext } from './app-context.js';
import { ensureAuditPartitions } from './audit/audit-partition.service.js';
import { startAuditSealer } from './audit/audit-sealer.job.js';
import { startPartitionKeeper } from './audit/audit-partition.job.js';

export interface RunningServer {
  url: string;
  databaseUrl: string;
  sequelize: Sequelize;
  ctx: AppContext;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

/**
 * Development needs no secret to be configured, but sessions must survive a restart, so a
 * random secret is made once and kept beside the embedded database. Production has no such
 * default: config validation refuses to start without SESSION_SECRET.
 */
function developmentSessionSecret(root: string): string {
  const file = path.join(root, 'session-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * Everything that needs the owner: migrations, demo data, this month's audit partitions, and the
 * runtime login (created or re-passworded from DATABASE_URL where the owner may, and given the
 * serving limits as its defaults: db/runtime-limits.ts). The owner's connection is closed before
 * the app serves anything. Says where the limits were put.
 */
async function prepareAsOwner(config: AppConfig, target: DatabaseTarget, limits: RuntimeLimits, logger: Logger): Promise<LimitPlacement> {
  const { url: ownerUrl, runtimeUrl, ssl } = target;
  return withMigrationLock(ownerUrl, ssl, async () => {
    const owner = createSequelize({ url: ownerUrl, poolMax: 2, acquireTimeoutMs: config.DB_POOL_ACQUIRE_MS, ssl });
    try {
      // A copy of another NEXUS database (restored or created from it as a template) gets roles of
      // its own before anything else, also when it has nothing to migrate.
      const adopted = await adoptDatabaseRoles(owner);
      if (adopted) logger.warn({ from: adopted.from, to: adopted.to }, 'this database was a copy: its grants moved to roles of its own');
      const applied = await createMigrator(owner).up();
      if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
      // A database restored onto a new server (pg_dump's plain SQL through psql included) has
      // audit rows and seals from transaction ids this server has not reached: catch up first.
      const advanced = await withClient(ownerUrl, ssl, (client) => advanceTransactionIds(client, (line) => logger.warn(line)));
      if (advanced) logger.warn({ transactionIds: advanced }, 'transaction counter moved past the restored audit trail');
      if (config.SEED_DEMO_DATA) {
        const seeded = await createSeeder(owner).up();
        if (seeded.length) logger.info({ seeders: seeded.map((s) => s.name) }, 'demo data seeded');
      }
      const partitions = await ensureAuditPartitions(owner);
      if (partitions) logger.info({ partitions }, 'audit partitions created');
      if (runtimeUrl !== ownerUrl) {
        const login = await ensureRuntimeLogin(owner, runtimeUrl);
        if (login.outcome === 'not-permitted') {
          logger.warn(`the owner login may not create roles: make sure the DATABASE_URL login exists, has its password and is a member of ${login.appRole}`);
        }
        if (login.warning) logger.warn(login.warning);
      }
      return await placeRuntimeLimits(owner, ownerUrl, runtimeUrl, limits, (work) => withClient(runtimeUrl, ssl, work));
    } finally {
      await owner.close();
    }
  });
}

async function withClient<T>(url: string, ssl: DatabaseTarget['ssl'], work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, ...(ssl !== undefined && { ssl }) });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The read replica's connection (DATABASE_REPLICA_URL), as the same runtime login with the same
 * TLS: no model is bound to it and History's prepared reads stay on the primary. Its limits are
 * the login's defaults, which the replica replays too; `startupLimits` only for a login that
 * cannot carry them (the owner, a superuser).
 */
function replicaConnection(config: AppConfig, target: DatabaseTarget, startupLimits: RuntimeLimits | undefined, logger: Logger): ReplicaSettings | undefined {
  if (!config.DATABASE_REPLICA_URL) return undefined;
  return {
    db: createSequelize({
      url: databaseUrlForTls(config.DATABASE_REPLICA_URL, config),
      poolMax: config.DB_POOL_MAX,
      acquireTimeoutMs: config.DB_POOL_ACQUIRE_MS,
      ...(startupLimits && { startupLimits }),
      ssl: target.ssl,
      preparedReads: false,
      bindModels: false,
    }),
    maxLagSeconds: config.DATABASE_REPLICA_MAX_LAG_SECONDS,
    onStateChange: (state, error) =>
      state === 'unreachable'
        ? logger.warn({ err: error }, 'the read replica does not answer: its reads go to the primary until it does')
        : logger.info('the read replica answers again'),
  };
}

export async function startServer(config: AppConfig, logger: Logger = pino({ level: config.LOG_LEVEL })): Promise<RunningServer> {
  const target = await openDatabaseTarget(config, (line) => logger.info(line));
  const { runtimeUrl: databaseUrl, embedded } = target;
  try {
    const limits = runtimeLimits(config.DB_STATEMENT_TIMEOUT_MS);
    const placement = await prepareAsOwner(config, target, limits, logger);
    // From here on the app holds only the runtime login: the group role's grants and nothing more.
    const sequelize = createSequelize({
      url: databaseUrl,
      poolMax: config.DB_POOL_MAX,
      acquireTimeoutMs: config.DB_POOL_ACQUIRE_MS,
      ...(placement === 'startup' && { startupLimits: limits }),
      ssl: target.ssl,
      preparedReads: config.DB_PREPARED_READS,
    });
    try {
      const checked = await checkRuntimeLimits(sequelize, limits, placement, config.DB_PREPARED_READS);
      if (checked.warning) logger.warn(checked.warning);
      else logger.info({ ...checked.inEffect, placement }, 'database limits in effect on the app connection');
    } catch (error) {
      await sequelize.close().catch(() => undefined);
      throw error;
    }
    const privileges = await connectionPrivileges(sequelize);
    const warnings = privilegeWarnings(privileges);
    for (const warning of warnings) {
      logger.warn(
        { databaseUser: privileges.user },
        `DATABASE LOGIN HAS TOO MUCH POWER: ${warning}. Run the app as a member of ${privileges.appRole} (DATABASE_URL) and migrate as the owner (DATABASE_OWNER_URL); see docs/operations.md.`,
      );
    }
    if (!warnings.length) logger.info({ databaseUser: privileges.user }, `connected as a runtime login (member of ${privileges.appRole})`);
    const sealer = startAuditSealer(sequelize, config.AUDIT_SEAL_SECONDS * 1000, (error) => logger.error({ err: error }, 'sealing the audit chain failed'));
    const partitionKeeper = startPartitionKeeper(sequelize, config.AUDIT_PARTITION_CHECK_MINUTES * 60_000, (error) =>
      logger.error({ err: error }, "making the coming months' audit partitions failed"),
    );

    const replica = replicaConnection(config, target, placement === 'startup' ? limits : undefined, logger);

    // The one context of this app: everything below works through it, nothing through module globals.
    const ctx = createAppContext(
      config,
      {
        db: sequelize,
        url: databaseUrl,
        ssl: target.ssl,
        ...(replica && { replica }),
      },
      (error, what) => logger.error({ err: error }, what),
    );
    if (replica) {
      // Said once at start; a replica that does not answer is not fatal: the primary serves its reads.
      const place = await ctx.reports.place();
      if (place.source === 'replica') logger.info({ lagSeconds: place.lagSeconds }, 'report reads go to the read replica');
      else logger.warn({ reason: place.fallback }, 'the read replica cannot serve yet: report reads go to the primary');
    }

    const admin = createAdmin(ctx);
    await admin.initialize();
    const sessionPool = createPgPool(
      databaseUrl,
      5,
      (error) => logger.warn({ err: error }, 'idle session connection failed'),
      target.ssl,
      config.DB_POOL_ACQUIRE_MS,
    );
    const app = createApp({
      ctx,
      admin,
      sessionPool,
      sessionSecret: config.SESSION_SECRET ?? developmentSessionSecret(dataRoot(config)),
      secureCookies: config.NODE_ENV === 'production' && config.TRUST_PROXY,
      trustProxy: config.TRUST_PROXY,
      appUrl: config.APP_URL,
      idleTimeoutMinutes: config.SESSION_IDLE_MINUTES,
      absoluteSessionHours: config.SESSION_ABSOLUTE_HOURS,
      loginThrottle: loginThrottleSettings(config),
      bodyTimeoutMs: config.HTTP_BODY_TIMEOUT_SECONDS * 1000,
      logger,
    });
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(config.PORT, config.HOST, () => resolve(s));
      s.once('error', reject);
    });
    // Last: its listening connection would otherwise outlive a start that failed above.
    await ctx.mail.start();
    // In the background: the first page people open right after start then finds it ready.
    prepareComponentsBundle(admin).catch((error: unknown) =>
      logger.warn({ err: error }, 'building the panel components failed; the first page will try again'),
    );
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    return {
      url: `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}${admin.options.rootPath}`,
      databaseUrl,
      sequelize,
      ctx,
      embedded,
      async close() {
        await sealer.stop();
        await partitionKeeper.stop();
        await ctx.mail.stop();
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await sequelize.close();
        await replica?.db.close();
        await sessionPool.end();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}
