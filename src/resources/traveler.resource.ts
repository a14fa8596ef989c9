import { Traveler } from '../models/index.js';
import { TRAVELER_STATUSES } from '../models/constants.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, textArea, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';

export const travelerResource: ResourceDefinition = {
  resource: Traveler,
  options: {
    id: 'travelers',
    navigation: NAVIGATION.travelers,
    titleProperty: 'number',
    sort: { sortBy: 'updated_at', direction: 'desc' },
    listProperties: ['number', 'work_order_id', 'part_id', 'revision_id', 'quantity', 'status', 'due_date', 'updated_at'],
    showProperties: [PENDING_CHANGES, 
      'number', 'work_order_id', 'part_id', 'revision_id', 'quantity', 'status', 'due_date',
      'released_at', 'started_at', 'completed_at', 'notes', 'id', 'created_at', 'updated_at', 'version',
    ],
    editProperties: ['number', 'work_order_id', 'part_id', 'revision_id', 'quantity', 'status', 'due_date', 'released_at', 'started_at', 'completed_at', 'notes', CHANGE_REASON],
    filterProperties: ['number', 'work_order_id', 'part_id', 'status', 'due_date', 'updated_at'],
    properties: {
      ...TIMESTAMPS,
      updated_at: { isVisible: { list: true, filter: true, show: true, edit: false } },
      status: { availableValues: TRAVELER_STATUSES.map((value) => ({ value, label: value.replace('_', ' ') })) },
      notes: textArea(),
    },
    actions: crudActions('travelers'),
  },
  labels: {
    name: 'Travelers',
    properties: {
      ...COMMON_LABELS,
      number: 'Traveler',
      work_order_id: 'Work order',
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
