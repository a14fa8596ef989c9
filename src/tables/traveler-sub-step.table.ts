import { TravelerSubStep } from '../models/traveler-sub-step.model.js';
import { tablePolicy } from './table-policy.js';

export const travelerSubStepTable = tablePolicy<TravelerSubStep>({
  model: TravelerSubStep,
  /** Recorded on the floor (check, measurement) or by quality (disposition), never typed into a form. */
  workflowFields: {
    measured_value: 'Measurements are recorded with the check’s Record action or on My work',
    completed_at: 'Set when the check is recorded',
    completed_by_id: 'The person recording the check',
    disposition: 'Quality records a disposition with the Disposition action',
    disposition_note: 'Given with the disposition',
    disposition_by_id: 'The quality person deciding',
    disposition_at: 'Set with the disposition',
  },
  derivedFields: ['out_of_limits'],
  ruleFields: {
    limitsOrdered: 'upper_limit',
    limitsNeedMeasurement: 'requires_measurement',
    signOffTogether: 'completed_by_id',
    measuredWhenRequired: 'measured_value',
    dispositionSigned: 'disposition_note',
  },
});
