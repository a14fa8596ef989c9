import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { ProcessStep } from '../models/index.js';
import { Components } from '../panel/component-loader.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, textArea, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

/** Not a column: the step's checks, written in place on its page. */
const CHECKS = 'checks';

export function processStepResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: ProcessStep,
    options: {
      id: 'process_steps',
      navigation: NAVIGATION.engineering,
      titleProperty: 'operation',
      sort: { sortBy: 'step_number', direction: 'asc' },
      listProperties: ['revision_id', 'step_number', 'operation', 'work_center_id', 'estimated_hours', 'is_parallel'],
      showProperties: [
        PENDING_CHANGES,
        'revision_id',
        'step_number',
        'operation',
        'work_center_id',
        'instructions',
        'estimated_hours',
        'is_parallel',
        CHECKS,
        'id',
        'created_at',
        'updated_at',
        'version',
      ],
      editProperties: [...WRITABLE_FIELDS.process_steps, CHANGE_REASON],
      filterProperties: ['revision_id', 'work_center_id', 'operation'],
      properties: {
        ...TIMESTAMPS,
        instructions: textArea(),
        is_parallel: { description: 'May be signed off before the step before it is complete.' },
        [CHECKS]: { type: 'string', components: { show: Components.RoutingEditor }, isVisible: { list: false, filter: false, show: true, edit: false } },
      },
      actions: crudActions('process_steps', ctx),
    },
    labels: {
      name: 'Routing steps',
      properties: {
        ...COMMON_LABELS,
        revision_id: 'Revision',
        step_number: 'Step',
        operation: 'Operation',
        work_center_id: 'Work center',
        instructions: 'Instructions',
        estimated_hours: 'Estimated hours',
        is_parallel: 'Parallel',
        checks: 'Checks',
      },
    },
  };
}
