import type { Model, ModelStatic } from 'sequelize';
import { AccessDeniedError, RESOURCE_RULES, asSessionUser, canEditLaborEntry, type ResourceId, type ResourceVerb } from '../auth/access-rules.js';
import { CHANGE_META_FIELDS, FIELD_VALUE_RULES, isWritableField } from '../auth/field-rules.js';
import type { Actor, UserActor } from '../audit/actor.js';
import { humanize, RecordValidationError } from './record-errors.js';
import { policyOf } from '../tables/index.js';

/**
 * The role matrix and the field allow-list, checked where the write happens: the record service
 * asks here before it writes, whatever called it (the panel, an API client, a future route).
 * AdminJS's isAccessible only decides what the panel shows. Scripts acting as a system actor are
 * trusted as the code that runs them.
 */

const VERB_WORDS: Record<ResourceVerb, string> = { read: 'read', create: 'create', update: 'change', delete: 'delete' };

function resourceOf(model: ModelStatic<Model>): ResourceId | undefined {
  const table = model.getTableName() as string;
  return table in RESOURCE_RULES ? (table as ResourceId) : undefined;
}

/** The table as a resource of the role matrix; a person may write no other table through this path. */
function userResource(model: ModelStatic<Model>, actor: UserActor, verb: ResourceVerb): ResourceId {
  const table = resourceOf(model);
  if (!table || !RESOURCE_RULES[table][verb](asSessionUser(actor))) {
    throw new AccessDeniedError(`Your role (${actor.role}) may not ${VERB_WORDS[verb]} ${String(model.getTableName()).replace(/_/g, ' ')}.`);
  }
  return table;
}

/** Record-level rules on the record as it is now (read under lock): an operator's own labor entry. */
function checkRecordRule(table: ResourceId, actor: UserActor, current: Record<string, unknown>): void {
  if (table === 'labor_entries' && !canEditLaborEntry(asSessionUser(actor), current.user_id)) {
    throw new AccessDeniedError('Operators change only their own labor entries; an administrator corrects anyone’s.');
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) =>
    v === '' || v === undefined ? null : v instanceof Date ? v.toISOString() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  const x = norm(a);
  const y = norm(b);
  if (x === null || y === null) return x === y;
  // The form echoes what it was shown: dates and numbers as text.
  const asDate = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v).toISOString() : v);
  return String(asDate(x)) === String(asDate(y));
}

/** Why a column that only a workflow moves is not typed in (the model says how it is set instead). */
function workflowMessage(model: ModelStatic<Model>, field: string): string | undefined {
  return policyOf(model).workflowFields?.[field];
}

/**
 * Whether a field outside the allow-list leaves the record as it would be anyway: on an edit,
 * the value it holds (a form echoes back what it was shown); on a create, nothing, the column's
 * default, or the acting person where the model records its author (a manual step's "added by").
 */
function unchanged(model: ModelStatic<Model>, actor: UserActor, field: string, value: unknown, current: Record<string, unknown> | null): boolean {
  if (current) return sameValue(value, current[field]);
  if (value === '' || value === null || value === undefined) return true;
  const attribute = model.getAttributes()[field] as { defaultValue?: unknown } | undefined;
  if (attribute?.defaultValue !== undefined && typeof attribute.defaultValue !== 'object' && sameValue(value, attribute.defaultValue)) return true;
  return policyOf(model).actorField === field && sameValue(value, actor.userId);
}

/**
 * Fields of the input a person may not set: unknown names are refused; a field outside the
 * allow-list is refused when it would change the record (a form echoes back what it was shown,
 * which changes nothing); a value a role may not give is refused with the rule's reason.
 */
function checkFields(
  model: ModelStatic<Model>,
  table: ResourceId,
  actor: UserActor,
  input: Record<string, unknown>,
  current: Record<string, unknown> | null,
): void {
  const attributes = model.getAttributes();
  const refused: Record<string, string> = {};
  const user = asSessionUser(actor);
  for (const [field, value] of Object.entries(input)) {
    if (CHANGE_META_FIELDS.has(field) || (field === 'version' && current)) continue;
    if (!(field in attributes)) {
      refused[field] = `${field} is not a field of ${table.replace(/_/g, ' ')}`;
      continue;
    }
    if (!isWritableField(table, field)) {
      if (!unchanged(model, actor, field, value, current)) refused[field] = workflowMessage(model, field) ?? `${humanize(field)} cannot be set here`;
      continue;
    }
    const rule = FIELD_VALUE_RULES[table]?.[field];
    const verdict = rule ? rule(user, value) : true;
    if (verdict !== true) refused[field] = verdict;
  }
  if (Object.keys(refused).length) throw new RecordValidationError(refused);
}

export function authorizeCreate(model: ModelStatic<Model>, actor: Actor, input: Record<string, unknown>): void {
  if (actor.kind !== 'user') return;
  checkFields(model, userResource(model, actor, 'create'), actor, input, null);
}

/** Before reading the record: may this person change this table at all? */
export function authorizeUpdateOf(model: ModelStatic<Model>, actor: Actor): void {
  if (actor.kind === 'user') userResource(model, actor, 'update');
}

/** With the record read under lock: its record-level rule, then the fields. */
export function authorizeUpdate(model: ModelStatic<Model>, actor: Actor, input: Record<string, unknown>, current: Record<string, unknown>): void {
  if (actor.kind !== 'user') return;
  const table = userResource(model, actor, 'update');
  checkRecordRule(table, actor, current);
  checkFields(model, table, actor, input, current);
}

export function authorizeDelete(model: ModelStatic<Model>, actor: Actor, records: Array<Record<string, unknown>>): void {
  if (actor.kind !== 'user') return;
  const table = userResource(model, actor, 'delete');
  for (const record of records) checkRecordRule(table, actor, record);
}
