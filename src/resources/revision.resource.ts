import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { Revision } from '../models/index.js';
import { REVISION_STATUSES } from '../models/constants.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, textArea, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';

export const revisionResource: ResourceDefinition = {
  resource: Revision,
  options: {
    id: 'revisions',
    navigation: NAVIGATION.engineering,
    titleProperty: 'revision_code',
    sort: { sortBy: 'updated_at', direction: 'desc' },
    listProperties: ['part_id', 'revision_code', 'status', 'effective_date', 'updated_at'],
    showProperties: [PENDING_CHANGES, 'part_id', 'revision_code', 'status', 'effective_date', 'notes', 'id', 'created_at', 'updated_at', 'version'],
    editProperties: [...WRITABLE_FIELDS.revisions, CHANGE_REASON],
    filterProperties: ['part_id', 'revision_code', 'status', 'effective_date'],
    properties: {
      ...TIMESTAMPS,
      updated_at: { isVisible: { list: true, filter: true, show: true, edit: false } },
      status: {
        availableValues: REVISION_STATUSES.map((value) => ({ value, label: value })),
        description: 'Only one revision of a part can be released at a time.',
      },
      notes: textArea(),
    },
    actions: crudActions('revisions'),
  },
  labels: {
    name: 'Revisions',
    properties: { ...COMMON_LABELS, part_id: 'Part', revision_code: 'Revision', status: 'Status', effective_date: 'Effective date' },
  },
};
