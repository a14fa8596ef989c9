import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Customer } from '../src/models/index.js';
import { RecordValidationError, StaleRecordError } from '../src/records/record-errors.js';
import { createRecord, updateRecord } from '../src/records/record.service.js';
import { createTestApp, testActor, type TestApp } from './support/test-app.js';

/**
 * An edit's statements go to its transaction's connection directly (src/db/unit-of-work.ts,
 * src/db/transaction-statement.ts, src/records/record-row-statements.ts), past Sequelize's query
 * pipeline. These tests hold them to what save() and Sequelize's transactions did: the actor in
 * the transaction and nowhere after it, the version checked and raised, refusals worded as before,
 * four round trips an edit.
 */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function newCustomer(code: string): Promise<{ id: number; version: number }> {
  const created: Customer = await createRecord(Customer, { code, name: `${code} Manufacturing` }, testActor(t.users.admin));
  return { id: Number(created.get('id')), version: Number(created.get('version')) };
}

/** Every statement node-postgres sends while `work` runs (one query call is one round trip). */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  const sent: string[] = [];
  proto.query = function (this: unknown, ...a: unknown[]) {
    const first = a[0] as string | { text?: string };
    sent.push(typeof first === 'string' ? first : (first?.text ?? ''));
    return original.apply(this, a);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  return sent;
}

describe('an edit through the direct statements', () => {
  it('saves the fields, one version up, with the actor on every audit row, in four round trips', async () => {
    const { id, version } = await newCustomer('DIRECT1');
    const actor = testActor(t.users.engineer, 'direct-edit-1');
    let saved: Customer | undefined;
    const sent = await statementsOf(async () => {
      saved = (await updateRecord(Customer, id, { contact_name: 'Ada', phone: '+1 555 0100', version }, actor)) as Customer;
    });
    expect(sent).toHaveLength(4);
    expect(sent[0]).toMatch(/^START TRANSACTION; SELECT set_config\('nexus\.actor'/);
    expect(sent[3]).toBe('COMMIT;');
    // The record handed back is the saved one: its new version and time, nothing left to save.
    expect(saved!.get('version')).toBe(version + 1);
    expect(saved!.changed()).toBe(false);
    const row = (await t.db.query('SELECT contact_name, phone, version, updated_at FROM customers WHERE id = $1', [id])).rows[0]!;
    expect(row).toMatchObject({ contact_name: 'Ada', phone: '+1 555 0100', version: version + 1 });
    expect((row.updated_at as Date).getTime()).toBe((saved!.get('updated_at') as Date).getTime());
    const audit = await t.db.query(
      `SELECT field_name, new_value, actor_id, request_id FROM audit_logs WHERE table_name = 'customers' AND record_id = $1 AND action = 'update' ORDER BY id`,
      [String(id)],
    );
    expect(audit.rows).toEqual([
      { field_name: 'contact_name', new_value: 'Ada', actor_id: t.users.engineer.id, request_id: 'direct-edit-1' },
      { field_name: 'phone', new_value: '+1 555 0100', actor_id: t.users.engineer.id, request_id: 'direct-edit-1' },
    ]);
  });

  it('leaves no actor on the connection once the transaction has ended', async () => {
    const { id, version } = await newCustomer('DIRECT2');
    await updateRecord(Customer, id, { contact_name: 'Grace', version }, testActor(t.users.engineer));
    // The pool hands the same connection out again: the settings were the transaction's only.
    const after = await Customer.sequelize!.query<{ actor: string | null }>(`SELECT current_setting('nexus.actor', true) AS actor`, {
      type: 'SELECT' as never,
      plain: false,
    });
    expect([null, '']).toContain(after[0]!.actor);
  });

  it('refuses a change made on an old version, and writes nothing', async () => {
    const { id, version } = await newCustomer('DIRECT3');
    await updateRecord(Customer, id, { contact_name: 'First', version }, testActor(t.users.engineer));
    await expect(updateRecord(Customer, id, { contact_name: 'Second', version }, testActor(t.users.engineer))).rejects.toBeInstanceOf(StaleRecordError);
    expect((await t.db.query('SELECT contact_name, version FROM customers WHERE id = $1', [id])).rows[0]).toEqual({
      contact_name: 'First',
      version: version + 1,
    });
  });

  it('words a unique key the update breaks on its field, and rolls the change back with its audit rows', async () => {
    await newCustomer('DIRECT4');
    const { id, version } = await newCustomer('DIRECT5');
    const auditBefore = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE record_id = $1`, [String(id)])).rows[0]!.n;
    const refused = updateRecord(Customer, id, { code: 'DIRECT4', contact_name: 'Clash', version }, testActor(t.users.admin));
    await expect(refused).rejects.toBeInstanceOf(RecordValidationError);
    await expect(refused).rejects.toMatchObject({ fields: { code: expect.stringMatching(/already in use/) } });
    expect((await t.db.query('SELECT code, contact_name, version FROM customers WHERE id = $1', [id])).rows[0]).toEqual({
      code: 'DIRECT5',
      contact_name: null,
      version,
    });
    expect((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE record_id = $1`, [String(id)])).rows[0]!.n).toBe(auditBefore);
  });

  it('sends an actor whose text needs quoting as it is', async () => {
    const { id, version } = await newCustomer('DIRECT6');
    const actor = { ...testActor(t.users.engineer, "quote'd \\ request"), fullName: "O'Brien \\ Ünal" };
    await updateRecord(Customer, id, { contact_name: 'Quoted', version }, actor);
    const audit = await t.db.query(`SELECT actor_name, request_id FROM audit_logs WHERE table_name = 'customers' AND record_id = $1 AND action = 'update'`, [
      String(id),
    ]);
    expect(audit.rows).toEqual([{ actor_name: "O'Brien \\ Ünal", request_id: "quote'd \\ request" }]);
  });
});
