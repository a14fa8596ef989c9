import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Role } from '../auth/roles.js';

/**
 * Which changes need a second person's approval, and who may give it. One file, read by the
 * record service before every write (so the panel, services and scripts all obey it) and by the
 * approval service when a decision is made.
 */
export type ChangeOperation = 'create' | 'update' | 'delete';

export interface ProposedChange {
  table: string;
  operation: ChangeOperation;
  /** The record as it is (null for a create). */
  before: Record<string, unknown> | null;
  /** The record as it would be after the change (null for a delete). */
  after: Record<string, unknown> | null;
  /** Fields whose value would change. */
  changed: string[];
  transaction: Transaction;
  /** Runs a read in the same transaction (parents' states). */
  lookup<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T | undefined>;
}

export interface ParentRef {
  table: string;
  id: number;
}

export interface ApprovalRule {
  /** Stable name stored on each request (lowercase words and dots). */
  id: string;
  table: string;
  operations: readonly ChangeOperation[];
  /** What a person reads: "Releasing a traveler". */
  description: string;
  /** Roles whose members may decide (never the requester: four eyes). */
  approvers: readonly Role[];
  /** Where the policy allows it, an administrator's change is applied at once. */
  adminMayApplyDirectly: boolean;
  applies(change: ProposedChange): Promise<boolean> | boolean;
  /** Whose page shows the pending change, when it is not the record itself. */
  parent?(change: ProposedChange): Promise<ParentRef | null> | ParentRef | null;
}

// On hold is still released work: its content changes only with approval, like while it runs.
const LOCKED_TRAVELER_STATES = ['released', 'in_progress', 'on_hold'];
/** Recording work (start, sign-off, measurement) is the floor's job, not a content change. */
const WORK_FIELDS = new Set([
  'status',
  'started_at',
  'completed_at',
  'completed_by_id',
  'measured_value',
  'disposition',
  'disposition_note',
  'disposition_by_id',
  'disposition_at',
  'status_reason',
]);
const TRAVELER_CONTENT_FIELDS = ['number', 'quantity', 'revision_id', 'part_id', 'work_order_id'];
const APPROVERS: readonly Role[] = ['approver', 'admin'];

function value(change: ProposedChange, field: string): unknown {
  return (change.after ?? change.before)?.[field];
}

async function travelerStatus(change: ProposedChange, travelerId: unknown): Promise<string | undefined> {
  const row = await change.lookup<{ status: string }>('SELECT status FROM travelers WHERE id = :id', { id: travelerId });
  return row?.status;
}

async function revisionIsReleased(change: ProposedChange, revisionId: unknown): Promise<boolean> {
  const row = await change.lookup<{ status: string }>('SELECT status FROM revisions WHERE id = :id', { id: revisionId });
  return row?.status === 'released';
}

/** The traveler a traveler sub-step belongs to, through its step. */
async function travelerOfStep(change: ProposedChange): Promise<number | undefined> {
  const step = await change.lookup<{ traveler_id: number }>('SELECT traveler_id FROM traveler_steps WHERE id = :id', { id: value(change, 'traveler_step_id') });
  return step?.traveler_id;
}

/** The revision a routing sub-step belongs to, through its routing step. */
async function revisionOfProcessStep(change: ProposedChange): Promise<number | undefined> {
  const step = await change.lookup<{ revision_id: number }>('SELECT revision_id FROM process_steps WHERE id = :id', { id: value(change, 'process_step_id') });
  return step?.revision_id;
}

function changesContent(change: ProposedChange): boolean {
  return change.operation !== 'update' || change.changed.some((f) => !WORK_FIELDS.has(f));
}

export const APPROVAL_POLICY: readonly ApprovalRule[] = [
  {
    id: 'traveler.release',
    table: 'travelers',
    operations: ['update'],
    description: 'Releasing a traveler to the floor',
    approvers: APPROVERS,
    adminMayApplyDirectly: false,
    // From draft only: resuming a traveler that was held before work started is not a release.
    applies: (c) => c.before?.status === 'draft' && c.after?.status === 'released',
  },
  {
    id: 'traveler.locked_content',
    table: 'travelers',
    operations: ['update'],
    description: 'Changing the quantity, revision or part of a released traveler',
    approvers: APPROVERS,
    adminMayApplyDirectly: false,
    applies: (c) => LOCKED_TRAVELER_STATES.includes(String(c.before?.status)) && c.changed.some((f) => TRAVELER_CONTENT_FIELDS.includes(f)),
  },
  {
    id: 'traveler.steps',
    table: 'traveler_steps',
    operations: ['create', 'update', 'delete'],
    description: 'Changing the steps of a released traveler',
    approvers: APPROVERS,
    adminMayApplyDirectly: false,
    applies: async (c) => changesContent(c) && LOCKED_TRAVELER_STATES.includes(String(await travelerStatus(c, value(c, 'traveler_id')))),
    parent: (c) => ({ table: 'travelers', id: Number(value(c, 'traveler_id')) }),
  },
  {
    id: 'traveler.sub_steps',
    table: 'traveler_sub_steps',
    operations: ['create', 'update', 'delete'],
    description: 'Changing the checks of a released traveler',
    approvers: APPROVERS,
    adminMayApplyDirectly: false,
    applies: async (c) => {
      const traveler = changesContent(c) ? await travelerOfStep(c) : undefined;
      return traveler !== undefined && LOCKED_TRAVELER_STATES.includes(String(await travelerStatus(c, traveler)));
    },
    parent: async (c) => {
      const traveler = await travelerOfStep(c);
      return traveler === undefined ? null : { table: 'travelers', id: traveler };
    },
  },
  {
    id: 'traveler.manual_step',
    table: 'manual_steps',
    operations: ['create', 'update', 'delete'],
    description: 'Adding or changing a manual step on a released traveler',
    approvers: APPROVERS,
    adminMayApplyDirectly: false,
    applies: async (c) => changesContent(c) && LOCKED_TRAVELER_STATES.includes(String(await travelerStatus(c, value(c, 'traveler_id')))),
    parent: (c) => ({ table: 'travelers', id: Number(value(c, 'traveler_id')) }),
  },
  {
    id: 'revision.release',
    table: 'revisions',
    operations: ['create', 'update'],
    description: 'Releasing a part revision (the previously released one becomes obsolete)',
    approvers: ['approver', 'quality', 'admin'],
    adminMayApplyDirectly: false,
    applies: (c) => c.before?.status !== 'released' && c.after?.status === 'released',
    parent: (c) => ({ table: 'parts', id: Number(value(c, 'part_id')) }),
  },
  {
    id: 'routing.released_revision',
    table: 'process_steps',
    operations: ['create', 'update', 'delete'],
    description: 'Editing the routing of a released revision',
    approvers: ['approver', 'quality', 'admin'],
    adminMayApplyDirectly: false,
    applies: (c) => revisionIsReleased(c, value(c, 'revision_id')),
    parent: (c) => ({ table: 'revisions', id: Number(value(c, 'revision_id')) }),
  },
  {
    id: 'routing.released_revision_checks',
    table: 'sub_steps',
    operations: ['create', 'update', 'delete'],
    description: 'Editing the checks in the routing of a released revision',
    approvers: ['approver', 'quality', 'admin'],
    adminMayApplyDirectly: false,
    applies: async (c) => {
      const revision = await revisionOfProcessStep(c);
      return revision !== undefined && (await revisionIsReleased(c, revision));
    },
    parent: async (c) => {
      const revision = await revisionOfProcessStep(c);
      return revision === undefined ? null : { table: 'revisions', id: revision };
    },
  },
  {
    id: 'user.role',
    table: 'users',
    operations: ['update'],
    description: "Changing a user's role",
    // Another administrator: nobody raises their own or a colleague's rights alone.
    approvers: ['admin'],
    adminMayApplyDirectly: false,
    applies: (c) => c.changed.includes('role'),
  },
  {
    id: 'user.reactivate',
    table: 'users',
    operations: ['update'],
    description: 'Reactivating a user',
    // A deactivated account comes back only with a second administrator's signature.
    approvers: ['admin'],
    adminMayApplyDirectly: false,
    applies: (c) => c.before?.active === false && c.after?.active === true,
  },
];

/** The first rule that applies to the change, if any. */
export async function ruleFor(change: ProposedChange, policy: readonly ApprovalRule[] = APPROVAL_POLICY): Promise<ApprovalRule | undefined> {
  for (const rule of policy) {
    if (rule.table !== change.table || !rule.operations.includes(change.operation)) continue;
    if (await rule.applies(change)) return rule;
  }
  return undefined;
}

export function ruleById(id: string | null | undefined, policy: readonly ApprovalRule[] = APPROVAL_POLICY): ApprovalRule | undefined {
  return policy.find((r) => r.id === id);
}

/** A lookup bound to a transaction, for rules that read parents' states. */
export function transactionLookup(sequelize: Sequelize, transaction: Transaction): ProposedChange['lookup'] {
  return async (sql, replacements) => {
    const rows = await sequelize.query(sql, { replacements, transaction, type: QueryTypes.SELECT });
    return rows[0] as never;
  };
}
