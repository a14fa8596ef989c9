import { TravelerSubStep } from '../models/index.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';

export const travelerSubStepResource: ResourceDefinition = {
  resource: TravelerSubStep,
  options: {
    id: 'traveler_sub_steps',
    navigation: NAVIGATION.travelers,
    titleProperty: 'description',
    sort: { sortBy: 'sequence', direction: 'asc' },
    listProperties: ['traveler_step_id', 'sequence', 'description', 'lower_limit', 'measured_value', 'upper_limit', 'completed_by_id'],
    showProperties: [PENDING_CHANGES, 
      'traveler_step_id', 'sequence', 'description', 'requires_measurement', 'unit', 'lower_limit', 'upper_limit',
      'measured_value', 'completed_at', 'completed_by_id', 'id', 'created_at', 'updated_at', 'version',
    ],
    editProperties: [
      'traveler_step_id', 'sequence', 'description', 'requires_measurement', 'unit', 'lower_limit', 'upper_limit',
      'measured_value', 'completed_at', 'completed_by_id', CHANGE_REASON],
    filterProperties: ['traveler_step_id', 'requires_measurement', 'completed_by_id'],
    properties: { ...TIMESTAMPS },
    actions: crudActions('traveler_sub_steps'),
  },
  labels: {
    name: 'Traveler sub-steps',
    properties: {
      ...COMMON_LABELS,
      traveler_step_id: 'Traveler step',
      sequence: 'Sequence',
      description: 'Check',
      requires_measurement: 'Needs a measurement',
      unit: 'Unit',
      lower_limit: 'Lower limit',
      upper_limit: 'Upper limit',
      measured_value: 'Measured',
      completed_at: 'Checked',
      completed_by_id: 'Checked by',
    },
  },
};
