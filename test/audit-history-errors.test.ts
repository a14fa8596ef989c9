import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sequelize } from 'sequelize';
import { recordHistory } from '../src/audit/audit-history.service.js';
import { createSequelize } from '../src/db/database.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * A History whose reads fail says so: the failure is not swallowed into a fallback. The fault is
 * real, not mocked: a login that may read every column of customers except created_at, which
 * only the History's first read (when was the record made) asks for.
 */

let db: TestDatabase;
let reader: Sequelize;
const role = `nexus_history_reader_${crypto.randomBytes(4).toString('hex')}`;
let customerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const password = crypto.randomBytes(12).toString('hex');
  await db.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await db.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await db.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
  await db.query(`REVOKE SELECT ON customers FROM ${role}`);
  await db.query(`GRANT SELECT (id, code, name, contact_name, email, phone, address, active, version, updated_at) ON customers TO ${role}`);
  const url = new URL(db.url);
  url.username = role;
  url.password = password;
  reader = createSequelize({ url: url.toString(), poolMax: 2, acquireTimeoutMs: 10_000 });

  const created = await db.query<{ id: string }>(`INSERT INTO customers (code, name) VALUES ('HIST-ERR', 'History Errors Ltd') RETURNING id::text AS id`);
  customerId = created.rows[0]!.id;
  await db.query(`UPDATE customers SET name = 'History Errors Inc' WHERE id = $1`, [customerId]);
});

afterAll(async () => {
  await reader.close();
  // Roles are the server's: this one goes, with its grants, before its database does.
  await db.query(`DROP OWNED BY ${role}`);
  await db.query(`DROP ROLE ${role}`);
  await db.drop();
});

describe('a History that cannot be read', () => {
  it("fails with the database error when the record's creation time is refused, and reads in full once it is allowed", async () => {
    const refused = await recordHistory(reader, 'customers', customerId).then(
      () => 'answered',
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ original: { code: '42501' } });
    expect(String(refused)).toMatch(/permission denied for table customers/);

    // The same reader with the one column granted: the failure above was that read and nothing else.
    await db.query(`GRANT SELECT (created_at) ON customers TO ${role}`);
    const history = await recordHistory(reader, 'customers', customerId);
    expect(history.entries.map((e) => e.action)).toEqual(['update', 'create']);
  });
});
