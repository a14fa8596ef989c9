import crypto from 'node:crypto';
import type express from 'express';
import pino from 'pino';
import type { Sequelize } from 'sequelize';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createAdmin } from '../../src/admin/admin.js';
import { createAppContext, type AppContext } from '../../src/app-context.js';
import { systemActor, type UserActor } from '../../src/audit/actor.js';
import { ROLES, type Role } from '../../src/auth/roles.js';
import { loadConfig } from '../../src/config/config.js';
import { createPgPool, createSequelize } from '../../src/db/database.js';
import { ensureRuntimeLogin, runtimeUrlFor } from '../../src/db/runtime-role.js';
import { inTransaction } from '../../src/db/unit-of-work.js';
import { createApp } from '../../src/http/app.js';
import { User } from '../../src/models/index.js';
import { createTestDatabase, dropRole, type TestDatabase } from './test-database.js';

export const TEST_PASSWORD = 'correct-horse-battery-9';
export const TEST_SESSION_SECRET = 'test-session-secret-that-is-long-enough-0123456789';

export interface TestUser {
  id: number;
  username: string;
  role: Role;
}

export interface TestApp {
  db: TestDatabase;
  /** The app's own connection (the runtime login): what its requests run through. */
  appSequelize: Sequelize;
  /** The app's context, made as server.ts makes it; its mail dispatch runs only once a test starts it. */
  ctx: AppContext;
  /** The runtime login's URL. */
  runtimeUrl: string;
  app: express.Express;
  users: Record<Role, TestUser>;
  /** A cookie-keeping client signed in as the given role's user. */
  signIn(role: Role): Promise<TestAgent>;
  /**
   * A second app in this process over the same database and runtime login, with a context of its
   * own made from `env`: as another instance with other settings. Closed with this one.
   */
  withSettings(env: Record<string, string>): Promise<Omit<TestApp, 'withSettings' | 'close'>>;
  close(): Promise<void>;
}

/** One user per role, created as the test system actor. */
export async function createRoleUsers(db: TestDatabase): Promise<Record<Role, TestUser>> {
  const users = {} as Record<Role, TestUser>;
  await inTransaction(db.sequelize, systemActor('test:setup'), async (options) => {
    for (const role of ROLES) {
      const user = await User.create(
        { username: `${role}.user`, email: `${role}@test.example`, full_name: `Test ${role}`, role, password: TEST_PASSWORD } as never,
        options,
      );
      users[role] = { id: user.id, username: user.username, role };
    }
  });
  return users;
}

interface TestAppOptions {
  trustProxy?: boolean;
  /** Settings as the environment would give them (APP_URL, SMTP_URL, the number patterns...). */
  env?: Record<string, string>;
}

/** One app (context, panel, sessions) over the database and runtime login it is given. */
function serveApp(db: TestDatabase, users: Record<Role, TestUser>, runtime: Sequelize, runtimeUrl: string, options: TestAppOptions) {
  // Made as the server makes it, from settings read as the server reads them.
  const ctx = createAppContext(loadConfig(options.env ?? {}), { db: runtime, url: runtimeUrl });
  const admin = createAdmin(ctx);
  const sessionPool = createPgPool(runtimeUrl, 3, () => undefined);
  const app = createApp({
    ctx,
    admin,
    sessionPool,
    sessionSecret: TEST_SESSION_SECRET,
    secureCookies: false,
    trustProxy: options.trustProxy ?? false,
    idleTimeoutMinutes: 30,
    absoluteSessionHours: 12,
    logger: pino({ level: process.env.NEXUS_TEST_LOG ?? 'silent' }),
  });
  return {
    db,
    appSequelize: runtime,
    ctx,
    runtimeUrl,
    app,
    users,
    async signIn(role: Role) {
      const agent = supertest.agent(app);
      const res = await agent.post('/admin/login').type('form').send({ email: users[role].username, password: TEST_PASSWORD });
      if (res.status !== 302) throw new Error(`sign-in as ${role} failed with ${res.status}`);
      return agent;
    },
    async stop() {
      await ctx.mail.stop();
      await sessionPool.end();
    },
  };
}

/**
 * The real application (sessions, sign-in, AdminJS) over a private test database, connected as a
 * runtime login as production is: a member of the database's group role and nothing more, so a
 * missing GRANT fails here as it would in a shop. Set-up and checks go through `db` (superuser).
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const users = await createRoleUsers(db);
  const runtimeUrl = runtimeUrlFor(db.url, `nexus_test_app_${crypto.randomBytes(4).toString('hex')}`, crypto.randomBytes(12).toString('hex'));
  const login = await ensureRuntimeLogin(db.sequelize, runtimeUrl);
  if (login.outcome === 'not-permitted') throw new Error('the test server login cannot make the runtime login');
  // Binds the models to the runtime login: what the app reads and writes goes through it.
  const runtime = createSequelize({ url: runtimeUrl, poolMax: 8, acquireTimeoutMs: 30_000 });
  const { stop, ...served } = serveApp(db, users, runtime, runtimeUrl, options);
  const others: Array<() => Promise<void>> = [];
  return {
    ...served,
    async withSettings(env) {
      const other = serveApp(db, users, runtime, runtimeUrl, { env });
      others.push(other.stop);
      return other;
    },
    async close() {
      for (const stopOther of others) await stopOther();
      await stop();
      await runtime.close();
      await db.drop();
      await dropRole(new URL(runtimeUrl).username);
    },
  };
}

/** The actor a service call gets for a test user (as the panel would build it from the session). */
export function testActor(user: TestUser, requestId = `test-${user.role}`): UserActor {
  return {
    kind: 'user',
    userId: user.id,
    username: user.username,
    fullName: `Test ${user.role}`,
    email: `${user.role}@test.example`,
    role: user.role,
    ip: '127.0.0.1',
    userAgent: 'jest',
    requestId,
  };
}
