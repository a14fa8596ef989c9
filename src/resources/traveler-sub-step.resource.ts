import { CheckWorkResource } from '../panel/step-work.adapter.js';
import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { TravelerSubStep } from '../models/index.js';
import { DISPOSITIONS, DISPOSITION_LABELS } from '../models/constants.js';
import { subStepWorkActions } from './step-work.actions.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

export function travelerSubStepResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: TravelerSubStep,
    // Each record carries what its step allows the person reading it (the step actions show that).
    adapter: CheckWorkResource,
    options: {
      id: 'traveler_sub_steps',
      navigation: NAVIGATION.travelers,
      titleProperty: 'description',
      sort: { sortBy: 'sequence', direction: 'asc' },
      listProperties: ['traveler_step_id', 'sequence', 'description', 'lower_limit', 'measured_value', 'upper_limit', 'out_of_limits', 'completed_by_id'],
      showProperties: [
        PENDING_CHANGES,
        'traveler_step_id',
        'sequence',
        'description',
        'requires_measurement',
        'unit',
        'lower_limit',
        'upper_limit',
        'measured_value',
        'out_of_limits',
        'completed_at',
        'completed_by_id',
        'disposition',
        'disposition_note',
        'disposition_by_id',
        'disposition_at',
        'id',
        'created_at',
        'updated_at',
        'version',
      ],
      // The measurement, the tick and quality's disposition are recorded with the check's actions
      // (Record check, Disposition) or on My work; a form edits only what the check asks for.
      editProperties: [...WRITABLE_FIELDS.traveler_sub_steps, CHANGE_REASON],
      filterProperties: ['traveler_step_id', 'requires_measurement', 'out_of_limits', 'disposition', 'completed_by_id'],
      properties: {
        ...TIMESTAMPS,
        out_of_limits: { type: 'boolean', isVisible: { list: true, filter: true, show: true, edit: false } },
        disposition: {
          availableValues: DISPOSITIONS.map((value) => ({ value, label: DISPOSITION_LABELS[value] })),
          isVisible: { list: false, filter: true, show: true, edit: false },
        },
        disposition_note: { type: 'textarea', isVisible: { list: false, filter: false, show: true, edit: false } },
      },
      actions: { ...crudActions('traveler_sub_steps', ctx), ...subStepWorkActions(ctx.db) },
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
        out_of_limits: 'Out of limits',
        disposition: 'Disposition',
        disposition_note: 'Disposition note',
        disposition_by_id: 'Disposition by (quality)',
        disposition_at: 'Disposition recorded',
      },
    },
  };
}
