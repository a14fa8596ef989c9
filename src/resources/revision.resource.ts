import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { Revision } from '../models/index.js';
import { REVISION_STATUSES } from '../models/constants.js';
import { Components } from '../panel/component-loader.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, textArea, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';
import { revisionStatusActions } from './revision-status.actions.js';
import type { AppContext } from '../app-context.js';

/** Not a column: the revision's routing (steps with their checks), written in place on its page. */
const ROUTING = 'routing';

export function revisionResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: Revision,
    options: {
      id: 'revisions',
      navigation: NAVIGATION.engineering,
      titleProperty: 'revision_code',
      sort: { sortBy: 'updated_at', direction: 'desc' },
      listProperties: ['part_id', 'revision_code', 'status', 'effective_date', 'updated_at'],
      showProperties: [PENDING_CHANGES, 'part_id', 'revision_code', 'status', 'effective_date', 'notes', ROUTING, 'id', 'created_at', 'updated_at', 'version'],
      // Not the status: it moves with the Release and Make obsolete actions (their checks and approval).
      editProperties: [...WRITABLE_FIELDS.revisions, CHANGE_REASON],
      filterProperties: ['part_id', 'revision_code', 'status', 'effective_date'],
      properties: {
        ...TIMESTAMPS,
        updated_at: { isVisible: { list: true, filter: true, show: true, edit: false } },
        status: {
          availableValues: REVISION_STATUSES.map((value) => ({ value, label: value })),
          description: 'Changed with the Release and Make obsolete actions. Only one revision of a part is released at a time.',
        },
        [ROUTING]: { type: 'string', components: { show: Components.RoutingEditor }, isVisible: { list: false, filter: false, show: true, edit: false } },
        notes: textArea(),
      },
      actions: { ...crudActions('revisions', ctx), ...revisionStatusActions(ctx.db) },
    },
    labels: {
      name: 'Revisions',
      properties: { ...COMMON_LABELS, part_id: 'Part', revision_code: 'Revision', status: 'Status', effective_date: 'Effective date', routing: 'Routing' },
    },
  };
}
