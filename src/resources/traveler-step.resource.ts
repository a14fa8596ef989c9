import { StepWorkResource } from '../panel/step-work.adapter.js';
import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { TravelerStep } from '../models/index.js';
import { STEP_STATUSES } from '../models/constants.js';
import { stepWorkActions } from './step-work.actions.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, textArea, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

export function travelerStepResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: TravelerStep,
    // Each record carries what its step allows the person reading it (the step actions show that).
    adapter: StepWorkResource,
    options: {
      id: 'traveler_steps',
      navigation: NAVIGATION.travelers,
      titleProperty: 'operation',
      sort: { sortBy: 'step_number', direction: 'asc' },
      listProperties: ['traveler_id', 'step_number', 'operation', 'work_center_id', 'status', 'completed_by_id', 'completed_at'],
      showProperties: [
        PENDING_CHANGES,
        'traveler_id',
        'step_number',
        'operation',
        'work_center_id',
        'instructions',
        'estimated_hours',
        'is_parallel',
        'status',
        'started_at',
        'completed_at',
        'completed_by_id',
        'process_step_id',
        'id',
        'created_at',
        'updated_at',
        'version',
      ],
      // Status and sign-off are recorded by the step's actions (Start, Sign off), never typed in.
      editProperties: [...WRITABLE_FIELDS.traveler_steps, CHANGE_REASON],
      filterProperties: ['traveler_id', 'work_center_id', 'status', 'completed_by_id'],
      properties: {
        ...TIMESTAMPS,
        status: { availableValues: STEP_STATUSES.map((value) => ({ value, label: value.replace('_', ' ') })) },
        instructions: textArea(),
        process_step_id: { isVisible: { list: false, filter: false, show: true, edit: false } },
      },
      actions: { ...crudActions('traveler_steps', ctx), ...stepWorkActions('traveler_steps', ctx.db) },
    },
    labels: {
      name: 'Traveler steps',
      properties: {
        ...COMMON_LABELS,
        traveler_id: 'Traveler',
        step_number: 'Step',
        operation: 'Operation',
        work_center_id: 'Work center',
        instructions: 'Instructions',
        estimated_hours: 'Estimated hours',
        is_parallel: 'Parallel',
        status: 'Status',
        started_at: 'Started',
        completed_at: 'Signed off',
        completed_by_id: 'Signed off by',
        process_step_id: 'Copied from routing step',
      },
    },
  };
}
