import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { WorkCenter } from '../models/index.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, textArea, type ResourceDefinition } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

export function workCenterResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: WorkCenter,
    options: {
      id: 'work_centers',
      navigation: NAVIGATION.engineering,
      titleProperty: 'name',
      sort: { sortBy: 'code', direction: 'asc' },
      listProperties: ['code', 'name', 'active'],
      showProperties: ['code', 'name', 'description', 'active', 'id', 'created_at', 'updated_at', 'version'],
      editProperties: [...WRITABLE_FIELDS.work_centers],
      filterProperties: ['code', 'name', 'active'],
      properties: { ...TIMESTAMPS, description: textArea() },
      actions: crudActions('work_centers', ctx),
    },
    labels: { name: 'Work centers', properties: { ...COMMON_LABELS, code: 'Code', name: 'Name', description: 'Description' } },
  };
}
