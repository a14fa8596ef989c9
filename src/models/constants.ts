// The value lists held by the CHECK constraints in migrations/, in the same order, so that models,
// the panel and scripts offer exactly what PostgreSQL accepts. Roles live in src/auth/roles.ts.

export const UNITS_OF_MEASURE = ['EA', 'SET', 'KG', 'M', 'L'] as const;
export type UnitOfMeasure = (typeof UNITS_OF_MEASURE)[number];

export const REVISION_STATUSES = ['draft', 'released', 'obsolete'] as const;
export type RevisionStatus = (typeof REVISION_STATUSES)[number];

export const WORK_ORDER_STATUSES = ['open', 'in_progress', 'on_hold', 'completed', 'cancelled'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

export const WORK_ORDER_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type WorkOrderPriority = (typeof WORK_ORDER_PRIORITIES)[number];

export const TRAVELER_STATUSES = ['draft', 'released', 'in_progress', 'on_hold', 'completed', 'cancelled'] as const;
export type TravelerStatus = (typeof TRAVELER_STATUSES)[number];

/** Quality's decisions on a measurement outside its limits (CHECK traveler_sub_steps_disposition_valid). */
export const DISPOSITIONS = ['use_as_is', 'repair', 'scrap'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export const DISPOSITION_LABELS: Record<Disposition, string> = {
  use_as_is: 'Use as is (deviation accepted)',
  repair: 'Repaired per an approved procedure',
  scrap: 'Scrapped (removed from the batch)',
};

/** Statuses of traveler steps and manual steps. */
export const STEP_STATUSES = ['pending', 'in_progress', 'completed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const LABOR_ENTRY_TYPES = ['clock', 'manual'] as const;
export type LaborEntryType = (typeof LABOR_ENTRY_TYPES)[number];

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn', 'stale'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const APPROVAL_OPERATIONS = ['create', 'update', 'delete', 'transition'] as const;
export type ApprovalOperation = (typeof APPROVAL_OPERATIONS)[number];

/** Upper bound of work order and traveler quantities (CHECK quantity <= 1000000). */
export const MAX_QUANTITY = 1_000_000;
/** Upper bound of estimated hours on steps (CHECK estimated_hours <= 10000). */
export const MAX_ESTIMATED_HOURS = 10_000;
/** Longest labor entry, in hours (CHECK hours <= 24 * 14). */
export const MAX_LABOR_HOURS = 24 * 14;
