import { SubStep } from '../models/sub-step.model.js';
import { tablePolicy } from './table-policy.js';

export const subStepTable = tablePolicy<SubStep>({
  model: SubStep,
  ruleFields: {
    limitsOrdered: 'upper_limit',
    limitsNeedMeasurement: 'requires_measurement',
  },
});
