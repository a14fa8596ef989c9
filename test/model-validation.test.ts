import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ValidationError } from 'sequelize';
import { Customer, LaborEntry, Part, SubStep, Traveler, User, WorkOrder } from '../src/models/index.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// Models need a Sequelize instance to be built; nothing here is written.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function messages(instance: { validate(): Promise<unknown> }): Promise<Record<string, string>> {
  try {
    await instance.validate();
    return {};
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // Sequelize stamps created_at/updated_at on save, after a bare validate() has run.
    return Object.fromEntries(error.errors.filter((e) => e.path !== 'created_at' && e.path !== 'updated_at').map((e) => [e.path ?? 'base', e.message]));
  }
}

describe('model validation speaks the shop’s language', () => {
  it('work orders: required fields, quantity, status and priority', async () => {
    const errors = await messages(WorkOrder.build({ quantity: 0, status: 'shipped', priority: 'asap' } as never));
    // Left empty, a new work order's number is the next of its pattern, so it is never missing.
    expect(errors.number).toBeUndefined();
    expect(errors.customer_id).toMatch(/required/i);
    expect(errors.quantity).toBe('Quantity must be a whole number greater than 0');
    expect(errors.status).toMatch(/^Status must be one of: open, in_progress, on_hold, completed, cancelled$/);
    expect(errors.priority).toMatch(/^Priority must be one of: low, normal, high, urgent$/);
  });

  it('normalises what people type: codes upper-case, blanks become empty values', async () => {
    const customer = Customer.build({ code: '  acme-01 ', name: '  Acme  ', phone: '   ' } as never);
    expect(customer.code).toBe('ACME-01');
    expect(customer.name).toBe('Acme');
    expect(customer.phone).toBeNull();
    expect(await messages(customer)).toEqual({});
    expect(await messages(Customer.build({ code: 'A B', name: ' ' } as never))).toEqual(
      expect.objectContaining({ code: expect.stringMatching(/capital letters, digits/), name: expect.stringMatching(/blank|required/i) }),
    );
  });

  it('parts: over-long and malformed part numbers', async () => {
    expect((await messages(Part.build({ part_number: 'P'.repeat(51), description: 'x' } as never))).part_number).toMatch(/at most 50|1 to 50/);
    expect((await messages(Part.build({ part_number: 'has space', description: 'x' } as never))).part_number).toMatch(/letters, digits/i);
  });

  it('labor: the end comes after the start, and a manual entry needs a reason', async () => {
    const backwards = await messages(
      LaborEntry.build({ user_id: 1, traveler_id: 1, started_at: new Date('2026-01-01T10:00Z'), ended_at: new Date('2026-01-01T09:00Z') } as never),
    );
    expect(Object.values(backwards).join(' ')).toMatch(/after/);
    const manual = await messages(
      LaborEntry.build({
        user_id: 1,
        traveler_id: 1,
        entry_type: 'manual',
        started_at: new Date('2026-01-01T08:00Z'),
        ended_at: new Date('2026-01-01T09:00Z'),
      } as never),
    );
    expect(Object.values(manual).join(' ')).toMatch(/reason/i);
  });

  it('sub-steps: spec limits in order', async () => {
    const errors = await messages(
      SubStep.build({ process_step_id: 1, sequence: 1, description: 'Bore', requires_measurement: true, lower_limit: 2, upper_limit: 1 } as never),
    );
    expect(errors.limitsOrdered ?? Object.values(errors).join(' ')).toMatch(/Lower limit must not be greater than upper limit/);
  });

  it('travelers: holding or cancelling needs a reason; only a completed traveler has a completion time', async () => {
    const held = await messages(
      Traveler.build({
        number: 'T-1',
        work_order_id: 1,
        customer_id: 1,
        part_id: 1,
        revision_id: 1,
        quantity: 1,
        status: 'on_hold',
        released_at: new Date(),
      } as never),
    );
    expect(Object.values(held).join(' ')).toMatch(/on hold or cancelling it needs a reason/);
    const early = await messages(
      Traveler.build({
        number: 'T-1',
        work_order_id: 1,
        customer_id: 1,
        part_id: 1,
        revision_id: 1,
        quantity: 1,
        status: 'in_progress',
        completed_at: new Date(),
      } as never),
    );
    expect(Object.values(early).join(' ')).toMatch(/Only a completed traveler has a completed-at time/);
  });

  it('users: role, email and a password that is long enough', async () => {
    const errors = await messages(User.build({ username: 'x', email: 'not-an-email', full_name: 'X', role: 'boss' } as never));
    expect(errors.username).toMatch(/3|letters/);
    expect(errors.email).toMatch(/email/i);
    expect(errors.role).toMatch(/one of: admin, engineer, quality, approver, operator, viewer/);
    expect(Object.values(errors).join(' ')).toMatch(/Password is required/);
  });
});
