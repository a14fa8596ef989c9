import type { Transaction } from 'sequelize';
import type { Actor } from '../audit/actor.js';
import { ProcessStep, SubStep, TravelerStep, TravelerSubStep } from '../models/index.js';

/**
 * Copies a revision's routing into a traveler. The traveler keeps its own copy so that later
 * routing changes never alter travelers already on the floor.
 */
export async function copyRoutingToTraveler(
  travelerId: number,
  revisionId: number,
  options: { transaction: Transaction; actor: Actor },
): Promise<TravelerStep[]> {
  const steps = await ProcessStep.findAll({
    where: { revision_id: revisionId },
    order: [['step_number', 'ASC']],
    transaction: options.transaction,
  });
  const copies: TravelerStep[] = [];
  for (const step of steps) {
    const copy = await TravelerStep.create(
      {
        traveler_id: travelerId,
        step_number: step.step_number,
        process_step_id: step.id,
        work_center_id: step.work_center_id,
        operation: step.operation,
        instructions: step.instructions,
        estimated_hours: step.estimated_hours,
        is_parallel: step.is_parallel,
      },
      options,
    );
    const subSteps = await SubStep.findAll({
      where: { process_step_id: step.id },
      order: [['sequence', 'ASC']],
      transaction: options.transaction,
    });
    for (const sub of subSteps) {
      await TravelerSubStep.create(
        {
          traveler_step_id: copy.id,
          sequence: sub.sequence,
          description: sub.description,
          requires_measurement: sub.requires_measurement,
          unit: sub.unit,
          lower_limit: sub.lower_limit,
          upper_limit: sub.upper_limit,
        },
        options,
      );
    }
    copies.push(copy);
  }
  return copies;
}
