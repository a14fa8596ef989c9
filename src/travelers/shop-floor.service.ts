import { QueryTypes, type Sequelize } from 'sequelize';
import { canRecordDisposition } from '../auth/access-rules.js';
import type { Role } from '../auth/roles.js';
import type { Disposition } from '../models/constants.js';
import { awaitingDispositionCount, decidedForOperator, type DecidedDisposition } from './disposition-queue.service.js';
import { stepKey, stepMovesFor, type StepKind, type StepMoves } from './step-moves.js';

/**
 * "My work": what an operator at a terminal needs without hunting through lists. Their own open
 * clock-in, and every step that can be worked now on a traveler on the floor: in progress, or
 * pending with nothing before it left to sign off (the database's traveler_step_blocker decides,
 * the same rule its triggers enforce). Read-only; the work itself goes through the step actions,
 * and what each step allows the person next comes from the move rules (step-moves.ts) the writes
 * ask: the page shows it, it never works it out.
 */
export type { StepKind } from './step-moves.js';

export interface OpenClockIn {
  entryId: number;
  /** ISO timestamp, database clock. */
  since: string;
  travelerId: number;
  travelerNumber: string;
  stepKind: StepKind | null;
  stepId: number | null;
  /** "step 30 (Mill op 2 ...)" or "manual step after 40 (Extra deburr ...)". */
  stepLabel: string;
}

export interface WorkCheck {
  id: number;
  sequence: number;
  description: string;
  requiresMeasurement: boolean;
  lowerLimit: number | null;
  upperLimit: number | null;
  unit: string | null;
  measuredValue: number | null;
  outOfLimits: boolean;
  disposition: Disposition | null;
  dispositionNote: string | null;
  done: boolean;
}

export interface WorkStep {
  kind: StepKind;
  id: number;
  travelerId: number;
  travelerNumber: string;
  travelerStatus: string;
  partNumber: string;
  /** YYYY-MM-DD, or null when the traveler has no due date. */
  dueDate: string | null;
  /** "30", or "after 40" for a manual step. */
  position: string;
  operation: string;
  instructions: string | null;
  workCenter: { id: number; code: string; name: string } | null;
  status: 'pending' | 'in_progress';
  startedAt: string | null;
  /** Names of the people clocked in on the step now, earliest first. */
  clockedIn: string[];
  /** Whether the person asking is one of them. */
  meClockedIn: boolean;
  /** Sub-steps (routing steps only), in sequence. */
  checks: WorkCheck[];
  /** What the person asking may do on the step now, and why not (step-moves.ts). */
  moves: StepMoves;
}

export interface MyWork {
  clockedIn: OpenClockIn | null;
  steps: WorkStep[];
  workCenters: Array<{ id: number; code: string; name: string }>;
  workCenterId: number | null;
  /** More steps could be worked than are listed: narrow by work center. */
  truncated: boolean;
  /** Why the list is empty for this person, when it is by role. */
  note?: string;
  /** Quality's decisions on this person's measurements, on steps still open: what they waited for. */
  decided: DecidedDisposition[];
  /** For quality: how many checks wait in the disposition queue. */
  awaitingDisposition?: number;
  /**
   * The server's time of this answer: the page says "since 06:00" for a clock-in of the server's
   * today, whatever the clock of the terminal showing it says.
   */
  asOf: string;
}

/** A page of the floor is what a terminal can show; beyond it, the work-center filter narrows. */
export const MY_WORK_LIMIT = 200;

export function emptyMyWork(note: string): MyWork {
  return { clockedIn: null, steps: [], workCenters: [], workCenterId: null, truncated: false, note, decided: [], asOf: new Date().toISOString() };
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());
const num = (value: string | number | null): number | null => (value === null ? null : Number(value));

function dateOnly(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

interface StepRow {
  kind: StepKind;
  id: number;
  traveler_id: number;
  number: string;
  traveler_status: string;
  part_number: string;
  due_date: Date | string | null;
  position: string;
  /** The step number, or the number a manual step comes after. */
  sort_a: number;
  operation: string;
  instructions: string | null;
  work_center_id: number | null;
  work_center_code: string | null;
  work_center_name: string | null;
  status: 'pending' | 'in_progress';
  started_at: Date | null;
  clocked_in: string[] | null;
  me_clocked_in: boolean | null;
}

// Blockers are computed only for pending steps of travelers on the floor (in the work center
// asked for); an in-progress step may always be worked on.
const STEPS_SQL = `
  WITH open_steps AS (
    SELECT 'routing'::text AS kind, s.id, s.id AS routing_id, NULL::integer AS manual_id, s.traveler_id,
           s.step_number AS sort_a, 0 AS sort_b, s.step_number::text AS position, s.operation, s.instructions,
           s.work_center_id, s.status, s.started_at,
           CASE WHEN s.status = 'pending' THEN traveler_step_blocker(s.traveler_id, s.step_number, s.is_parallel, NULL) END AS blocker
      FROM traveler_steps s JOIN travelers t ON t.id = s.traveler_id
     WHERE t.status IN ('released', 'in_progress') AND s.status <> 'completed'
       AND (CAST(:wc AS integer) IS NULL OR s.work_center_id = CAST(:wc AS integer))
    UNION ALL
    SELECT 'manual', m.id, NULL, m.id, m.traveler_id,
           m.after_step_number, 1, 'after ' || m.after_step_number, m.operation, m.instructions,
           m.work_center_id, m.status, m.started_at,
           CASE WHEN m.status = 'pending' THEN traveler_step_blocker(m.traveler_id, m.after_step_number, false, m.id) END
      FROM manual_steps m JOIN travelers t ON t.id = m.traveler_id
     WHERE t.status IN ('released', 'in_progress') AND m.status <> 'completed'
       AND (CAST(:wc AS integer) IS NULL OR m.work_center_id = CAST(:wc AS integer))
  )
  SELECT st.kind, st.id, st.traveler_id, t.number, t.status AS traveler_status, p.part_number, t.due_date,
         st.position, st.sort_a, st.operation, st.instructions, st.work_center_id,
         wc.code AS work_center_code, wc.name AS work_center_name, st.status, st.started_at,
         c.names AS clocked_in, c.me AS me_clocked_in
    FROM open_steps st
    JOIN travelers t ON t.id = st.traveler_id
    JOIN parts p ON p.id = t.part_id
    LEFT JOIN work_centers wc ON wc.id = st.work_center_id
    LEFT JOIN LATERAL (
      SELECT array_agg(coalesce(u.full_name, u.username) ORDER BY e.started_at, e.id) AS names, bool_or(e.user_id = :user) AS me
        FROM labor_entries e JOIN users u ON u.id = e.user_id
       WHERE e.ended_at IS NULL AND (e.traveler_step_id = st.routing_id OR e.manual_step_id = st.manual_id)
    ) c ON true
   WHERE st.blocker IS NULL
   ORDER BY t.due_date NULLS LAST, t.number, st.sort_a, st.sort_b, st.id
   LIMIT :limit`;

interface CheckRow {
  id: number;
  traveler_step_id: number;
  sequence: number;
  description: string;
  requires_measurement: boolean;
  lower_limit: string | null;
  upper_limit: string | null;
  unit: string | null;
  measured_value: string | null;
  out_of_limits: boolean | null;
  disposition: Disposition | null;
  disposition_note: string | null;
  done: boolean;
}

interface ClockInRow {
  id: number;
  started_at: Date;
  traveler_id: number;
  number: string;
  traveler_step_id: number | null;
  manual_step_id: number | null;
  label: string;
}

export async function myWork(sequelize: Sequelize, user: { id: number; role?: Role }, options: { workCenterId?: number | null } = {}): Promise<MyWork> {
  const workCenterId = Number.isSafeInteger(options.workCenterId) && (options.workCenterId as number) > 0 ? (options.workCenterId as number) : null;
  const quality = user.role !== undefined && canRecordDisposition({ id: user.id, username: '', email: '', title: '', role: user.role });
  const [rows, clockIns, workCenters, decided, awaiting] = await Promise.all([
    sequelize.query<StepRow>(STEPS_SQL, { replacements: { wc: workCenterId, user: user.id, limit: MY_WORK_LIMIT + 1 }, type: QueryTypes.SELECT }),
    sequelize.query<ClockInRow>(
      `SELECT e.id, e.started_at, e.traveler_id, t.number, e.traveler_step_id, e.manual_step_id,
              coalesce('step ' || ts.step_number || ' (' || ts.operation || ')',
                       'manual step after ' || ms.after_step_number || ' (' || ms.operation || ')', 'no step') AS label
         FROM labor_entries e JOIN travelers t ON t.id = e.traveler_id
         LEFT JOIN traveler_steps ts ON ts.id = e.traveler_step_id
         LEFT JOIN manual_steps ms ON ms.id = e.manual_step_id
        WHERE e.user_id = :user AND e.ended_at IS NULL
        ORDER BY e.started_at DESC LIMIT 1`,
      { replacements: { user: user.id }, type: QueryTypes.SELECT },
    ),
    sequelize.query<{ id: number; code: string; name: string }>('SELECT id, code, name FROM work_centers WHERE active ORDER BY code', {
      type: QueryTypes.SELECT,
    }),
    decidedForOperator(sequelize, user.id),
    quality ? awaitingDispositionCount(sequelize) : Promise.resolve(undefined),
  ]);
  const truncated = rows.length > MY_WORK_LIMIT;
  const listed = rows.slice(0, MY_WORK_LIMIT);
  const routingIds = listed.filter((r) => r.kind === 'routing').map((r) => r.id);
  const checkRows = routingIds.length
    ? await sequelize.query<CheckRow>(
        `SELECT id, traveler_step_id, sequence, description, requires_measurement, lower_limit, upper_limit, unit,
                measured_value, out_of_limits, disposition, disposition_note, completed_at IS NOT NULL AS done
           FROM traveler_sub_steps WHERE traveler_step_id IN (:ids) ORDER BY traveler_step_id, sequence`,
        { replacements: { ids: routingIds }, type: QueryTypes.SELECT },
      )
    : [];
  const checks = new Map<number, WorkCheck[]>();
  for (const c of checkRows) {
    const list = checks.get(c.traveler_step_id) ?? [];
    list.push({
      id: c.id,
      sequence: c.sequence,
      description: c.description,
      requiresMeasurement: c.requires_measurement,
      lowerLimit: num(c.lower_limit),
      upperLimit: num(c.upper_limit),
      unit: c.unit,
      measuredValue: num(c.measured_value),
      outOfLimits: Boolean(c.out_of_limits),
      disposition: c.disposition,
      dispositionNote: c.disposition_note,
      done: c.done,
    });
    checks.set(c.traveler_step_id, list);
  }
  const moves = await stepMovesFor(sequelize, listed, user);
  const open = clockIns[0];
  return {
    clockedIn: open
      ? {
          entryId: open.id,
          since: iso(open.started_at)!,
          travelerId: open.traveler_id,
          travelerNumber: open.number,
          stepKind: open.traveler_step_id !== null ? 'routing' : open.manual_step_id !== null ? 'manual' : null,
          stepId: open.traveler_step_id ?? open.manual_step_id,
          stepLabel: open.label,
        }
      : null,
    // A step gone between the two reads (deleted) is not listed.
    steps: listed.flatMap((r): WorkStep[] => {
      const allowed = moves.get(stepKey(r));
      if (!allowed) return [];
      return [
        {
          kind: r.kind,
          id: r.id,
          travelerId: r.traveler_id,
          travelerNumber: r.number,
          travelerStatus: r.traveler_status,
          partNumber: r.part_number,
          dueDate: dateOnly(r.due_date),
          position: r.position,
          operation: r.operation,
          instructions: r.instructions,
          workCenter: r.work_center_id === null ? null : { id: r.work_center_id, code: r.work_center_code!, name: r.work_center_name! },
          status: r.status,
          startedAt: iso(r.started_at),
          clockedIn: r.clocked_in ?? [],
          meClockedIn: Boolean(r.me_clocked_in),
          checks: r.kind === 'routing' ? (checks.get(r.id) ?? []) : [],
          moves: allowed,
        },
      ];
    }),
    workCenters,
    workCenterId,
    truncated,
    decided,
    ...(awaiting !== undefined && { awaitingDisposition: awaiting }),
    asOf: new Date().toISOString(),
  };
}
