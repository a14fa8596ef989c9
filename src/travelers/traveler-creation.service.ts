import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { UserActor } from '../audit/actor.js';
import { AccessDeniedError, asSessionUser, canPlanWork } from '../auth/access-rules.js';
import { Customer, Part, ProcessStep, Revision, SubStep, Traveler, WorkCenter, WorkOrder } from '../models/index.js';
import { RecordNotFoundError, RecordValidationError, WorkflowRefusedError } from '../records/record-errors.js';
import { NumberPatterns } from '../tables/record-numbers.js';
import { executeWrite } from '../records/write-command.js';
import { copyRoutingToTraveler } from './routing-copy.js';

/**
 * A traveler is made from a work order: its part, the part's released revision, the customer,
 * the quantity still to make and the due date are filled in, and the revision's routing is
 * copied into it, so that later routing changes never alter a traveler already made.
 */
export interface TravelerPlan {
  workOrder: { id: number; number: string; status: string; quantity: number };
  customer: { id: number; code: string; name: string };
  part: { id: number; part_number: string; description: string | null };
  revision: { id: number; revision_code: string } | null;
  /** Quantity of the work order not yet on a traveler (cancelled travelers do not count). */
  remainingQuantity: number;
  dueDate: string | null;
  steps: Array<{ step_number: number; operation: string; work_center: string; estimated_hours: number; is_parallel: boolean; checks: number }>;
  /** Why a traveler cannot be made now, or null. */
  refusal: string | null;
}

const ACTIVE_ORDER = ['open', 'in_progress'];

async function plan(sequelize: Sequelize, workOrderId: number, transaction?: Transaction): Promise<TravelerPlan> {
  const order = await WorkOrder.findByPk(workOrderId, { transaction, ...(transaction ? { lock: transaction.LOCK.UPDATE } : {}) });
  if (!order) throw new RecordNotFoundError('work_orders', workOrderId);
  const customer = (await Customer.findByPk(order.customer_id, { transaction }))!;
  const part = (await Part.findByPk(order.part_id, { transaction }))!;
  let revision: Revision | null = null;
  let refusal: string | null = null;
  if (order.revision_id) {
    revision = await Revision.findByPk(order.revision_id, { transaction });
    if (revision && revision.status !== 'released') {
      refusal = `Work order ${order.number} asks for revision ${revision.revision_code} of part ${part.part_number}, which is ${revision.status}: only a released revision can be built. Change the work order's revision (or clear it to use the released one).`;
    }
  } else {
    revision = await Revision.findOne({ where: { part_id: part.id, status: 'released' }, transaction });
    if (!revision) {
      refusal = `Part ${part.part_number} has no released revision, so there is no approved routing to build it from. Release a revision of the part first.`;
    }
  }
  const [{ used }] = (await sequelize.query<{ used: string }>(
    `SELECT coalesce(sum(quantity), 0) AS used FROM travelers WHERE work_order_id = :id AND status <> 'cancelled'`,
    { replacements: { id: order.id }, type: QueryTypes.SELECT, transaction },
  )) as [{ used: string }];
  const remaining = order.quantity - Number(used);
  if (!refusal && !ACTIVE_ORDER.includes(order.status)) {
    refusal = `Work order ${order.number} is ${order.status.replace('_', ' ')}: travelers are made only for open or in-progress work orders.`;
  }
  if (!refusal && remaining <= 0) {
    refusal = `Work order ${order.number} is fully covered: its ${order.quantity} pieces are all on travelers already.`;
  }
  const steps = revision
    ? await ProcessStep.findAll({
        where: { revision_id: revision.id },
        include: [
          { model: WorkCenter, as: 'workCenter', attributes: ['code'] },
          { model: SubStep, as: 'subSteps', attributes: ['id'] },
        ],
        order: [['step_number', 'ASC']],
        transaction,
      })
    : [];
  if (!refusal && revision && steps.length === 0) {
    refusal = `Revision ${revision.revision_code} of part ${part.part_number} has no routing steps: add its routing before making travelers.`;
  }
  return {
    workOrder: { id: order.id, number: order.number, status: order.status, quantity: order.quantity },
    customer: { id: customer.id, code: customer.code, name: customer.name },
    part: { id: part.id, part_number: part.part_number, description: part.description ?? null },
    revision: revision ? { id: revision.id, revision_code: revision.revision_code } : null,
    remainingQuantity: Math.max(remaining, 0),
    dueDate: order.due_date ?? null,
    steps: steps.map((s) => ({
      step_number: s.step_number,
      operation: s.operation,
      work_center: (s as unknown as { workCenter?: { code: string } }).workCenter?.code ?? '',
      estimated_hours: Number(s.estimated_hours),
      is_parallel: s.is_parallel,
      checks: ((s as unknown as { subSteps?: unknown[] }).subSteps ?? []).length,
    })),
    refusal,
  };
}

/** What "Create traveler" would make from this work order (and why it cannot, if so). */
export function previewTraveler(sequelize: Sequelize, workOrderId: number): Promise<TravelerPlan> {
  return plan(sequelize, workOrderId);
}

export interface CreateTravelerInput {
  /** Defaults to what is left of the work order. */
  quantity?: number | string | null;
  notes?: string | null;
}

export interface CreateTravelerOptions {
  /** The app's number patterns (the defaults without). */
  numbers?: NumberPatterns;
}

export async function createTravelerFromWorkOrder(
  sequelize: Sequelize,
  workOrderId: number,
  input: CreateTravelerInput,
  actor: UserActor,
  { numbers = NumberPatterns.defaults }: CreateTravelerOptions = {},
): Promise<Traveler> {
  return executeWrite(sequelize, {
    actor,
    table: 'travelers',
    model: Traveler,
    permit: () => {
      if (!canPlanWork(asSessionUser(actor))) throw new AccessDeniedError(`Your role (${actor.role}) may not create travelers.`);
    },
    run: async ({ transaction }) => {
      // The work order row is locked: two planners splitting one order cannot over-allocate it.
      const p = await plan(sequelize, workOrderId, transaction);
      if (p.refusal) throw new WorkflowRefusedError(p.refusal);
      const raw = input.quantity;
      const quantity = raw === undefined || raw === null || raw === '' ? p.remainingQuantity : Number(raw);
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > p.remainingQuantity) {
        throw new RecordValidationError({
          quantity: `Quantity must be a whole number from 1 to ${p.remainingQuantity} (what is left of work order ${p.workOrder.number}).`,
        });
      }
      const traveler = await Traveler.create(
        {
          // The number pattern's next (models/traveler.model.ts, tables/record-numbers.ts).
          number: await numbers.next(sequelize, 'travelers', transaction),
          work_order_id: p.workOrder.id,
          customer_id: p.customer.id,
          part_id: p.part.id,
          revision_id: p.revision!.id,
          quantity,
          due_date: p.dueDate,
          notes: input.notes?.trim() || null,
        },
        { transaction },
      );
      await copyRoutingToTraveler(traveler.id, p.revision!.id, { transaction, actor });
      return traveler;
    },
  });
}
