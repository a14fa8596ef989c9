import type { UserActor } from '../audit/actor.js';
import type { Role } from './roles.js';

/**
 * Who may do what, said once. The panel uses these predicates to show or hide actions, and the
 * server re-checks them on every call (AdminJS refuses an inaccessible action with 403), so a
 * hidden button is never the only guard.
 */
export interface SessionUser {
  id: number;
  username: string;
  email: string;
  title: string;
  role: Role;
  /** Signed in with a password someone else set: until they choose their own, nothing else is open to them. */
  mustChangePassword?: boolean;
}

export type Predicate = (user: SessionUser | null | undefined) => boolean;

/** The person behind a write, as the predicates below see them. */
export function asSessionUser(actor: UserActor): SessionUser {
  return { id: actor.userId, username: actor.username, email: actor.email, title: actor.fullName, role: actor.role };
}

const roleIn =
  (...roles: Role[]): Predicate =>
  (user) =>
    !!user && roles.includes(user.role);

/** Roles that decide, sign or administer: granting one is a change another administrator approves. */
export const PRIVILEGED_ROLES: readonly Role[] = ['admin', 'approver', 'quality'];

/** Administrators: users and everything else. */
export const isAdmin: Predicate = roleIn('admin');
/** Engineers keep parts, revisions, routings, work centers and customers. */
export const canEditReferenceData: Predicate = roleIn('admin', 'engineer');
/** Planning work: work orders and travelers (content of released travelers will need approval). */
export const canPlanWork: Predicate = roleIn('admin', 'engineer');
/** Operators record their own labor; administrators correct anyone's. */
export const canRecordLabor: Predicate = roleIn('admin', 'operator');
/** Starting steps, recording checks and signing off: operators, and quality for inspection steps. */
export const canWorkSteps: Predicate = roleIn('admin', 'operator', 'quality');
/** Clocking in and out on a step: whoever works steps. */
export const canClockIn: Predicate = canWorkSteps;
/** A measurement out of limits is decided by quality alone. */
export const canRecordDisposition: Predicate = roleIn('quality');
/** Stopping the floor (hold) and letting it go on: planners and quality. */
export const canHoldTravelers: Predicate = roleIn('admin', 'engineer', 'quality');
/** Every signed-in role may read shop data. */
export const canReadShopData: Predicate = roleIn('admin', 'engineer', 'quality', 'approver', 'operator', 'viewer');
/** Approval requests are read by those who make, decide or review them; viewers only watch the floor. */
export const canReadApprovals: Predicate = roleIn('admin', 'engineer', 'quality', 'approver', 'operator');
/** The audit trail is for quality reviews and administrators. */
export const canReviewAuditTrail: Predicate = roleIn('admin', 'quality');
/** Only administrators see the user directory. */
export const canManageUsers: Predicate = roleIn('admin');
/**
 * Looking a colleague up by name (a filter "requested by", "completed by"): everyone who reads
 * shop data, by name only; the directory itself (emails, roles, sign-ins) stays the administrators'.
 */
export const canFindPeople: Predicate = canReadShopData;
/**
 * Who works in each of the panel's pages: the page's handler answers others with nothing, and
 * their menu does not list it (panel/components/sidebar-pages.tsx).
 */
export const PAGE_ACCESS = {
  myApprovals: canReadApprovals,
  myWork: canWorkSteps,
  dispositionQueue: canRecordDisposition,
} as const satisfies Record<string, Predicate>;

/**
 * Where a person lands after signing in: operators on My work (the steps they can work), everyone
 * else on the dashboard. A page, when one; null for the dashboard.
 */
export function landingPage(user: SessionUser): keyof typeof PAGE_ACCESS | null {
  return user.role === 'operator' && PAGE_ACCESS.myWork(user) ? 'myWork' : null;
}

/** Nobody edits or deletes through generic forms what a workflow or trigger owns. */
export const nobody: Predicate = () => false;

export type TravelerAction = 'release' | 'start' | 'hold' | 'resume' | 'complete' | 'cancel';

/** Who may move a traveler with each of its actions (releasing still needs an approver after). */
export const TRAVELER_ACTION_RULES: Record<TravelerAction, Predicate> = {
  release: canPlanWork,
  start: (user) => canPlanWork(user) || canWorkSteps(user),
  hold: canHoldTravelers,
  resume: canHoldTravelers,
  complete: (user) => canPlanWork(user) || canWorkSteps(user),
  cancel: canPlanWork,
};

export type ResourceVerb = 'read' | 'create' | 'update' | 'delete';

export interface ResourceRules {
  read: Predicate;
  create: Predicate;
  update: Predicate;
  delete: Predicate;
}

/**
 * The role matrix for the generic CRUD actions of each resource. Record-level refinements (an
 * operator edits only their own labor) live in the resource and service, on top of these.
 */
export const RESOURCE_RULES = {
  users: { read: canManageUsers, create: canManageUsers, update: canManageUsers, delete: nobody },
  customers: { read: canReadShopData, create: canEditReferenceData, update: canEditReferenceData, delete: canEditReferenceData },
  work_centers: { read: canReadShopData, create: canEditReferenceData, update: canEditReferenceData, delete: canEditReferenceData },
  parts: { read: canReadShopData, create: canEditReferenceData, update: canEditReferenceData, delete: canEditReferenceData },
  revisions: { read: canReadShopData, create: canEditReferenceData, update: canEditReferenceData, delete: canEditReferenceData },
  process_steps: { read: canReadShopData, create: canEditReferenceData, update: canEditReferenceData, delete: canEditReferenceData },
  sub_steps: { read: canReadShopData, create: canEditReferenceData, update: canEditReferenceData, delete: canEditReferenceData },
  work_orders: { read: canReadShopData, create: canPlanWork, update: canPlanWork, delete: canPlanWork },
  travelers: { read: canReadShopData, create: canPlanWork, update: canPlanWork, delete: canPlanWork },
  traveler_steps: { read: canReadShopData, create: canPlanWork, update: canPlanWork, delete: canPlanWork },
  traveler_sub_steps: { read: canReadShopData, create: canPlanWork, update: canPlanWork, delete: canPlanWork },
  manual_steps: { read: canReadShopData, create: canPlanWork, update: canPlanWork, delete: canPlanWork },
  labor_entries: { read: canReadShopData, create: canRecordLabor, update: canRecordLabor, delete: isAdmin },
  approvals: { read: canReadApprovals, create: nobody, update: nobody, delete: nobody },
  audit_logs: { read: canReviewAuditTrail, create: nobody, update: nobody, delete: nobody },
  mail_outbox: { read: isAdmin, create: nobody, update: nobody, delete: nobody },
} as const satisfies Record<string, ResourceRules>;

export type ResourceId = keyof typeof RESOURCE_RULES;

export function can(user: SessionUser | null | undefined, resource: ResourceId, verb: ResourceVerb): boolean {
  return RESOURCE_RULES[resource][verb](user);
}

export class AccessDeniedError extends Error {
  readonly status = 403;
  constructor(message: string) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

/** Operators may touch only their own labor entries; administrators may correct anyone's. */
export function canEditLaborEntry(user: SessionUser | null | undefined, entryUserId: unknown): boolean {
  if (!canRecordLabor(user)) return false;
  return isAdmin(user) || Number(entryUserId) === user!.id;
}
