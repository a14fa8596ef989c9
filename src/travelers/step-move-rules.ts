import { canClockIn, canRecordDisposition, canWorkSteps, type Predicate } from '../auth/access-rules.js';
import type { Role } from '../auth/roles.js';

/**
 * What a step allows next, said once: for a step and a person, each move (start, record a check,
 * clock in, clock out, sign off, disposition) with null when it would go through now, or why it
 * would be refused, in the very words the write refuses with. The writes (step-work.service.ts,
 * labor.service.ts) ask these rules over the rows they have locked; the panel's actions, the step
 * action page and My work show what the same rules answer over the same rows (stepMovesFor), so
 * a button is offered, disabled or hidden exactly as the write would decide. The database
 * enforces order, states and checks too (migrations/*-traveler-lifecycle.up.sql). The rules here
 * read no rows: step-moves.ts reads the steps as they see them.
 */
export type StepKind = 'routing' | 'manual';

export interface StepRef {
  kind: StepKind;
  id: number;
}

export const STEP_MOVES = ['start', 'recordCheck', 'clockIn', 'clockOut', 'signOff', 'disposition'] as const;
export type StepMove = (typeof STEP_MOVES)[number];

/**
 * Why each move would be refused now (null: it would go through), and the moves offered to the
 * person: the ones that would go through, and a sign-off or clock-in held up only by something
 * they can see to (a check left, someone still clocked in, their own clock-in elsewhere), which
 * is shown disabled beside its reason. A move the step's state rules out is not offered.
 */
export type StepMoves = Record<StepMove, string | null> & { offered: StepMove[] };

/** Who may make each move at all: a refusal by role is a 403, before any state is looked at. */
export const MOVE_ROLES: Record<StepMove, Predicate> = {
  start: canWorkSteps,
  recordCheck: canWorkSteps,
  signOff: canWorkSteps,
  clockIn: canClockIn,
  clockOut: canClockIn,
  disposition: canRecordDisposition,
};

export function roleRefusal(move: StepMove, role: Role | undefined): string {
  if (move === 'disposition') return 'Only quality records a disposition.';
  if (move === 'clockIn' || move === 'clockOut') return `Your role (${role ?? 'none'}) may not clock in on steps.`;
  return `Your role (${role ?? 'none'}) may not work steps.`;
}

/** "Step 20 (Turn OD)" or 'The manual step "Extra deburr"': how refusals and notices name a step. */
export function labelOf(kind: StepKind, stepNumber: number, operation: string): string {
  return kind === 'routing' ? `Step ${stepNumber} (${operation})` : `The manual step "${operation}"`;
}

export interface CheckState {
  sequence: number;
  description: string;
  done: boolean;
  outOfLimits: boolean;
  disposition: string | null;
  measuredValue: number | string | null;
}

/** What a refusal to work a step depends on. */
export interface WorkState {
  label: string;
  status: 'pending' | 'in_progress' | 'completed';
  travelerNumber: string;
  travelerStatus: string;
  /** What must be signed off first (traveler_step_blocker); read only for a pending step of a traveler on the floor. */
  blocker: string | null;
}

/** Everything the move rules look at on the step's side. */
export interface MoveState extends WorkState {
  /** Its checks (routing steps only), in sequence. */
  checks: CheckState[];
  /** Everyone clocked in on the step now, earliest first. */
  clockedIn: Array<{ userId: number; name: string }>;
}

/** The person asking: who, their role, and where they are clocked in now ("T-26003 step 10 (Cut bar)"), if anywhere. */
export interface Mover {
  id: number;
  role: Role | undefined;
  clockedInAt: string | null;
}

/** Why the step cannot be worked now (started, measured, clocked in on), or null. */
export function workRefusal(state: WorkState): string | null {
  if (state.status === 'completed') return `${state.label} is already signed off.`;
  if (!['released', 'in_progress'].includes(state.travelerStatus)) {
    return `Traveler ${state.travelerNumber} is ${state.travelerStatus.replace('_', ' ')}: its steps are worked only while it is released or in progress.`;
  }
  if (state.status === 'pending' && state.blocker) {
    return `${state.label} cannot be worked before ${state.blocker} is signed off: steps are worked in order unless the routing marks them parallel.`;
  }
  return null;
}

export function startRefusal(state: WorkState): string | null {
  if (state.status === 'in_progress') return `${state.label} is already started.`;
  return workRefusal(state);
}

/** Why each open check stops a sign-off, in words (empty when none does). */
export function openCheckReasons(checks: readonly CheckState[]): string[] {
  const reasons: string[] = [];
  for (const c of [...checks].sort((a, b) => a.sequence - b.sequence)) {
    if (!c.done) reasons.push(`check ${c.sequence} (${c.description}) is not done`);
    else if (c.outOfLimits && !c.disposition) {
      reasons.push(
        `check ${c.sequence} (${c.description}) measured ${c.measuredValue === null ? '' : Number(c.measuredValue)}, outside its limits: quality must record a disposition`,
      );
    }
  }
  return reasons;
}

/** The sign-off rule. The signer's own clock-in does not stop them: it closes with the sign-off. */
export function signOffRefusal(state: MoveState, signerId: number): string | null {
  const work = workRefusal(state);
  if (work) return work;
  const open = openCheckReasons(state.checks);
  if (open.length) return `${state.label} cannot be signed off: ${open.join('; ')}.`;
  const others = state.clockedIn.filter((e) => e.userId !== signerId).map((e) => e.name);
  if (others.length) {
    return `${state.label} cannot be signed off while ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} still clocked in on it: they clock out first.`;
  }
  return null;
}

export const alreadyClockedIn = (where: string): string => `You are already clocked in on ${where}: clock out there first.`;

/** One person is clocked in on one step at a time; the step must be workable. */
export function clockInRefusal(state: WorkState, clockedInAt: string | null): string | null {
  if (clockedInAt) return alreadyClockedIn(clockedInAt);
  return workRefusal(state);
}

/** "You are not clocked in on step 10 (Cut bar)." */
export const notClockedIn = (label: string): string => `You are not clocked in on ${label.replace(/^The /, 'the ').replace(/^Step/, 'step')}.`;

/** A person's time is theirs to end, whatever became of the step or its traveler since. */
export function clockOutRefusal(state: MoveState, personId: number): string | null {
  return state.clockedIn.some((e) => e.userId === personId) ? null : notClockedIn(state.label);
}

/** Why no check of the step can be decided any more (signed off, or its traveler cancelled), or null. */
export function checksClosedRefusal(state: WorkState): string | null {
  if (state.status === 'completed') return `${state.label} is signed off: its checks cannot change.`;
  if (state.travelerStatus === 'cancelled') return `Traveler ${state.travelerNumber} is cancelled: its checks await no disposition.`;
  return null;
}

export const awaitsDisposition = (check: CheckState): boolean => check.outOfLimits && !check.disposition;

/** Quality's move on a step: one of its checks measured outside its limits waits for a decision. */
export function dispositionRefusal(state: MoveState): string | null {
  return checksClosedRefusal(state) ?? (state.checks.some(awaitsDisposition) ? null : `${state.label} has no check awaiting a disposition.`);
}

/** The moves of one step for one person. */
export function stepMoves(state: MoveState, person: Mover): StepMoves {
  const user = person.role === undefined ? null : { id: person.id, username: '', email: '', title: '', role: person.role };
  const refusals: Record<StepMove, string | null> = {
    start: startRefusal(state),
    recordCheck: workRefusal(state),
    clockIn: clockInRefusal(state, person.clockedInAt),
    clockOut: clockOutRefusal(state, person.id),
    signOff: signOffRefusal(state, person.id),
    disposition: dispositionRefusal(state),
  };
  for (const move of STEP_MOVES) if (!MOVE_ROLES[move](user)) refusals[move] = roleRefusal(move, person.role);
  const workable = workRefusal(state) === null;
  const here = state.clockedIn.some((e) => e.userId === person.id);
  const offered = STEP_MOVES.filter(
    (move) => MOVE_ROLES[move](user) && (refusals[move] === null || (workable && (move === 'signOff' || (move === 'clockIn' && !here)))),
  );
  return { ...refusals, offered };
}
