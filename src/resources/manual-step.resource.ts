import { StepWorkResource } from '../panel/step-work.adapter.js';
import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { ManualStep } from '../models/index.js';
import { STEP_STATUSES } from '../models/constants.js';
import { stepWorkActions } from './step-work.actions.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, textArea, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

export function manualStepResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: ManualStep,
    // Each record carries what its step allows the person reading it (the step actions show that).
    adapter: StepWorkResource,
    options: {
      id: 'manual_steps',
      navigation: NAVIGATION.travelers,
      titleProperty: 'operation',
      sort: { sortBy: 'created_at', direction: 'desc' },
      listProperties: ['traveler_id', 'after_step_number', 'operation', 'work_center_id', 'status', 'added_by_id', 'created_at'],
      showProperties: [
        PENDING_CHANGES,
        'traveler_id',
        'after_step_number',
        'operation',
        'work_center_id',
        'instructions',
        'reason',
        'estimated_hours',
        'status',
        'added_by_id',
        'started_at',
        'completed_at',
        'completed_by_id',
        'id',
        'created_at',
        'updated_at',
        'version',
      ],
      // Status and sign-off come from the step's actions; "added by" is whoever is signed in.
      editProperties: [...WRITABLE_FIELDS.manual_steps, CHANGE_REASON],
      filterProperties: ['traveler_id', 'work_center_id', 'status', 'added_by_id'],
      properties: {
        ...TIMESTAMPS,
        created_at: { isVisible: { list: true, filter: true, show: true, edit: false } },
        status: { availableValues: STEP_STATUSES.map((value) => ({ value, label: value.replace('_', ' ') })) },
        instructions: textArea(),
        reason: { ...textArea(), description: 'Why this step is added to this traveler only (at least 3 characters).' },
        after_step_number: { description: '0 puts the step before the first routing step.' },
      },
      actions: { ...crudActions('manual_steps', ctx), ...stepWorkActions('manual_steps', ctx.db) },
    },
    labels: {
      name: 'Manual steps',
      properties: {
        ...COMMON_LABELS,
        traveler_id: 'Traveler',
        after_step_number: 'After step',
        operation: 'Operation',
        work_center_id: 'Work center',
        instructions: 'Instructions',
        reason: 'Reason',
        estimated_hours: 'Estimated hours',
        status: 'Status',
        added_by_id: 'Added by',
        started_at: 'Started',
        completed_at: 'Signed off',
        completed_by_id: 'Signed off by',
      },
    },
  };
}
