import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { User } from '../models/index.js';
import { ROLES, ROLE_LABELS } from '../auth/roles.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, type ResourceDefinition, CHANGE_REASON, PENDING_CHANGES } from './resource-helpers.js';

export const userResource: ResourceDefinition = {
  resource: User,
  options: {
    id: 'users',
    navigation: NAVIGATION.administration,
    titleProperty: 'full_name',
    sort: { sortBy: 'username', direction: 'asc' },
    listProperties: ['username', 'full_name', 'email', 'role', 'active', 'last_login_at'],
    showProperties: [PENDING_CHANGES, 'id', 'username', 'full_name', 'email', 'role', 'active', 'last_login_at', 'password_changed_at', 'created_at', 'updated_at', 'version'],
    editProperties: [...WRITABLE_FIELDS.users, CHANGE_REASON],
    filterProperties: ['username', 'full_name', 'email', 'role', 'active'],
    properties: {
      ...TIMESTAMPS,
      // The hash never leaves the server: not listed, shown, filtered or editable.
      password_hash: { isVisible: false },
      password: {
        type: 'password',
        isVisible: { list: false, filter: false, show: false, edit: true },
        description: 'Leave empty to keep the current password. At least 12 characters, not containing the user name.',
      },
      role: { availableValues: ROLES.map((value) => ({ value, label: ROLE_LABELS[value] })) },
      last_login_at: { isVisible: { list: true, filter: false, show: true, edit: false } },
      password_changed_at: { isVisible: { list: false, filter: false, show: true, edit: false } },
      active: { description: 'Users are never deleted: switch this off to stop someone signing in.' },
    },
    actions: crudActions('users'),
  },
  labels: {
    name: 'Users',
    properties: {
      ...COMMON_LABELS,
      username: 'User name',
      full_name: 'Full name',
      email: 'Email',
      role: 'Role',
      password: 'New password',
      last_login_at: 'Last sign-in',
      password_changed_at: 'Password changed',
    },
  },
};
