import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import { User } from '../models/index.js';
import { ROLES, ROLE_LABELS } from '../auth/roles.js';
import type { ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import { CHOOSABLE_FILTER, TITLE_PROPERTY } from '../records/record-title-sql.js';
import { canFindPeople, canManageUsers, isAdmin } from '../auth/access-rules.js';
import {
  COMMON_LABELS,
  NAVIGATION,
  TIMESTAMPS,
  crudActions,
  gate,
  sessionUser,
  type ResourceDefinition,
  CHANGE_REASON,
  PENDING_CHANGES,
} from './resource-helpers.js';
import { userActivationActions } from './user-activation.actions.js';
import type { AppContext } from '../app-context.js';

interface SearchAnswer extends ActionResponse {
  records?: Array<{ params: Record<string, unknown>; populated?: unknown }>;
}

/**
 * A form's user field (a labor entry's operator) offers only who may be chosen there: anyone to
 * an administrator, oneself to everyone else (field-rules.ts labor_entries.user_id).
 */
async function peopleSearchScope(request: ActionRequest, context: ActionContext): Promise<ActionRequest> {
  const user = sessionUser(context.currentAdmin);
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (!user || isAdmin(user) || query[`filters.${CHOOSABLE_FILTER}`] !== 'true') return request;
  return { ...request, query: { ...query, 'filters.id': String(user.id) } };
}

/** People looked up by name see names: the rest of the directory is the administrators' (canManageUsers). */
async function peopleSearchResult(response: SearchAnswer, _request: ActionRequest, context: ActionContext): Promise<SearchAnswer> {
  if (canManageUsers(sessionUser(context.currentAdmin))) return response;
  return {
    ...response,
    records: (response.records ?? []).map((record) => ({
      ...record,
      params: { id: record.params.id, [TITLE_PROPERTY]: record.params[TITLE_PROPERTY], full_name: record.params.full_name },
      populated: {},
    })),
  };
}

export function userResource(ctx: AppContext): ResourceDefinition {
  const crud = crudActions('users', ctx);
  return {
    resource: User,
    options: {
      id: 'users',
      navigation: NAVIGATION.administration,
      titleProperty: 'full_name',
      sort: { sortBy: 'username', direction: 'asc' },
      listProperties: ['username', 'full_name', 'email', 'role', 'active', 'last_login_at'],
      showProperties: [
        PENDING_CHANGES,
        'id',
        'username',
        'full_name',
        'email',
        'role',
        'active',
        'last_login_at',
        'password_changed_at',
        'created_at',
        'updated_at',
        'version',
      ],
      // Active is switched by the Deactivate and Reactivate actions, each confirmed and named, not in the form.
      editProperties: [...WRITABLE_FIELDS.users.filter((field) => field !== 'active'), CHANGE_REASON],
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
        active: { description: 'Users are never deleted: Deactivate stops someone signing in.' },
      },
      actions: {
        ...crud,
        search: { isAccessible: gate(canFindPeople), before: peopleSearchScope, after: peopleSearchResult as never },
        ...userActivationActions,
      },
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
}
