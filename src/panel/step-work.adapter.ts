import type { ActionContext, BaseRecord, Filter } from 'adminjs';
import type { SessionUser } from '../auth/access-rules.js';
import { stepKey, stepMovesFor, type StepKind, type StepMoves, type StepRef } from '../travelers/step-moves.js';
import { NexusResource, type ListSort } from './nexus-resource.adapter.js';

/**
 * Traveler steps, manual steps and their checks as the panel reads them for a person: each record
 * carries what its step allows that person next (step-moves.ts), read once with the record, so
 * that AdminJS's isVisible (which cannot wait for the database) and the action's page answer from
 * the rules the write enforces, over the same rows. A record read for nobody in particular (no
 * signed-in person in the call) carries no moves, and the panel offers no move on it.
 */
const MOVES = new WeakMap<BaseRecord, { userId: number; moves: StepMoves }>();

/** The moves of the record's step for this person, when the record was read for them. */
export function movesOf(record: BaseRecord | undefined, user: SessionUser | null | undefined): StepMoves | undefined {
  const entry = record ? MOVES.get(record) : undefined;
  return entry && user && entry.userId === user.id ? entry.moves : undefined;
}

abstract class MovesResource extends NexusResource {
  /** The step a record's moves are those of. */
  protected abstract stepOf(record: BaseRecord): StepRef | null;

  private async withMoves(records: BaseRecord[], context: ActionContext | undefined): Promise<BaseRecord[]> {
    const user = context?.currentAdmin as unknown as SessionUser | undefined;
    if (!user || records.length === 0) return records;
    const refs = records.map((record) => this.stepOf(record));
    const moves = await stepMovesFor(
      this.app.db,
      refs.filter((ref): ref is StepRef => ref !== null),
      user,
    );
    records.forEach((record, i) => {
      const ref = refs[i];
      const found = ref ? moves.get(stepKey(ref)) : undefined;
      if (found) MOVES.set(record, { userId: user.id, moves: found });
    });
    return records;
  }

  override async findOne(id: string | number, context?: ActionContext): Promise<BaseRecord | null> {
    const record = await super.findOne(id);
    return record && (await this.withMoves([record], context))[0]!;
  }

  override async find(filter: Filter, options: { limit?: number; offset?: number; sort?: ListSort }, context?: ActionContext): Promise<BaseRecord[]> {
    return this.withMoves(await super.find(filter, options), context);
  }
}

/** Traveler steps or manual steps: the record is the step. */
export class StepWorkResource extends MovesResource {
  private get kind(): StepKind {
    return this.id() === 'traveler_steps' ? 'routing' : 'manual';
  }

  protected stepOf(record: BaseRecord): StepRef {
    return { kind: this.kind, id: Number(record.id()) };
  }
}

/** A traveler step's checks: the moves are those of the check's step. */
export class CheckWorkResource extends MovesResource {
  protected stepOf(record: BaseRecord): StepRef | null {
    const stepId = Number(record.param('traveler_step_id'));
    return Number.isSafeInteger(stepId) && stepId > 0 ? { kind: 'routing', id: stepId } : null;
  }
}
