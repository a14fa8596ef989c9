import type { TestDatabase } from './test-database.js';

/**
 * A small shop built with plain SQL (as the system actor "test"), so that each test knows every
 * number it checks: one customer, two work centers, a part with a released revision whose
 * routing is 10 → 20 → 30 (30 parallel to 20) → 40, step 20 carrying a measured check.
 */
export interface Shop {
  customerId: number;
  centers: { mill: number; inspect: number };
  partId: number;
  revisionId: number;
  workOrderId: number;
  /** Routing step ids by step number. */
  routing: Record<number, number>;
}

export const ROUTING = [
  { step: 10, center: 'mill', operation: 'Saw blank', hours: 0.5, parallel: false },
  { step: 20, center: 'mill', operation: 'Mill pocket', hours: 2, parallel: false },
  { step: 30, center: 'mill', operation: 'Engrave serial', hours: 0.25, parallel: true },
  { step: 40, center: 'inspect', operation: 'Final inspection', hours: 1, parallel: false },
] as const;

async function id(db: TestDatabase, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.query<{ id: number }>(sql, params)).rows[0]!.id);
}

let counter = 0;

export async function buildShop(db: TestDatabase, tag = `S${++counter}`): Promise<Shop> {
  const customerId = await id(db, `INSERT INTO customers (code, name) VALUES ($1, $2) RETURNING id`, [`C-${tag}`, `Customer ${tag}`]);
  const mill = await id(db, `INSERT INTO work_centers (code, name) VALUES ($1, 'Milling') RETURNING id`, [`MILL-${tag}`]);
  const inspect = await id(db, `INSERT INTO work_centers (code, name) VALUES ($1, 'Inspection') RETURNING id`, [`QC-${tag}`]);
  const partId = await id(db, `INSERT INTO parts (part_number, description, customer_id) VALUES ($1, 'Test bracket', $2) RETURNING id`, [
    `P-${tag}`,
    customerId,
  ]);
  // Made a draft (the database refuses any other start), released once its routing is written.
  const revisionId = await id(db, `INSERT INTO revisions (part_id, revision_code, effective_date) VALUES ($1, 'A', current_date) RETURNING id`, [partId]);
  const routing: Record<number, number> = {};
  for (const r of ROUTING) {
    routing[r.step] = await id(
      db,
      `INSERT INTO process_steps (revision_id, step_number, work_center_id, operation, estimated_hours, is_parallel) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [revisionId, r.step, r.center === 'mill' ? mill : inspect, r.operation, r.hours, r.parallel],
    );
  }
  await db.query(
    `INSERT INTO sub_steps (process_step_id, sequence, description, requires_measurement, unit, lower_limit, upper_limit) VALUES ($1, 1, 'Pocket depth', true, 'mm', 9.98, 10.02)`,
    [routing[20]],
  );
  await db.query(`INSERT INTO sub_steps (process_step_id, sequence, description) VALUES ($1, 2, 'Deburr edges')`, [routing[20]]);
  await db.query(`INSERT INTO sub_steps (process_step_id, sequence, description) VALUES ($1, 1, 'Visual check')`, [routing[40]]);
  await db.query(`UPDATE revisions SET status = 'released' WHERE id = $1`, [revisionId]);
  const workOrderId = await id(
    db,
    `INSERT INTO work_orders (number, customer_id, part_id, quantity, due_date) VALUES ($1, $2, $3, 20, current_date + 14) RETURNING id`,
    [`WO-${tag}`, customerId, partId],
  );
  return { customerId, centers: { mill, inspect }, partId, revisionId, workOrderId, routing };
}
