import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { SubStep } from '../models/index.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

export function subStepResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: SubStep,
    options: {
      id: 'sub_steps',
      navigation: NAVIGATION.engineering,
      titleProperty: 'description',
      sort: { sortBy: 'sequence', direction: 'asc' },
      listProperties: ['process_step_id', 'sequence', 'description', 'requires_measurement', 'lower_limit', 'upper_limit', 'unit'],
      showProperties: [
        PENDING_CHANGES,
        'process_step_id',
        'sequence',
        'description',
        'requires_measurement',
        'lower_limit',
        'upper_limit',
        'unit',
        'id',
        'created_at',
        'updated_at',
        'version',
      ],
      editProperties: [...WRITABLE_FIELDS.sub_steps, CHANGE_REASON],
      filterProperties: ['process_step_id', 'description', 'requires_measurement'],
      properties: { ...TIMESTAMPS },
      actions: crudActions('sub_steps', ctx),
    },
    labels: {
      name: 'Routing sub-steps',
      properties: {
        ...COMMON_LABELS,
        process_step_id: 'Routing step',
        sequence: 'Sequence',
        description: 'Check',
        requires_measurement: 'Needs a measurement',
        lower_limit: 'Lower limit',
        upper_limit: 'Upper limit',
        unit: 'Unit',
      },
    },
  };
}
