import { QueryTypes, type Sequelize } from 'sequelize';
import type { UserActor } from '../audit/actor.js';
import { AccessDeniedError, RESOURCE_RULES, asSessionUser, canPlanWork, type ResourceId, type SessionUser } from '../auth/access-rules.js';
import { Part, Revision, WorkOrder } from '../models/index.js';
import { RecordNotFoundError } from './record-errors.js';
import { createRecord } from './record.service.js';

/**
 * What belongs to a record, for its page: a part's revisions, a work order's travelers. Reads
 * obey the same role matrix as the lists they summarise; adding goes through the record service
 * with the parent taken from the address.
 */

/** The most children a page lists; more are one click away in the filtered list. */
export const CHILDREN_LIMIT = 200;

export interface PartRevisionRow {
  id: number;
  revision_code: string;
  status: string;
  effective_date: string | null;
  notes: string | null;
  steps: number;
  checks: number;
}

export interface PartRevisions {
  part: { id: number; part_number: string };
  revisions: PartRevisionRow[];
  may: { addRevision: boolean };
}

export interface WorkOrderTravelerRow {
  id: number;
  number: string;
  status: string;
  quantity: number;
  due_date: string | null;
  revision: string;
  steps_done: number;
  steps: number;
}

export interface WorkOrderTravelers {
  workOrder: { id: number; number: string; status: string; quantity: number };
  travelers: WorkOrderTravelerRow[];
  /** Units of the work order not yet on a live traveler (cancelled ones do not count). */
  remainingQuantity: number;
  more: boolean;
  may: { createTraveler: boolean };
}

function requireRead(user: SessionUser | undefined, ...resources: ResourceId[]): void {
  for (const resource of resources) {
    if (!RESOURCE_RULES[resource].read(user)) throw new AccessDeniedError(`Your role (${user?.role ?? 'none'}) may not read ${resource.replace(/_/g, ' ')}.`);
  }
}

export async function partRevisions(sequelize: Sequelize, partId: number, user: SessionUser | undefined): Promise<PartRevisions> {
  requireRead(user, 'parts', 'revisions');
  const part = await Part.findByPk(partId, { attributes: ['id', 'part_number'] });
  if (!part) throw new RecordNotFoundError('parts', partId);
  const rows = await sequelize.query<PartRevisionRow & { steps: string; checks: string }>(
    `SELECT r.id, r.revision_code, r.status, r.effective_date::text AS effective_date, r.notes,
            (SELECT count(*) FROM process_steps s WHERE s.revision_id = r.id) AS steps,
            (SELECT count(*) FROM sub_steps c JOIN process_steps s ON s.id = c.process_step_id WHERE s.revision_id = r.id) AS checks
       FROM revisions r WHERE r.part_id = :partId ORDER BY r.created_at DESC, r.id DESC LIMIT :limit`,
    { replacements: { partId, limit: CHILDREN_LIMIT }, type: QueryTypes.SELECT },
  );
  return {
    part: { id: part.id, part_number: part.part_number },
    revisions: rows.map((r) => ({ ...r, steps: Number(r.steps), checks: Number(r.checks) })),
    may: { addRevision: RESOURCE_RULES.revisions.create(user) },
  };
}

/** A new draft revision of the part; its routing is written on its own page next. */
export async function addPartRevision(partId: number, input: Record<string, unknown>, actor: UserActor): Promise<Revision> {
  if (!RESOURCE_RULES.revisions.create(asSessionUser(actor))) throw new AccessDeniedError(`Your role (${actor.role}) may not create revisions.`);
  const part = await Part.findByPk(partId, { attributes: ['id'] });
  if (!part) throw new RecordNotFoundError('parts', partId);
  // A new revision starts as a draft: releasing it is the Release action's, with its approval.
  const fields = ['revision_code', 'effective_date', 'notes', 'change_reason'];
  const values = Object.fromEntries(Object.entries(input).filter(([k]) => fields.includes(k)));
  return createRecord(Revision, { ...values, part_id: partId }, actor);
}

export async function workOrderTravelers(sequelize: Sequelize, workOrderId: number, user: SessionUser | undefined): Promise<WorkOrderTravelers> {
  requireRead(user, 'work_orders', 'travelers');
  const order = await WorkOrder.findByPk(workOrderId, { attributes: ['id', 'number', 'status', 'quantity'] });
  if (!order) throw new RecordNotFoundError('work_orders', workOrderId);
  const rows = await sequelize.query<WorkOrderTravelerRow & { steps: string; steps_done: string }>(
    `SELECT t.id, t.number, t.status, t.quantity, t.due_date::text AS due_date,
            (SELECT p.part_number || ' rev ' || r.revision_code FROM revisions r JOIN parts p ON p.id = r.part_id WHERE r.id = t.revision_id) AS revision,
            (SELECT count(*) FROM traveler_steps s WHERE s.traveler_id = t.id) + (SELECT count(*) FROM manual_steps m WHERE m.traveler_id = t.id) AS steps,
            (SELECT count(*) FROM traveler_steps s WHERE s.traveler_id = t.id AND s.status = 'completed')
              + (SELECT count(*) FROM manual_steps m WHERE m.traveler_id = t.id AND m.status = 'completed') AS steps_done
       FROM travelers t WHERE t.work_order_id = :id ORDER BY t.created_at, t.id LIMIT :limit`,
    { replacements: { id: workOrderId, limit: CHILDREN_LIMIT + 1 }, type: QueryTypes.SELECT },
  );
  const [{ planned }] = (await sequelize.query<{ planned: string }>(
    `SELECT coalesce(sum(quantity), 0) AS planned FROM travelers WHERE work_order_id = :id AND status <> 'cancelled'`,
    {
      replacements: { id: workOrderId },
      type: QueryTypes.SELECT,
    },
  )) as [{ planned: string }];
  return {
    workOrder: { id: order.id, number: order.number, status: order.status, quantity: order.quantity },
    travelers: rows.slice(0, CHILDREN_LIMIT).map((r) => ({ ...r, steps: Number(r.steps), steps_done: Number(r.steps_done) })),
    remainingQuantity: Math.max(0, order.quantity - Number(planned)),
    more: rows.length > CHILDREN_LIMIT,
    // As the work order's "Create traveler" action is shown (traveler-lifecycle.actions.ts).
    may: { createTraveler: canPlanWork(user) && RESOURCE_RULES.travelers.create(user) && ['open', 'in_progress'].includes(order.status) },
  };
}
