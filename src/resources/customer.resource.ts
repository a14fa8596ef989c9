import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { Customer } from '../models/index.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, textArea, type ResourceDefinition } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

export function customerResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: Customer,
    options: {
      id: 'customers',
      navigation: NAVIGATION.engineering,
      titleProperty: 'name',
      sort: { sortBy: 'name', direction: 'asc' },
      listProperties: ['code', 'name', 'contact_name', 'email', 'phone', 'active'],
      showProperties: ['code', 'name', 'contact_name', 'email', 'phone', 'address', 'active', 'id', 'created_at', 'updated_at', 'version'],
      editProperties: [...WRITABLE_FIELDS.customers],
      filterProperties: ['code', 'name', 'contact_name', 'active'],
      properties: { ...TIMESTAMPS, address: textArea() },
      actions: crudActions('customers', ctx),
    },
    labels: {
      name: 'Customers',
      properties: { ...COMMON_LABELS, code: 'Code', name: 'Name', contact_name: 'Contact', email: 'Email', phone: 'Phone', address: 'Address' },
    },
  };
}
