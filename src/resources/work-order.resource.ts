import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { WorkOrder } from '../models/index.js';
import { WORK_ORDER_PRIORITIES, WORK_ORDER_STATUSES } from '../models/constants.js';
import { createTravelerAction } from './traveler-lifecycle.actions.js';
import { Components } from '../panel/component-loader.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, textArea, type ResourceDefinition } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

/** Not a column: the work order's travelers, with "Create traveler". */
const TRAVELERS = 'travelers';

export function workOrderResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: WorkOrder,
    options: {
      id: 'work_orders',
      navigation: NAVIGATION.travelers,
      titleProperty: 'number',
      sort: { sortBy: 'due_date', direction: 'asc' },
      listProperties: ['number', 'customer_id', 'part_id', 'revision_id', 'quantity', 'due_date', 'priority', 'status'],
      showProperties: [
        'number',
        'customer_id',
        'part_id',
        'revision_id',
        'quantity',
        'due_date',
        'priority',
        'status',
        'notes',
        TRAVELERS,
        'id',
        'created_at',
        'updated_at',
        'version',
      ],
      editProperties: [...WRITABLE_FIELDS.work_orders],
      filterProperties: ['number', 'customer_id', 'part_id', 'status', 'priority', 'due_date'],
      properties: {
        ...TIMESTAMPS,
        priority: { availableValues: WORK_ORDER_PRIORITIES.map((value) => ({ value, label: value })) },
        number: { isRequired: false, description: 'Leave empty to get the next free number when you save.' },
        status: {
          availableValues: WORK_ORDER_STATUSES.map((value) => ({ value, label: value.replace('_', ' ') })),
          description: 'A new work order starts open.',
        },
        revision_id: { description: 'Optional: travelers use the part’s released revision when this is empty.', custom: { dependsOn: 'part_id' } },
        notes: textArea(),
        [TRAVELERS]: { type: 'string', components: { show: Components.RecordChildren }, isVisible: { list: false, filter: false, show: true, edit: false } },
      },
      actions: { ...crudActions('work_orders', ctx), createTraveler: createTravelerAction(ctx) },
    },
    labels: {
      name: 'Work orders',
      properties: {
        ...COMMON_LABELS,
        number: 'Work order',
        customer_id: 'Customer',
        part_id: 'Part',
        revision_id: 'Revision',
        quantity: 'Quantity',
        due_date: 'Due date',
        priority: 'Priority',
        status: 'Status',
        travelers: 'Travelers',
      },
    },
  };
}
