import pg from 'pg';
import type { Floor } from './floor-fixtures.js';

/** The tables a floor fills with rows that the generic record forms show. */
export type FloorTable =
  | 'users'
  | 'customers'
  | 'work_centers'
  | 'parts'
  | 'revisions'
  | 'process_steps'
  | 'sub_steps'
  | 'work_orders'
  | 'travelers'
  | 'traveler_steps'
  | 'traveler_sub_steps'
  | 'manual_steps'
  | 'labor_entries'
  | 'approvals';

/**
 * One row of each table, by table, for tests that try the same thing on a record of every
 * resource: the first of its kind the floor made (its oldest revision's routing, its completed
 * traveler's steps and labor), and its operator among the users.
 */
export function floorRows(floor: Floor): Record<FloorTable, number> {
  return {
    users: floor.people.operator.id,
    customers: floor.customers.aero.id,
    work_centers: floor.centers.SAW.id,
    parts: floor.parts.manifold.id,
    revisions: floor.revisions.manifoldA.id,
    process_steps: floor.revisions.manifoldA.steps[10]!,
    sub_steps: floor.revisions.manifoldA.checks[20]![1]!,
    work_orders: floor.workOrders.completed.id,
    travelers: floor.completed.id,
    traveler_steps: floor.completed.steps[10]!,
    traveler_sub_steps: floor.completed.checks[20]![1]!,
    manual_steps: floor.running.manualStepId,
    labor_entries: floor.completed.laborEntryIds[0]!,
    approvals: floor.released.pendingApprovalId,
  };
}

export interface FloorRecords {
  customers: Array<{ code: string; name: string }>;
  travelers: Array<{ number: string; status: string; quantity: number }>;
  people: Array<{ username: string; full_name: string }>;
}

/**
 * A floor's customers, travelers and people as the database at `url` holds them (others' rows
 * left out): after a copy or a restore, compared with `floorRecordsAsBuilt`.
 */
export async function readFloorRecords(url: string, floor: Floor): Promise<FloorRecords> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = async <R extends pg.QueryResultRow>(sql: string, params: unknown[]) => (await client.query<R>(sql, params)).rows;
    return {
      customers: await rows(`SELECT code, name FROM customers WHERE code = ANY($1) ORDER BY code COLLATE "C"`, [
        Object.values(floor.customers).map((c) => c.code),
      ]),
      travelers: await rows(`SELECT number, status, quantity FROM travelers WHERE number LIKE $1 ORDER BY number COLLATE "C"`, [`${floor.travelerPrefix}%`]),
      people: await rows(`SELECT username, full_name FROM users WHERE id = ANY($1) ORDER BY username COLLATE "C"`, [
        Object.values(floor.people).map((p) => p.id),
      ]),
    };
  } finally {
    await client.end();
  }
}

/** What `readFloorRecords` reads from a database that holds the floor as buildFloor made it. */
export function floorRecordsAsBuilt(floor: Floor): FloorRecords {
  const { aero, hydro, med } = floor.customers;
  const traveler = (t: { number: string }, status: string, quantity: number) => ({ number: t.number, status, quantity });
  return {
    customers: [
      { code: aero.code, name: 'Aerodyne Systems Inc.' },
      { code: med.code, name: 'Cascade Medical Devices' },
      { code: hydro.code, name: 'Midwest Hydraulics LLC' },
    ],
    travelers: [
      traveler(floor.completed, 'completed', 40),
      traveler(floor.running, 'in_progress', 60),
      traveler(floor.released, 'released', 250),
      traveler(floor.draft, 'draft', 12),
      traveler(floor.held, 'on_hold', 6),
      traveler(floor.cancelled, 'cancelled', 4),
    ],
    people: (['engineer', 'operator', 'quality'] as const).map((role) => ({ username: floor.people[role].username, full_name: floor.people[role].fullName })),
  };
}
