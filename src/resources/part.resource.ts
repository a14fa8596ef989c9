import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { Part } from '../models/index.js';
import { UNITS_OF_MEASURE } from '../models/constants.js';
import { Components } from '../panel/component-loader.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, type ResourceDefinition, PENDING_CHANGES } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

/** Not a column: the part's revisions, with "add revision" in place. */
const REVISIONS = 'revisions';

export function partResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: Part,
    options: {
      id: 'parts',
      navigation: NAVIGATION.engineering,
      titleProperty: 'part_number',
      sort: { sortBy: 'part_number', direction: 'asc' },
      listProperties: ['part_number', 'description', 'customer_id', 'unit_of_measure', 'active'],
      showProperties: [
        PENDING_CHANGES,
        'part_number',
        'description',
        'customer_id',
        'unit_of_measure',
        'active',
        REVISIONS,
        'id',
        'created_at',
        'updated_at',
        'version',
      ],
      editProperties: [...WRITABLE_FIELDS.parts],
      filterProperties: ['part_number', 'description', 'customer_id', 'active'],
      properties: {
        ...TIMESTAMPS,
        unit_of_measure: { availableValues: UNITS_OF_MEASURE.map((value) => ({ value, label: value })) },
        customer_id: { description: 'Leave empty for a part made for several customers.' },
        [REVISIONS]: { type: 'string', components: { show: Components.RecordChildren }, isVisible: { list: false, filter: false, show: true, edit: false } },
      },
      actions: crudActions('parts', ctx),
    },
    labels: {
      name: 'Parts',
      properties: {
        ...COMMON_LABELS,
        part_number: 'Part number',
        description: 'Description',
        customer_id: 'Customer',
        unit_of_measure: 'Unit',
        revisions: 'Revisions',
      },
    },
  };
}
