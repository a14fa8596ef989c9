import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { Traveler } from '../models/index.js';
import { TRAVELER_STATUSES } from '../models/constants.js';
import { Components } from '../panel/component-loader.js';
import { addManualStepAction, printTravelerAction, stepsOverviewAction, travelerLifecycleActions } from './traveler-lifecycle.actions.js';

/** Not a column: the traveler's steps with their state, shown on its page. */
const STEPS_OVERVIEW = 'steps_overview';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, textArea, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

export function travelerResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: Traveler,
    options: {
      id: 'travelers',
      navigation: NAVIGATION.travelers,
      titleProperty: 'number',
      sort: { sortBy: 'updated_at', direction: 'desc' },
      listProperties: ['number', 'work_order_id', 'customer_id', 'part_id', 'revision_id', 'quantity', 'status', 'due_date', 'updated_at'],
      showProperties: [
        PENDING_CHANGES,
        'number',
        'status',
        'status_reason',
        'work_order_id',
        'customer_id',
        'part_id',
        'revision_id',
        'quantity',
        'due_date',
        'released_at',
        'started_at',
        'completed_at',
        'notes',
        STEPS_OVERVIEW,
        'id',
        'created_at',
        'updated_at',
        'version',
      ],
      // The status moves only with the lifecycle actions; the customer is the work order's. A
      // released traveler's number, work order, part, revision and quantity change by approval.
      editProperties: [...WRITABLE_FIELDS.travelers, CHANGE_REASON],
      filterProperties: ['number', 'work_order_id', 'customer_id', 'part_id', 'status', 'due_date', 'updated_at'],
      properties: {
        ...TIMESTAMPS,
        updated_at: { isVisible: { list: true, filter: true, show: true, edit: false } },
        status: { availableValues: TRAVELER_STATUSES.map((value) => ({ value, label: value.replace('_', ' ') })) },
        [STEPS_OVERVIEW]: {
          type: 'string',
          components: { show: Components.TravelerSteps },
          isVisible: { list: false, filter: false, show: true, edit: false },
        },
        status_reason: { type: 'textarea', isVisible: { list: false, filter: false, show: true, edit: false } },
        customer_id: { isVisible: { list: true, filter: true, show: true, edit: false } },
        revision_id: { custom: { dependsOn: 'part_id' } },
        notes: textArea(),
      },
      actions: {
        ...crudActions('travelers', ctx),
        // A traveler is made from its work order ("Create traveler" there), which copies the routing.
        new: { isAccessible: false, isVisible: false },
        ...travelerLifecycleActions(ctx.db),
        addManualStep: addManualStepAction,
        print: printTravelerAction,
        stepsOverview: stepsOverviewAction(ctx.db),
      },
    },
    labels: {
      name: 'Travelers',
      properties: {
        ...COMMON_LABELS,
        number: 'Traveler',
        work_order_id: 'Work order',
        customer_id: 'Customer',
        steps_overview: 'Steps',
        status_reason: 'Reason for hold or cancellation',
        part_id: 'Part',
        revision_id: 'Revision',
        quantity: 'Quantity',
        status: 'Status',
        due_date: 'Due date',
        released_at: 'Released',
        started_at: 'Started',
        completed_at: 'Completed',
      },
    },
  };
}
