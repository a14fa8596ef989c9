import { WRITABLE_FIELDS } from '../auth/field-rules.js';
import type { ActionRequest, ActionContext, BaseRecord, CurrentAdmin } from 'adminjs';
import { captureFormInput } from '../panel/panel-request-state.js';
import { LaborEntry } from '../models/index.js';
import { LABOR_ENTRY_TYPES } from '../models/constants.js';
import { RESOURCE_RULES, canEditLaborEntry, isAdmin } from '../auth/access-rules.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, gate, sessionUser, textArea, type ResourceDefinition } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

const ownEntry = ({ currentAdmin, record }: { currentAdmin?: CurrentAdmin; record?: BaseRecord }) =>
  canEditLaborEntry(sessionUser(currentAdmin), record?.param('user_id'));

/**
 * An operator's new entry is their own when the form leaves the person out; naming someone else
 * is refused by the record service (field-rules.ts), not silently changed.
 */
async function entryForSelf(request: ActionRequest, context: ActionContext): Promise<ActionRequest> {
  const user = sessionUser(context.currentAdmin);
  if (request.method === 'post' && request.payload && user && !isAdmin(user) && (request.payload.user_id === undefined || request.payload.user_id === '')) {
    return { ...request, payload: { ...request.payload, user_id: String(user.id) } };
  }
  return request;
}

export function laborEntryResource(ctx: AppContext): ResourceDefinition {
  const base = crudActions('labor_entries', ctx);
  return {
    resource: LaborEntry,
    options: {
      id: 'labor_entries',
      navigation: NAVIGATION.travelers,
      titleProperty: 'id',
      sort: { sortBy: 'started_at', direction: 'desc' },
      listProperties: ['user_id', 'traveler_id', 'traveler_step_id', 'started_at', 'ended_at', 'hours', 'entry_type'],
      showProperties: [
        'user_id',
        'traveler_id',
        'traveler_step_id',
        'manual_step_id',
        'started_at',
        'ended_at',
        'hours',
        'entry_type',
        'reason',
        'id',
        'created_at',
        'updated_at',
        'version',
      ],
      editProperties: [...WRITABLE_FIELDS.labor_entries],
      filterProperties: ['user_id', 'traveler_id', 'traveler_step_id', 'started_at', 'entry_type'],
      properties: {
        ...TIMESTAMPS,
        hours: { isVisible: { list: true, filter: false, show: true, edit: false }, description: 'Computed from start and end.' },
        entry_type: { availableValues: LABOR_ENTRY_TYPES.map((value) => ({ value, label: value === 'clock' ? 'clock in/out' : 'manual entry' })) },
        reason: { ...textArea(), description: 'Required for a manual entry.' },
        ended_at: { description: 'Empty while the operator is clocked in.' },
        traveler_step_id: { custom: { dependsOn: 'traveler_id' } },
        manual_step_id: { custom: { dependsOn: 'traveler_id' } },
      },
      actions: {
        ...base,
        new: { isAccessible: gate(RESOURCE_RULES.labor_entries.create), before: [entryForSelf, captureFormInput], after: base.new?.after as never },
        edit: { isAccessible: ownEntry, before: [entryForSelf, captureFormInput] },
      },
    },
    labels: {
      name: 'Labor',
      properties: {
        ...COMMON_LABELS,
        user_id: 'Operator',
        traveler_id: 'Traveler',
        traveler_step_id: 'Step',
        manual_step_id: 'Manual step',
        started_at: 'Start',
        ended_at: 'End',
        hours: 'Hours',
        entry_type: 'Entry',
        reason: 'Reason',
      },
    },
  };
}
