import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { RecordValidationError } from './record-errors.js';

/**
 * The next free numbers of a routing: a step's (in tens) and a check's (by one), counting the
 * numbers that pending approval requests would give as taken too.
 */

/** Steps are numbered in tens (10, 20, 30) so that one can be put between two later. */
const STEP_INCREMENT = 10;

export function nextStepNumber(numbers: number[]): number {
  const highest = numbers.length ? Math.max(...numbers) : 0;
  return (Math.floor(highest / STEP_INCREMENT) + 1) * STEP_INCREMENT;
}

export function nextSequence(sequences: number[]): number {
  return (sequences.length ? Math.max(...sequences) : 0) + 1;
}

/** How the numbered rows of a routing hang from their parent. */
const NUMBERED = {
  process_steps: { parent: 'revision_id', number: 'step_number' },
  sub_steps: { parent: 'process_step_id', number: 'sequence' },
} as const;

export interface Claim {
  parent: number;
  number: number;
  approval: number;
}

/**
 * Numbers that pending approval requests would give rows of these parents. A held new step or
 * check has no row yet, only its proposed values in the request (approvals.changes, field by
 * field as {old, new}); without counting them, two additions held on a released revision would
 * both take the same next number and the second could never be applied. A held change of an
 * existing row's number claims the new number too (its parent is then the row's own).
 */
export async function pendingClaims(
  sequelize: Sequelize,
  table: keyof typeof NUMBERED,
  parentIds: number[],
  transaction: Transaction | null,
): Promise<Claim[]> {
  if (parentIds.length === 0) return [];
  const { parent, number } = NUMBERED[table];
  // Table and column names come from NUMBERED above, never from input.
  const rows = await sequelize.query<{ parent: string; number: string; approval: number }>(
    `SELECT x.parent, x.number, x.approval FROM (
       SELECT coalesce(a.changes -> '${parent}' ->> 'new', t.${parent}::text) AS parent,
              a.changes -> '${number}' ->> 'new' AS number, a.id AS approval
         FROM approvals a
         LEFT JOIN ${table} t ON a.operation = 'update' AND t.id = a.target_id
        WHERE a.status = 'pending' AND a.target_table = :table AND a.operation IN ('create', 'update') AND a.changes ? '${number}'
     ) x
     WHERE x.parent ~ '^[0-9]{1,9}$' AND x.number ~ '^[0-9]{1,9}$' AND x.parent::int IN (:parentIds)
     ORDER BY x.approval`,
    { replacements: { table, parentIds }, type: QueryTypes.SELECT, transaction },
  );
  return rows.map((r) => ({ parent: Number(r.parent), number: Number(r.number), approval: r.approval }));
}

export function claimsOf(claims: Claim[], parentId: number): number[] {
  return claims.filter((c) => c.parent === parentId).map((c) => c.number);
}

/** Refuses a number a row or a pending request already has, naming the next free one. */
export function refuseTaken(field: string, given: number, rows: number[], claims: Claim[], what: string, next: number): void {
  if (rows.includes(given)) throw new RecordValidationError({ [field]: `${what} (the next free one is ${next})` });
  const claim = claims.find((c) => c.number === given);
  if (claim)
    throw new RecordValidationError({
      [field]: `A change waiting for approval (request #${claim.approval}) already gives that number (the next free one is ${next})`,
    });
}
