import { QueryTypes, type Sequelize } from 'sequelize';
import { AccessDeniedError, canRecordDisposition, type SessionUser } from '../auth/access-rules.js';
import { DISPOSITION_LABELS, DISPOSITIONS, type Disposition } from '../models/constants.js';
import { formatLimits } from '../shared/limits-format.js';

/**
 * Quality's queue: every check measured outside its limits that still waits for a disposition,
 * oldest measurement first, each named as the person deciding needs it (traveler, part and
 * revision, step, check, limits, the value and who measured it when). Read-only: the decision
 * itself is the check's Disposition action (step-work.service.ts recordDisposition), which
 * re-checks all of this under lock.
 *
 * "Waiting" is one condition, said once (AWAITING_DISPOSITION): out of limits, not decided, on a
 * step not signed off, on a traveler not cancelled. recordDisposition refuses exactly the checks
 * it leaves out.
 */
export const AWAITING_DISPOSITION = `c.out_of_limits AND c.disposition IS NULL AND s.status <> 'completed' AND t.status <> 'cancelled'`;

/** A queue is what one person works through; beyond it, narrow by traveler. */
export const DISPOSITION_QUEUE_LIMIT = 500;

export interface AwaitingCheck {
  subStepId: number;
  travelerId: number;
  travelerNumber: string;
  travelerStatus: string;
  partNumber: string;
  revisionCode: string;
  stepId: number;
  stepNumber: number;
  operation: string;
  workCenterCode: string | null;
  sequence: number;
  description: string;
  lowerLimit: number | null;
  upperLimit: number | null;
  unit: string | null;
  /** "24.987 to 25 mm", as refusals and the printed traveler say it. */
  limits: string;
  measuredValue: number;
  measuredBy: string | null;
  /** ISO timestamp of the measurement (database clock). */
  measuredAt: string | null;
}

export interface DispositionQueue {
  items: AwaitingCheck[];
  truncated: boolean;
  /** The decisions quality may record, with the words the traveler prints. */
  choices: Array<{ value: Disposition; label: string }>;
}

export interface DispositionQueueFilter {
  travelerId?: number | null;
  stepId?: number | null;
  subStepId?: number | null;
}

interface Row {
  sub_step_id: number;
  traveler_id: number;
  number: string;
  traveler_status: string;
  part_number: string;
  revision_code: string;
  step_id: number;
  step_number: number;
  operation: string;
  work_center_code: string | null;
  sequence: number;
  description: string;
  lower_limit: string | null;
  upper_limit: string | null;
  unit: string | null;
  measured_value: string;
  measured_by: string | null;
  measured_at: Date | null;
}

const num = (value: string | null): number | null => (value === null ? null : Number(value));
const id = (value: number | null | undefined): number | null => (Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : null);

export function dispositionChoices(): DispositionQueue['choices'] {
  return DISPOSITIONS.map((value) => ({ value, label: DISPOSITION_LABELS[value] }));
}

/** The checks waiting for quality (optionally of one traveler, step or check). Quality alone may read it. */
export async function dispositionQueue(
  sequelize: Sequelize,
  user: SessionUser | null | undefined,
  filter: DispositionQueueFilter = {},
): Promise<DispositionQueue> {
  if (!canRecordDisposition(user)) {
    throw new AccessDeniedError(`Your role (${user?.role ?? 'none'}) does not decide dispositions: the queue is quality's.`);
  }
  const rows = await sequelize.query<Row>(
    `SELECT c.id AS sub_step_id, t.id AS traveler_id, t.number, t.status AS traveler_status, p.part_number, r.revision_code,
            s.id AS step_id, s.step_number, s.operation, wc.code AS work_center_code,
            c.sequence, c.description, c.lower_limit, c.upper_limit, c.unit, c.measured_value,
            coalesce(u.full_name, u.username) AS measured_by, c.completed_at AS measured_at
       FROM traveler_sub_steps c
       JOIN traveler_steps s ON s.id = c.traveler_step_id
       JOIN travelers t ON t.id = s.traveler_id
       JOIN parts p ON p.id = t.part_id
       JOIN revisions r ON r.id = t.revision_id
       LEFT JOIN work_centers wc ON wc.id = s.work_center_id
       LEFT JOIN users u ON u.id = c.completed_by_id
      WHERE ${AWAITING_DISPOSITION}
        AND (CAST(:traveler AS integer) IS NULL OR t.id = CAST(:traveler AS integer))
        AND (CAST(:step AS integer) IS NULL OR s.id = CAST(:step AS integer))
        AND (CAST(:check AS integer) IS NULL OR c.id = CAST(:check AS integer))
      ORDER BY c.completed_at NULLS LAST, c.id
      LIMIT :limit`,
    {
      replacements: { traveler: id(filter.travelerId), step: id(filter.stepId), check: id(filter.subStepId), limit: DISPOSITION_QUEUE_LIMIT + 1 },
      type: QueryTypes.SELECT,
    },
  );
  return {
    items: rows.slice(0, DISPOSITION_QUEUE_LIMIT).map((r) => {
      const lowerLimit = num(r.lower_limit);
      const upperLimit = num(r.upper_limit);
      return {
        subStepId: r.sub_step_id,
        travelerId: r.traveler_id,
        travelerNumber: r.number,
        travelerStatus: r.traveler_status,
        partNumber: r.part_number,
        revisionCode: r.revision_code,
        stepId: r.step_id,
        stepNumber: r.step_number,
        operation: r.operation,
        workCenterCode: r.work_center_code,
        sequence: r.sequence,
        description: r.description,
        lowerLimit,
        upperLimit,
        unit: r.unit,
        limits: formatLimits(lowerLimit, upperLimit, r.unit),
        measuredValue: Number(r.measured_value),
        measuredBy: r.measured_by,
        measuredAt: r.measured_at === null ? null : new Date(r.measured_at).toISOString(),
      };
    }),
    truncated: rows.length > DISPOSITION_QUEUE_LIMIT,
    choices: dispositionChoices(),
  };
}

/** How many checks wait for quality: the count My work shows quality beside the queue's link. */
export async function awaitingDispositionCount(sequelize: Sequelize): Promise<number> {
  const [{ n }] = (await sequelize.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM traveler_sub_steps c JOIN traveler_steps s ON s.id = c.traveler_step_id JOIN travelers t ON t.id = s.traveler_id
      WHERE ${AWAITING_DISPOSITION}`,
    { type: QueryTypes.SELECT },
  )) as [{ n: number }];
  return n;
}

/** A decision quality made on a measurement the operator took, while its step is still open. */
export interface DecidedDisposition {
  subStepId: number;
  travelerId: number;
  travelerNumber: string;
  stepId: number;
  stepNumber: number;
  sequence: number;
  description: string;
  disposition: Disposition;
  note: string | null;
  decidedBy: string | null;
  /** ISO timestamp (database clock). */
  decidedAt: string | null;
  /** "Quality accepted your measurement on T-26003 step 20 check 1 (…)…". */
  message: string;
}

/** Use as is accepts the measured part; repair and scrap reject it. */
export function dispositionNotice(d: {
  travelerNumber: string;
  stepNumber: number;
  sequence: number;
  description: string;
  measuredValue: number | null;
  unit: string | null;
  disposition: Disposition;
  note: string | null;
  decidedBy: string | null;
}): string {
  const verb = d.disposition === 'use_as_is' ? 'accepted' : 'rejected';
  const value = d.measuredValue === null ? '' : `${d.measuredValue}${d.unit ? ` ${d.unit}` : ''}`;
  const why = d.note ? ` ${d.decidedBy ?? 'Quality'}: "${d.note}"` : '';
  return `Quality ${verb} your measurement on ${d.travelerNumber} step ${d.stepNumber} check ${d.sequence} (${d.description})${value ? `, ${value}` : ''}: ${DISPOSITION_LABELS[d.disposition]}.${why}`;
}

interface DecidedRow {
  sub_step_id: number;
  traveler_id: number;
  number: string;
  step_id: number;
  step_number: number;
  sequence: number;
  description: string;
  measured_value: string | null;
  unit: string | null;
  disposition: Disposition;
  disposition_note: string | null;
  decided_by: string | null;
  disposition_at: Date | null;
}

/**
 * What quality decided on the person's own measurements while the step is still open: the
 * decision they were waiting for before signing off. Gone once the step is signed off (or the
 * traveler closed), so nothing here depends on how long ago it was.
 */
export async function decidedForOperator(sequelize: Sequelize, userId: number): Promise<DecidedDisposition[]> {
  const rows = await sequelize.query<DecidedRow>(
    `SELECT c.id AS sub_step_id, t.id AS traveler_id, t.number, s.id AS step_id, s.step_number, c.sequence, c.description,
            c.measured_value, c.unit, c.disposition, c.disposition_note, coalesce(q.full_name, q.username) AS decided_by, c.disposition_at
       FROM traveler_sub_steps c
       JOIN traveler_steps s ON s.id = c.traveler_step_id
       JOIN travelers t ON t.id = s.traveler_id
       LEFT JOIN users q ON q.id = c.disposition_by_id
      WHERE c.completed_by_id = :user AND c.disposition IS NOT NULL AND s.status <> 'completed' AND t.status NOT IN ('completed', 'cancelled')
      ORDER BY c.disposition_at DESC NULLS LAST, c.id DESC
      LIMIT 20`,
    { replacements: { user: userId }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    subStepId: r.sub_step_id,
    travelerId: r.traveler_id,
    travelerNumber: r.number,
    stepId: r.step_id,
    stepNumber: r.step_number,
    sequence: r.sequence,
    description: r.description,
    disposition: r.disposition,
    note: r.disposition_note,
    decidedBy: r.decided_by,
    decidedAt: r.disposition_at === null ? null : new Date(r.disposition_at).toISOString(),
    message: dispositionNotice({
      travelerNumber: r.number,
      stepNumber: r.step_number,
      sequence: r.sequence,
      description: r.description,
      measuredValue: r.measured_value === null ? null : Number(r.measured_value),
      unit: r.unit,
      disposition: r.disposition,
      note: r.disposition_note,
      decidedBy: r.decided_by,
    }),
  }));
}
