import type { WriteOptions } from '../../src/db/unit-of-work.js';
import type { RevisionStatus, WorkOrderStatus } from '../../src/models/constants.js';
import { Customer, Part, ProcessStep, Revision, SubStep, User, WorkCenter, WorkOrder } from '../../src/models/index.js';
import { BRACKET_ROUTING, FLOOR_CENTERS, MANIFOLD_ROUTING, SHAFT_ROUTING, type CenterKey, type FloorRoutingStep } from './floor-routings.js';

/** What the floor's people sign in with (floor-fixtures.ts). */
export const FLOOR_PASSWORD = 'floor-people-passphrase-31';

export interface FloorPerson {
  id: number;
  username: string;
  fullName: string;
  email: string;
}

type RevisionKey = 'manifoldA' | 'manifoldB' | 'manifoldC' | 'bracketA' | 'shaft01' | 'screwA';
type WorkOrderKey = 'completed' | 'running' | 'open' | 'released' | 'held';

/** The reference data of a floor: who works it, for whom, where, on which parts, revisions and work orders. */
export interface FloorReference {
  tag: string;
  /** The floor's own people, besides any test's users: its operator is clocked in on the running traveler. */
  people: Record<'operator' | 'quality' | 'engineer', FloorPerson>;
  customers: Record<'aero' | 'hydro' | 'med', { id: number; code: string; name: string; contactName: string }>;
  /** Keyed by the code without its tag (`floor.centers.MILL.code` is `MILL-<tag>`). */
  centers: Record<CenterKey, { id: number; code: string; name: string }>;
  /** manifold (customer hydro), bracket (aero), shaft (med), screw (med, a draft revision only). */
  parts: Record<'manifold' | 'bracket' | 'shaft' | 'screw', { id: number; number: string; description: string; customerId: number }>;
  /**
   * manifold A obsolete (no step 40), B released, C draft (B's routing); bracket A and shaft 01
   * released; screw A a draft without routing. Routings: floor-routings.ts. `steps`: process step
   * ids by step number; `checks`: sub-step ids by step number, then sequence.
   */
  revisions: Record<
    RevisionKey,
    { id: number; partId: number; code: string; status: RevisionStatus; steps: Record<number, number>; checks: Record<number, Record<number, number>> }
  >;
  /**
   * completed: the completed traveler's (manifold, revision B set); running: in progress (manifold);
   * open: the draft and the cancelled traveler's (bracket); released: in progress (shaft), the
   * released traveler's; held: on hold (bracket). Numbers `WO-<tag>-01`..`05` in that order.
   */
  workOrders: Record<
    WorkOrderKey,
    { id: number; number: string; status: WorkOrderStatus; customerId: number; partId: number; quantity: number; dueDate: string }
  >;
}

const DAY = 86_400_000;
/** A calendar day this many days from today (UTC), as the demo dates its shop. */
const dateOnly = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

export async function buildFloorReference(tag: string, options: WriteOptions): Promise<FloorReference> {
  const people = {} as FloorReference['people'];
  for (const role of ['operator', 'quality', 'engineer'] as const) {
    const username = `floor.${role}.${tag.toLowerCase()}`;
    const fullName = `Floor ${role} ${tag}`;
    const email = `${username}@test.example`;
    const user = await User.create({ username, email, full_name: fullName, role, password: FLOOR_PASSWORD } as never, options);
    people[role] = { id: user.id, username, fullName, email };
  }

  const customer = async (code: string, name: string) => {
    const contactName = 'Purchasing';
    const c = await Customer.create(
      { code: `${code}-${tag}`, name, contact_name: contactName, email: `${code.toLowerCase()}@customer.example` } as never,
      options,
    );
    return { id: c.id, code: c.code, name: c.name, contactName };
  };
  const customers = {
    aero: await customer('AERO', 'Aerodyne Systems Inc.'),
    hydro: await customer('MIDHYD', 'Midwest Hydraulics LLC'),
    med: await customer('CASCMED', 'Cascade Medical Devices'),
  };

  const centers = {} as FloorReference['centers'];
  for (const c of FLOOR_CENTERS) {
    const center = await WorkCenter.create({ code: `${c.key}-${tag}`, name: c.name, description: c.description } as never, options);
    centers[c.key] = { id: center.id, code: center.code, name: center.name };
  }

  const part = async (prefix: string, description: string, customerId: number) => {
    const p = await Part.create({ part_number: `${prefix}-${tag}`, description, customer_id: customerId } as never, options);
    return { id: p.id, number: p.part_number, description: p.description, customerId };
  };
  const parts = {
    manifold: await part('HB', 'Hydraulic manifold block, 6061-T6', customers.hydro.id),
    bracket: await part('BRK', 'Landing gear actuator bracket, 7075-T7351', customers.aero.id),
    shaft: await part('SHF', 'Pump drive shaft, 17-4PH H1150', customers.med.id),
    screw: await part('IMP', 'Bone screw blank, Ti-6Al-4V ELI', customers.med.id),
  };

  // Made as drafts (the database refuses any other start), moved on once their routing is written.
  const made: Array<[RevisionKey, Revision, RevisionStatus, Pick<FloorReference['revisions'][RevisionKey], 'steps' | 'checks'>]> = [];
  const revision = async (key: RevisionKey, partId: number, code: string, status: RevisionStatus, routing: readonly FloorRoutingStep[], days?: number) => {
    const r = await Revision.create({ part_id: partId, revision_code: code, effective_date: days === undefined ? null : dateOnly(days) } as never, options);
    const ids = { steps: {} as Record<number, number>, checks: {} as Record<number, Record<number, number>> };
    for (const s of routing) {
      const step = await ProcessStep.create(
        {
          revision_id: r.id,
          step_number: s.step,
          work_center_id: centers[s.center].id,
          operation: s.operation,
          instructions: s.instructions ?? null,
          estimated_hours: s.hours,
          is_parallel: s.parallel ?? false,
        } as never,
        options,
      );
      ids.steps[s.step] = step.id;
      ids.checks[s.step] = {};
      for (const [i, c] of (s.checks ?? []).entries()) {
        const measured = c.lower !== undefined || c.upper !== undefined;
        const check = await SubStep.create(
          {
            process_step_id: step.id,
            sequence: i + 1,
            description: c.description,
            requires_measurement: measured,
            unit: c.unit ?? null,
            lower_limit: c.lower ?? null,
            upper_limit: c.upper ?? null,
          } as never,
          options,
        );
        ids.checks[s.step]![i + 1] = check.id;
      }
    }
    made.push([key, r, status, ids]);
  };
  await revision(
    'manifoldA',
    parts.manifold.id,
    'A',
    'obsolete',
    MANIFOLD_ROUTING.filter((s) => s.step !== 40),
    -400,
  );
  await revision('manifoldB', parts.manifold.id, 'B', 'released', MANIFOLD_ROUTING, -120);
  await revision('manifoldC', parts.manifold.id, 'C', 'draft', MANIFOLD_ROUTING);
  await revision('bracketA', parts.bracket.id, 'A', 'released', BRACKET_ROUTING, -200);
  await revision('shaft01', parts.shaft.id, '01', 'released', SHAFT_ROUTING, -90);
  await revision('screwA', parts.screw.id, 'A', 'draft', []);
  const revisions = {} as FloorReference['revisions'];
  // Obsolete first: a part has one released revision at a time.
  for (const [key, r, status, ids] of made) {
    if (status !== 'draft') await r.update({ status }, options);
    revisions[key] = { id: r.id, partId: r.part_id, code: r.revision_code, status, ...ids };
  }

  // Work orders start open (the database refuses any other start), then move on.
  let n = 0;
  const workOrder = async (partKey: keyof typeof parts, values: Record<string, unknown>, dueIn: number, status: WorkOrderStatus) => {
    const p = parts[partKey];
    const dueDate = dateOnly(dueIn);
    const order = await WorkOrder.create(
      { number: `WO-${tag}-${String(++n).padStart(2, '0')}`, customer_id: p.customerId, part_id: p.id, due_date: dueDate, status: 'open', ...values } as never,
      options,
    );
    if (status !== 'open') await order.update({ status }, options);
    return { id: order.id, number: order.number, status, customerId: p.customerId, partId: p.id, quantity: order.quantity, dueDate };
  };
  const workOrders: FloorReference['workOrders'] = {
    completed: await workOrder('manifold', { revision_id: revisions.manifoldB.id, quantity: 40, priority: 'normal' }, -10, 'completed'),
    running: await workOrder('manifold', { quantity: 120, priority: 'high', notes: 'Customer line-down risk: ship partials as completed.' }, 5, 'in_progress'),
    open: await workOrder('bracket', { quantity: 12, priority: 'normal' }, 21, 'open'),
    released: await workOrder('shaft', { quantity: 250, priority: 'urgent' }, -2, 'in_progress'),
    held: await workOrder('bracket', { quantity: 6, priority: 'low', notes: 'Waiting for customer-supplied material.' }, 35, 'on_hold'),
  };

  return { tag, people, customers, centers, parts, revisions, workOrders };
}
