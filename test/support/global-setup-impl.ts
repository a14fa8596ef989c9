import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { freeLocalPort, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { createSequelize, withDatabase } from '../../src/db/database.js';
import { createMigrator } from '../../src/db/migrator.js';

declare global {
  // Kept for global-teardown, which runs in this same process.
  var __NEXUS_TEST_CLUSTER__: EmbeddedPostgres | undefined;
}

/**
 * One PostgreSQL per test run: TEST_DATABASE_URL when given (a server where that user may
 * create databases), otherwise a throwaway embedded cluster. A template database is migrated
 * once; every test file clones it, so files never see each other's rows.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const cluster = await startEmbeddedPostgres({
      dataDir: path.join(os.tmpdir(), `nexus-test-${process.pid}-${crypto.randomBytes(3).toString('hex')}`, 'postgres'),
      port: await freeLocalPort(),
      durable: false,
      removeOnStop: true,
    });
    globalThis.__NEXUS_TEST_CLUSTER__ = cluster;
    serverUrl = cluster.url;
  }
  const template = `nexus_test_tpl_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const sequelize = createSequelize({ url: withDatabase(serverUrl, template), poolMax: 2, acquireTimeoutMs: 10_000 });
  await createMigrator(sequelize).up();
  await sequelize.close();

  process.env.NEXUS_TEST_SERVER_URL = serverUrl;
  process.env.NEXUS_TEST_TEMPLATE_DB = template;
}
