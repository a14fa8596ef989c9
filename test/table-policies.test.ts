import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ValidationError, type Model, type ModelStatic } from 'sequelize';
import { systemActor } from '../src/audit/actor.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { ALL_MODELS, Revision, Traveler, WorkOrder } from '../src/models/index.js';
import { initSchema, policyOf } from '../src/tables/index.js';
import { RECORD_NAMES } from '../src/tables/record-names.js';
import { AUDITED_TABLES } from './support/expected.js';
import { buildShop, type Shop } from './support/shop-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

let db: TestDatabase;
let shop: Shop;
let otherShop: Shop;

beforeAll(async () => {
  db = await createTestDatabase();
  shop = await buildShop(db);
  otherShop = await buildShop(db);
});
afterAll(async () => {
  await db?.drop();
});

/** The field errors of a write refused by the application, or the error itself if it was not that. */
async function refusal(write: Parameters<typeof inTransaction>[2]): Promise<Record<string, string>> {
  try {
    await inTransaction(db.sequelize, systemActor('test'), write);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return Object.fromEntries(error.errors.map((e) => [e.path ?? 'base', e.message]));
  }
  throw new Error('the write was not refused');
}

describe('table policies', () => {
  it('name only real fields and real model rules', () => {
    const checked: string[] = [];
    for (const model of ALL_MODELS) {
      const policy = policyOf(model);
      const attributes = Object.keys((model as ModelStatic<Model>).getAttributes());
      const fields = [
        ...Object.keys(policy.workflowFields ?? {}),
        ...(policy.derivedFields ?? []),
        ...(policy.generatedWhenEmpty ?? []),
        ...(policy.actorField ? [policy.actorField] : []),
        ...Object.values(policy.ruleFields ?? {}),
      ];
      for (const field of fields) expect(`${model.name}.${field}: ${attributes.includes(field)}`).toBe(`${model.name}.${field}: true`);
      const rules = Object.keys((model.options.validate ?? {}) as object);
      for (const rule of Object.keys(policy.ruleFields ?? {}))
        expect(`${model.name} rule ${rule}: ${rules.includes(rule)}`).toBe(`${model.name} rule ${rule}: true`);
      // Every named rule of a model says where its message goes: none falls back to the form.
      for (const rule of rules)
        expect(`${model.name} rule ${rule} placed: ${rule in (policy.ruleFields ?? {})}`).toBe(`${model.name} rule ${rule} placed: true`);
      if (fields.length) checked.push(model.name);
    }
    expect(checked.sort()).toEqual(['Approval', 'LaborEntry', 'ManualStep', 'Revision', 'SubStep', 'Traveler', 'TravelerStep', 'TravelerSubStep', 'WorkOrder']);
  });

  it('name every audited table, and read a name only from fields its table has', () => {
    expect(AUDITED_TABLES.filter((table) => !RECORD_NAMES[table])).toEqual([]);
    const fieldsOf = (table: string) =>
      Object.keys((ALL_MODELS as readonly ModelStatic<Model>[]).find((m) => m.getTableName() === table)?.getAttributes() ?? {});
    const unknown = Object.entries(RECORD_NAMES).flatMap(([table, name]) =>
      name.audit.fields.filter((f) => !fieldsOf(table).includes(f)).map((f) => `${table}.${f}`),
    );
    expect(unknown).toEqual([]);
  });

  it('run their cross-table checks on writes, named on the field, and nothing is written', async () => {
    const before = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM travelers')).rows[0]!.n;
    // A traveler whose work order is for another part.
    const wrongOrder = await refusal((options) =>
      Traveler.create({ work_order_id: otherShop.workOrderId, part_id: shop.partId, revision_id: shop.revisionId, quantity: 1 } as never, options),
    );
    expect(wrongOrder).toEqual({ work_order_id: 'The traveler must be for the same part as its work order' });
    // A work order naming another part's revision.
    const wrongRevision = await refusal((options) =>
      WorkOrder.create({ customer_id: shop.customerId, part_id: shop.partId, revision_id: otherShop.revisionId, quantity: 1 } as never, options),
    );
    expect(wrongRevision).toEqual({ revision_id: 'The revision must belong to the selected part' });
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM travelers')).rows[0]!.n).toBe(before);
  });

  it('derive what no writer chooses: a traveler takes its work order’s customer and the next number', async () => {
    const traveler = await inTransaction(db.sequelize, systemActor('test'), (options) =>
      Traveler.create(
        { work_order_id: shop.workOrderId, customer_id: otherShop.customerId, part_id: shop.partId, revision_id: shop.revisionId, quantity: 2 } as never,
        options,
      ),
    );
    const row = (await db.query<{ customer_id: number; number: string }>('SELECT customer_id, number FROM travelers WHERE id = $1', [traveler.id])).rows[0]!;
    expect(row.customer_id).toBe(shop.customerId);
    expect(row.number).toMatch(/^T-\d+/);
  });

  it('keep one released revision per part however it is released, in the same transaction', async () => {
    const next = await inTransaction(db.sequelize, systemActor('test'), (options) =>
      Revision.create({ part_id: shop.partId, revision_code: 'B', effective_date: '2026-01-01' } as never, options),
    );
    await inTransaction(db.sequelize, systemActor('test'), async (options) => {
      await next.update({ status: 'released' }, options);
    });
    const statuses = (
      await db.query<{ revision_code: string; status: string }>('SELECT revision_code, status FROM revisions WHERE part_id = $1 ORDER BY revision_code', [
        shop.partId,
      ])
    ).rows;
    expect(statuses).toEqual([
      { revision_code: 'A', status: 'obsolete' },
      { revision_code: 'B', status: 'released' },
    ]);
    // Both changes are in the audit trail, in one transaction.
    const audited = (
      await db.query<{ txids: number; rows: number }>(
        `SELECT count(DISTINCT txid)::int AS txids, count(*)::int AS rows FROM audit_logs WHERE table_name = 'revisions' AND field_name = 'status'
          AND ((record_id = $1 AND new_value = 'obsolete') OR (record_id = $2 AND new_value = 'released'))`,
        [String(shop.revisionId), String(next.id)],
      )
    ).rows[0]!;
    expect(audited).toEqual({ txids: 1, rows: 2 });
  });

  it('survive the models being bound to another database (the hooks go on again)', async () => {
    const second = await createTestDatabase();
    try {
      const there = await buildShop(second);
      const otherThere = await buildShop(second);
      const wrong = await inTransaction(second.sequelize, systemActor('test'), (options) =>
        WorkOrder.create({ customer_id: there.customerId, part_id: there.partId, revision_id: otherThere.revisionId, quantity: 1 } as never, options),
      ).catch((error: unknown) => error);
      expect(wrong).toBeInstanceOf(ValidationError);
      expect((wrong as ValidationError).errors.map((e) => [e.path, e.message])).toEqual([['revision_id', 'The revision must belong to the selected part']]);
    } finally {
      await second.drop();
      initSchema(db.sequelize);
    }
    // And back on this file's database, the same.
    const again = await refusal((options) =>
      WorkOrder.create({ customer_id: shop.customerId, part_id: shop.partId, revision_id: otherShop.revisionId, quantity: 1 } as never, options),
    );
    expect(again).toEqual({ revision_id: 'The revision must belong to the selected part' });
  });
});
