import { ManualStep } from '../models/manual-step.model.js';
import { tablePolicy } from './table-policy.js';

export const manualStepTable = tablePolicy<ManualStep>({
  model: ManualStep,
  /** Recorded on the floor (start, sign-off), never typed into a form. */
  workflowFields: {
    status: 'Steps are started and signed off with their actions (Start, Sign off) or on My work, not by editing',
    started_at: 'Set when the step is started',
    completed_at: 'Set by the sign-off',
    completed_by_id: 'The person who signs off, set by the sign-off',
  },
  /** The person adding the step: always whoever is signed in. */
  actorField: 'added_by_id',
  ruleFields: {
    signOffComplete: 'completed_by_id',
    startedBeforeCompleted: 'completed_at',
  },
});
