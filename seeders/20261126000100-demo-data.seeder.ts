import type { Model, ModelStatic, WhereOptions } from 'sequelize';
import { systemActor } from '../src/audit/actor.js';
import type { SeederContext } from '../src/db/seeder.js';
import { inTransaction, type WriteOptions } from '../src/db/unit-of-work.js';
import {
  Approval,
  Customer,
  LaborEntry,
  ManualStep,
  Part,
  ProcessStep,
  Revision,
  SubStep,
  Traveler,
  TravelerStep,
  TravelerSubStep,
  User,
  WorkCenter,
  WorkOrder,
} from '../src/models/index.js';
import type { RevisionStatus, WorkOrderStatus } from '../src/models/constants.js';
import { copyRoutingToTraveler } from '../src/travelers/routing-copy.js';
import { DEMO_PASSWORD, DEMO_USERS } from './demo-users.js';

/**
 * A small contract machine shop: three customers, a saw-mill-lathe-inspect floor, parts with
 * revision history and routings, and travelers in every state, with sign-offs and labor.
 * Every row is looked up by its natural key first, so running it again adds nothing.
 */

const DAY = 86_400_000;

function daysFromNow(days: number, hour = 8): Date {
  const d = new Date(Date.now() + days * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
}

function hoursAgo(hours: number): Date {
  return new Date(Date.now() - hours * 3_600_000);
}

function dateOnly(days: number): string {
  return daysFromNow(days).toISOString().slice(0, 10);
}

async function ensure<M extends Model>(model: ModelStatic<M>, where: WhereOptions, values: Record<string, unknown>, options: WriteOptions): Promise<M> {
  const found = await model.findOne({ where, transaction: options.transaction });
  if (found) return found;
  return model.create({ ...(where as Record<string, unknown>), ...values } as never, options);
}

interface RoutingStep {
  step: number;
  center: string;
  operation: string;
  hours: number;
  instructions?: string;
  parallel?: boolean;
  checks?: Array<{ description: string; unit?: string; lower?: number; upper?: number }>;
}

const MANIFOLD_ROUTING: RoutingStep[] = [
  { step: 10, center: 'SAW', operation: 'Cut 6061-T6 bar to 4.25 in blanks', hours: 0.2, instructions: 'Check heat number against the cert before cutting.' },
  {
    step: 20,
    center: 'MILL',
    operation: 'Mill op 1: square block, drill main bore',
    hours: 1.5,
    instructions: 'Fixture F-1042-1. Program O1042.',
    checks: [
      { description: 'Main bore diameter', unit: 'mm', lower: 12.0, upper: 12.018 },
      { description: 'Block height', unit: 'mm', lower: 63.45, upper: 63.55 },
    ],
  },
  {
    step: 30,
    center: 'MILL',
    operation: 'Mill op 2: cross-drill and tap ports',
    hours: 1.25,
    instructions: 'Fixture F-1042-2. Program O1043. Tap SAE-6 ports.',
    checks: [{ description: 'Port threads pass go/no-go gauge' }],
  },
  { step: 40, center: 'DEBURR', operation: 'Deburr all edges and cross-holes', hours: 0.5, parallel: true },
  {
    step: 50,
    center: 'INSPECT',
    operation: 'Final inspection on CMM',
    hours: 0.75,
    checks: [
      { description: 'Main bore position to datum A', unit: 'mm', lower: 0, upper: 0.05 },
      { description: 'Surface finish Ra', unit: 'µm', lower: 0, upper: 1.6 },
      { description: 'Visual: no burrs, no tool marks on sealing faces' },
    ],
  },
  { step: 60, center: 'PACK', operation: 'Bag, label and pack', hours: 0.1 },
];

const BRACKET_ROUTING: RoutingStep[] = [
  { step: 10, center: 'SAW', operation: 'Cut 7075-T7351 plate', hours: 0.3 },
  {
    step: 20,
    center: 'MILL',
    operation: '5-axis mill complete',
    hours: 3.5,
    instructions: 'Program O2210. First article to quality before running the lot.',
    checks: [{ description: 'Lug hole diameter', unit: 'mm', lower: 19.05, upper: 19.076 }],
  },
  { step: 30, center: 'DEBURR', operation: 'Deburr and break edges 0.2-0.5 mm', hours: 0.6 },
  {
    step: 40,
    center: 'INSPECT',
    operation: 'First article and lot inspection',
    hours: 1.0,
    checks: [
      { description: 'Lug hole true position', unit: 'mm', lower: 0, upper: 0.1 },
      { description: 'Wall thickness at section B-B', unit: 'mm', lower: 2.9, upper: 3.1 },
    ],
  },
  { step: 50, center: 'PACK', operation: 'Wrap, label, attach certs', hours: 0.2 },
];

const SHAFT_ROUTING: RoutingStep[] = [
  { step: 10, center: 'SAW', operation: 'Cut 17-4PH bar', hours: 0.2 },
  {
    step: 20,
    center: 'LATHE',
    operation: 'Turn OD, face, chamfer',
    hours: 0.9,
    checks: [{ description: 'Bearing journal diameter', unit: 'mm', lower: 24.987, upper: 25.0 }],
  },
  { step: 30, center: 'MILL', operation: 'Mill keyway', hours: 0.4, checks: [{ description: 'Keyway width', unit: 'mm', lower: 6.0, upper: 6.03 }] },
  { step: 40, center: 'INSPECT', operation: 'Final inspection', hours: 0.3, checks: [{ description: 'Runout TIR', unit: 'mm', lower: 0, upper: 0.02 }] },
  { step: 50, center: 'PACK', operation: 'Oil, bag and pack', hours: 0.1 },
];

export async function up({ sequelize }: SeederContext): Promise<void> {
  await inTransaction(sequelize, systemActor('seeder:demo-data'), async (options) => {
    const users: Record<string, User> = {};
    for (const u of DEMO_USERS) {
      const user = await ensure(User, { username: u.username }, { full_name: u.fullName, email: u.email, role: u.role, password: DEMO_PASSWORD }, options);
      // The demo's work is done by the first user of each role (there are two administrators).
      users[u.role] ??= user;
    }

    const customers = {
      aero: await ensure(
        Customer,
        { code: 'AERODYNE' },
        {
          name: 'Aerodyne Systems Inc.',
          contact_name: 'Karen Liu',
          email: 'purchasing@aerodyne.example',
          phone: '+1 316 555 0142',
          address: '2200 Airport Rd\nWichita, KS 67209',
        },
        options,
      ),
      hydro: await ensure(
        Customer,
        { code: 'MIDHYD' },
        {
          name: 'Midwest Hydraulics LLC',
          contact_name: 'Bob Jansen',
          email: 'bjansen@midhyd.example',
          phone: '+1 414 555 0190',
          address: '81 Industrial Pkwy\nMilwaukee, WI 53204',
        },
        options,
      ),
      med: await ensure(
        Customer,
        { code: 'CASCMED' },
        {
          name: 'Cascade Medical Devices',
          contact_name: 'Priya Nair',
          email: 'supplychain@cascademed.example',
          phone: '+1 503 555 0117',
          address: '14 Riverside Dr\nPortland, OR 97201',
        },
        options,
      ),
    };

    const centers: Record<string, WorkCenter> = {};
    for (const [code, name, description] of [
      ['SAW', 'Saw cell', 'Amada HFA-400 band saw'],
      ['MILL', 'CNC milling', 'Haas VF-4 and UMC-750 5-axis'],
      ['LATHE', 'CNC turning', 'Okuma LB3000 with bar feeder'],
      ['DEBURR', 'Deburr bench', 'Hand deburr and edge break'],
      ['INSPECT', 'Quality lab', 'Zeiss Contura CMM, surface tester, gauges'],
      ['PACK', 'Shipping', 'Packing, labels and certificates'],
    ] as const) {
      centers[code] = await ensure(WorkCenter, { code }, { name, description }, options);
    }

    const parts = {
      manifold: await ensure(Part, { part_number: 'HB-1042' }, { description: 'Hydraulic manifold block, 6061-T6', customer_id: customers.hydro.id }, options),
      bracket: await ensure(
        Part,
        { part_number: 'BRK-2210' },
        { description: 'Landing gear actuator bracket, 7075-T7351', customer_id: customers.aero.id },
        options,
      ),
      shaft: await ensure(Part, { part_number: 'SHF-0330' }, { description: 'Pump drive shaft, 17-4PH H1150', customer_id: customers.med.id }, options),
      screw: await ensure(Part, { part_number: 'IMP-5500' }, { description: 'Bone screw blank, Ti-6Al-4V ELI', customer_id: customers.med.id }, options),
    };

    // Revisions are made as drafts, as in the shop (the database refuses any other start); once
    // their routing is written they are moved on below.
    const revisions = {
      manifoldA: await ensure(
        Revision,
        { part_id: parts.manifold.id, revision_code: 'A' },
        { status: 'draft', effective_date: dateOnly(-400), notes: 'Initial release.' },
        options,
      ),
      manifoldB: await ensure(
        Revision,
        { part_id: parts.manifold.id, revision_code: 'B' },
        { status: 'draft', effective_date: dateOnly(-120), notes: 'ECO-311: main bore tolerance tightened to +0.018.' },
        options,
      ),
      manifoldC: await ensure(
        Revision,
        { part_id: parts.manifold.id, revision_code: 'C' },
        { status: 'draft', notes: 'ECO-352 (in work): add a pressure test step.' },
        options,
      ),
      bracketA: await ensure(Revision, { part_id: parts.bracket.id, revision_code: 'A' }, { status: 'draft', effective_date: dateOnly(-200) }, options),
      shaft01: await ensure(Revision, { part_id: parts.shaft.id, revision_code: '01' }, { status: 'draft', effective_date: dateOnly(-90) }, options),
      screwA: await ensure(
        Revision,
        { part_id: parts.screw.id, revision_code: 'A' },
        { status: 'draft', notes: 'Awaiting customer drawing approval.' },
        options,
      ),
    };

    async function routing(revision: Revision, steps: RoutingStep[]) {
      for (const s of steps) {
        const step = await ensure(
          ProcessStep,
          { revision_id: revision.id, step_number: s.step },
          {
            work_center_id: centers[s.center]!.id,
            operation: s.operation,
            instructions: s.instructions ?? null,
            estimated_hours: s.hours,
            is_parallel: s.parallel ?? false,
          },
          options,
        );
        let sequence = 1;
        for (const c of s.checks ?? []) {
          const measured = c.lower !== undefined || c.upper !== undefined;
          await ensure(
            SubStep,
            { process_step_id: step.id, sequence },
            { description: c.description, requires_measurement: measured, unit: c.unit ?? null, lower_limit: c.lower ?? null, upper_limit: c.upper ?? null },
            options,
          );
          sequence += 1;
        }
      }
    }
    await routing(
      revisions.manifoldA,
      MANIFOLD_ROUTING.filter((s) => s.step !== 40),
    );
    await routing(revisions.manifoldB, MANIFOLD_ROUTING);
    await routing(revisions.manifoldC, MANIFOLD_ROUTING);
    await routing(revisions.bracketA, BRACKET_ROUTING);
    await routing(revisions.shaft01, SHAFT_ROUTING);

    // Their routings written, the revisions move on as the system (the demo's history, not a
    // person's release). Only a draft is moved, so a second run changes nothing; rev A goes first
    // because a part has one released revision at a time.
    async function moveOn(revision: Revision, status: RevisionStatus) {
      if (revision.status === 'draft') await revision.update({ status }, options);
    }
    await moveOn(revisions.manifoldA, 'obsolete');
    await moveOn(revisions.manifoldB, 'released');
    await moveOn(revisions.bracketA, 'released');
    await moveOn(revisions.shaft01, 'released');

    // Work orders are made open, as in the shop (the database refuses any other start), then moved on.
    async function workOrder(number: string, values: Record<string, unknown>, status: WorkOrderStatus) {
      const order = await ensure(WorkOrder, { number }, { ...values, status: 'open' }, options);
      if (order.status === 'open' && status !== 'open') await order.update({ status }, options);
      return order;
    }
    const orders = {
      wo1: await workOrder(
        'WO-26001',
        {
          customer_id: customers.hydro.id,
          part_id: parts.manifold.id,
          revision_id: revisions.manifoldB.id,
          quantity: 40,
          due_date: dateOnly(-10),
          priority: 'normal',
        },
        'completed',
      ),
      wo2: await workOrder(
        'WO-26002',
        {
          customer_id: customers.hydro.id,
          part_id: parts.manifold.id,
          quantity: 120,
          due_date: dateOnly(5),
          priority: 'high',
          notes: 'Customer line-down risk: ship partials as completed.',
        },
        'in_progress',
      ),
      wo3: await workOrder(
        'WO-26003',
        { customer_id: customers.aero.id, part_id: parts.bracket.id, quantity: 12, due_date: dateOnly(21), priority: 'normal' },
        'open',
      ),
      wo4: await workOrder(
        'WO-26004',
        { customer_id: customers.med.id, part_id: parts.shaft.id, quantity: 250, due_date: dateOnly(-2), priority: 'urgent' },
        'in_progress',
      ),
      wo5: await workOrder(
        'WO-26005',
        {
          customer_id: customers.aero.id,
          part_id: parts.bracket.id,
          quantity: 6,
          due_date: dateOnly(35),
          priority: 'low',
          notes: 'Waiting for customer-supplied material.',
        },
        'on_hold',
      ),
    };

    async function traveler(number: string, order: WorkOrder, revision: Revision, values: Record<string, unknown>) {
      const existing = await Traveler.findOne({ where: { number }, transaction: options.transaction });
      if (existing)
        return {
          traveler: existing,
          steps: await TravelerStep.findAll({ where: { traveler_id: existing.id }, order: [['step_number', 'ASC']], transaction: options.transaction }),
        };
      const created = await Traveler.create(
        {
          number,
          work_order_id: order.id,
          part_id: order.part_id,
          revision_id: revision.id,
          quantity: order.quantity,
          due_date: order.due_date,
          ...values,
        } as never,
        options,
      );
      const steps = await copyRoutingToTraveler(created.id, revision.id, options);
      return { traveler: created, steps };
    }

    const operator = users.operator!;
    const quality = users.quality!;

    // Signs off a step as the operator (and its checks), with the labor that went into it.
    // A measurement outside its limits, and quality's disposition of it, to show on a finished traveler.
    interface Deviation {
      sequence: number;
      value: number;
      disposition: 'use_as_is';
      note: string;
    }

    async function workStep(step: TravelerStep, start: Date, hours: number, by: User, complete: boolean, deviation?: Deviation) {
      const end = new Date(start.getTime() + hours * 3_600_000);
      const subs = await TravelerSubStep.findAll({ where: { traveler_step_id: step.id }, order: [['sequence', 'ASC']], transaction: options.transaction });
      // The database wants the order of the floor: start the step, record its checks, sign off.
      await step.update({ status: 'in_progress', started_at: start }, options);
      if (complete) {
        for (const sub of subs) {
          const mid = sub.lower_limit !== null && sub.upper_limit !== null ? Number(((sub.lower_limit + sub.upper_limit) / 2).toFixed(4)) : null;
          const value = deviation?.sequence === sub.sequence ? deviation.value : mid;
          await sub.update({ measured_value: sub.requires_measurement ? value : null, completed_at: end, completed_by_id: by.id }, options);
          if (deviation?.sequence === sub.sequence) {
            await sub.update(
              { disposition: deviation.disposition, disposition_note: deviation.note, disposition_by_id: quality.id, disposition_at: end },
              options,
            );
          }
        }
        await step.update({ status: 'completed', completed_at: end, completed_by_id: by.id }, options);
        await LaborEntry.create(
          { user_id: by.id, traveler_id: step.traveler_id, traveler_step_id: step.id, started_at: start, ended_at: end, entry_type: 'clock' },
          options,
        );
      } else {
        await LaborEntry.create({ user_id: by.id, traveler_id: step.traveler_id, traveler_step_id: step.id, started_at: start, entry_type: 'clock' }, options);
      }
    }

    const done = await traveler('T-26001', orders.wo1, revisions.manifoldB, { status: 'draft' });
    if (done.traveler.status === 'draft') {
      let t = daysFromNow(-30);
      await done.traveler.update({ status: 'released', released_at: t }, options);
      await done.traveler.update({ status: 'in_progress', started_at: new Date(t.getTime() + DAY) }, options);
      t = new Date(t.getTime() + DAY);
      for (const step of done.steps) {
        const final = step.operation.startsWith('Final');
        const roughFinish: Deviation = {
          sequence: 2,
          value: 1.7,
          disposition: 'use_as_is',
          note: 'Customer deviation CD-0412 accepts Ra up to 1.8 µm on non-sealing faces.',
        };
        await workStep(step, t, Number(step.estimated_hours) * 1.1 + 0.1, final ? quality : operator, true, final ? roughFinish : undefined);
        t = new Date(t.getTime() + DAY / 2);
      }
      await done.traveler.update({ status: 'completed', completed_at: t }, options);
    }

    const running = await traveler('T-26002', orders.wo2, revisions.manifoldB, { status: 'draft', notes: 'First 60 of 120.', quantity: 60 });
    if (running.traveler.status === 'draft') {
      // Added while it was still a draft; on a released traveler this would need approval.
      await ensure(
        ManualStep,
        { traveler_id: running.traveler.id, after_step_number: 40 },
        {
          operation: 'Extra deburr of cross-drilled port intersections',
          reason: 'Burrs found at port intersections during first-article inspection of T-26001.',
          work_center_id: centers.DEBURR!.id,
          estimated_hours: 0.25,
          added_by_id: users.engineer!.id,
        },
        options,
      );
      const released = daysFromNow(-4);
      await running.traveler.update({ status: 'released', released_at: released }, options);
      await running.traveler.update({ status: 'in_progress', started_at: new Date(released.getTime() + DAY / 4) }, options);
      const [saw, op1, op2] = running.steps;
      // Worked in the hours before seeding, so that the dashboard's "labor this week" has it on
      // any day but the first hours of a Monday; never in the future whatever the time of day.
      await workStep(saw!, hoursAgo(5), 0.3, operator, true);
      await workStep(op1!, hoursAgo(4.5), 1.6, operator, true);
      await workStep(op2!, hoursAgo(1.5), 0, operator, false);
    }

    const released = await traveler('T-26003', orders.wo4, revisions.shaft01, { status: 'draft' });
    if (released.traveler.status === 'draft') await released.traveler.update({ status: 'released', released_at: daysFromNow(-1) }, options);

    await traveler('T-26004', orders.wo3, revisions.bracketA, { status: 'draft', notes: 'Material on order: 7075 plate, PO 88412.' });

    const held = await traveler('T-26005', orders.wo5, revisions.bracketA, { status: 'draft' });
    if (held.traveler.status === 'draft') {
      await held.traveler.update({ status: 'released', released_at: daysFromNow(-6) }, options);
      await held.traveler.update({ status: 'on_hold', status_reason: 'Customer-supplied material not received.' }, options);
    }

    const cancelled = await traveler('T-26006', orders.wo3, revisions.bracketA, { status: 'draft', quantity: 4 });
    if (cancelled.traveler.status === 'draft') await cancelled.traveler.update({ status: 'cancelled', status_reason: 'Duplicate of T-26004.' }, options);

    await ensure(
      Approval,
      { target_table: 'travelers', target_id: released.traveler.id, status: 'pending' },
      {
        operation: 'update',
        changes: { quantity: { old: released.traveler.quantity, new: 260 } },
        base_version: released.traveler.version,
        reason: 'Customer increased the order by 10 pieces (PO change 3).',
        requested_by_id: users.engineer!.id,
      },
      options,
    );
  });
}

export async function down(): Promise<void> {
  throw new Error('Demo data is not removed by a seeder: start from an empty database instead (delete the data folder).');
}
