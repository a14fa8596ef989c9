import { TravelerStep } from '../models/traveler-step.model.js';
import { tablePolicy } from './table-policy.js';

export const travelerStepTable = tablePolicy<TravelerStep>({
  model: TravelerStep,
  /** Recorded on the floor (start, sign-off), never typed into a form. */
  workflowFields: {
    status: 'Steps are started and signed off with their actions (Start, Sign off) or on My work, not by editing',
    started_at: 'Set when the step is started',
    completed_at: 'Set by the sign-off',
    completed_by_id: 'The person who signs off, set by the sign-off',
  },
  ruleFields: {
    signOffComplete: 'completed_by_id',
    startedBeforeCompleted: 'completed_at',
  },
});
