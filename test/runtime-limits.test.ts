import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { createSequelize, withDatabase } from '../src/db/database.js';
import { checkRuntimeLimits, placeRuntimeLimits, runtimeLimits } from '../src/db/runtime-limits.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * Where the serving limits go (src/db/runtime-limits.ts): a runtime login of its own carries them
 * as its defaults in this database, so that they hold whoever opens its connections (a pooler
 * included); the owner's or a superuser's login is left alone and gets start-up parameters.
 * Checked at start on the app's connection. (Through a real PgBouncer: test/pgbouncer.test.ts.)
 */

let db: TestDatabase;
const roles: string[] = [];
const opened: Sequelize[] = [];

async function login(options = ''): Promise<{ user: string; url: string }> {
  const user = `nexus_limits_${crypto.randomBytes(4).toString('hex')}`;
  const password = crypto.randomBytes(12).toString('hex');
  roles.push(user);
  await db.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}' ${options}`);
  const url = new URL(db.url);
  url.username = user;
  url.password = password;
  return { user, url: url.toString() };
}

async function session<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const shown = (url: string) =>
  session(
    url,
    async (c) =>
      (await c.query(`SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle`)).rows[0],
  );

const roleDefaults = async (user: string) =>
  (
    await db.query<{ setconfig: string[] }>(
      `SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE s.setrole = $1::regrole AND d.datname = current_database()`,
      [user],
    )
  ).rows.map((r) => r.setconfig);

const notAsRuntime = async (): Promise<never> => {
  throw new Error('the runtime login was asked to set its own limits');
};

function appSequelize(url: string, extra: Partial<Parameters<typeof createSequelize>[0]> = {}): Sequelize {
  const sequelize = createSequelize({ url, poolMax: 2, acquireTimeoutMs: 10_000, ...extra });
  opened.push(sequelize);
  return sequelize;
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  for (const sequelize of opened) await sequelize.close();
  await db.drop();
  await session(withDatabase(db.url, 'postgres'), async (c) => {
    for (const role of roles) await c.query(`DROP ROLE IF EXISTS ${role}`);
  });
});

describe('a runtime login of its own', () => {
  it('gets the limits as its defaults in this database from the owner, which every new session of it has; a new value replaces them', async () => {
    const runtime = await login();
    expect(await placeRuntimeLimits(db.sequelize, db.url, runtime.url, runtimeLimits(1500), notAsRuntime)).toBe('role');
    expect(await roleDefaults(runtime.user)).toEqual([['statement_timeout=1500', 'idle_in_transaction_session_timeout=3000']]);
    expect(await shown(runtime.url)).toEqual({ statement: '1500ms', idle: '3s' });
    // In this database only.
    expect(await shown(withDatabase(runtime.url, 'postgres'))).toEqual({ statement: '0', idle: '0' });

    expect(await placeRuntimeLimits(db.sequelize, db.url, runtime.url, runtimeLimits(2500), notAsRuntime)).toBe('role');
    expect(await roleDefaults(runtime.user)).toEqual([['statement_timeout=2500', 'idle_in_transaction_session_timeout=5000']]);
    // The app's own connections, its History pool included, report them.
    const app = appSequelize(runtime.url, { preparedReads: true });
    expect(await checkRuntimeLimits(app, runtimeLimits(2500), 'role', true)).toEqual({
      inEffect: { statementTimeoutMs: 2500, idleInTransactionTimeoutMs: 5000, source: 'database user' },
    });
  });

  it('sets them itself when the owner may not alter other logins, its own session included', async () => {
    const owner = await login('NOSUPERUSER NOCREATEROLE');
    const runtime = await login();
    const limited = appSequelize(owner.url);
    const during: unknown[] = [];
    const placed = await placeRuntimeLimits(limited, owner.url, runtime.url, runtimeLimits(1500), async (work) =>
      session(runtime.url, async (client) => {
        const result = await work(client);
        during.push((await client.query('SHOW statement_timeout')).rows[0]);
        return result;
      }),
    );
    expect(placed).toBe('own-role');
    expect(during).toEqual([{ statement_timeout: '1500ms' }]);
    expect(await roleDefaults(runtime.user)).toEqual([['statement_timeout=1500', 'idle_in_transaction_session_timeout=3000']]);
    expect(await shown(runtime.url)).toEqual({ statement: '1500ms', idle: '3s' });
  });
});

describe("the owner's own login, or a superuser, serving", () => {
  it('keeps its defaults as they are: the limits go in start-up parameters', async () => {
    const superuser = await login('SUPERUSER');
    expect(await placeRuntimeLimits(db.sequelize, db.url, db.url, runtimeLimits(1500), notAsRuntime)).toBe('startup');
    expect(await placeRuntimeLimits(db.sequelize, db.url, superuser.url, runtimeLimits(1500), notAsRuntime)).toBe('startup');
    expect(await roleDefaults(superuser.user)).toEqual([]);
    expect(await shown(superuser.url)).toEqual({ statement: '0', idle: '0' });
    const app = appSequelize(superuser.url, { startupLimits: runtimeLimits(1500), preparedReads: true });
    expect(await checkRuntimeLimits(app, runtimeLimits(1500), 'startup', true)).toEqual({
      inEffect: { statementTimeoutMs: 1500, idleInTransactionTimeoutMs: 3000, source: 'client' },
    });
  });
});

describe('the check at start', () => {
  it('refuses a connection without limits, saying where they were meant to come from', async () => {
    const bare = await login();
    await expect(checkRuntimeLimits(appSequelize(bare.url), runtimeLimits(1500), 'role', false)).rejects.toThrow(
      "The database limits are not in effect on the app's connection: statement_timeout is off and idle_in_transaction_session_timeout is off, " +
        `expected 1500 ms and 3000 ms (DB_STATEMENT_TIMEOUT_MS and twice it). They are the login "${bare.user}"'s defaults in this database`,
    );
    await expect(checkRuntimeLimits(appSequelize(bare.url), runtimeLimits(1500), 'startup', false)).rejects.toThrow(
      `They are sent as start-up parameters (DATABASE_URL's login "${bare.user}" is the owner or a superuser), and something dropped them, such as PgBouncer's ignore_startup_parameters.`,
    );
  });

  it('warns of limits other than the configured ones', async () => {
    const runtime = await login();
    await placeRuntimeLimits(db.sequelize, db.url, runtime.url, runtimeLimits(1500), notAsRuntime);
    const checked = await checkRuntimeLimits(appSequelize(runtime.url), runtimeLimits(2500), 'role', false);
    expect(checked.inEffect).toEqual({ statementTimeoutMs: 1500, idleInTransactionTimeoutMs: 3000, source: 'database user' });
    expect(checked.warning).toMatch(
      /^The app's connection runs with other database limits: statement_timeout is 1500 ms and idle_in_transaction_session_timeout is 3000 ms, expected 2500 ms and 5000 ms /,
    );
  });
});
