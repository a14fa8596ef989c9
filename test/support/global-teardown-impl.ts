import pg from 'pg';
import { withDatabase } from '../../src/db/database.js';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.NEXUS_TEST_SERVER_URL;
  const template = process.env.NEXUS_TEST_TEMPLATE_DB;
  if (serverUrl && template) {
    const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
    await admin.connect();
    // Test files drop their own clones; this also removes any left by a crashed worker.
    const leftovers = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2', [
      template,
      `${template}_%`,
    ]);
    for (const { datname } of leftovers.rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
    }
    // The template's roles (its clones share them) and any a crashed worker's database made.
    const roles = await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1) ORDER BY rolname DESC', [template]);
    for (const { rolname } of roles.rows) await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(rolname)}`);
    await admin.end();
  }
  await globalThis.__NEXUS_TEST_CLUSTER__?.stop();
}
