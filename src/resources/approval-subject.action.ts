import type AdminJS from 'adminjs';
import { ViewHelpers, type Action, type ActionContext, type ActionResponse, type BaseRecord } from 'adminjs';
import { describerFor } from '../panel/record-describer.js';
import { ruleById } from '../approvals/approval-policy.js';
import { approvalSubject, type ApprovalSubject } from '../approvals/approval-subject.service.js';
import type { ApprovalView, RequestRecord, RequestedChange } from '../panel/approval-view.js';
import { RESOURCE_RULES, canReadApprovals, canReadShopData, type ResourceId, type SessionUser } from '../auth/access-rules.js';
import { readableValue, shopTimeZone } from '../audit/audit-values.js';
import { referenceTargets } from '../audit/record-titles.js';
import type { Sequelize } from 'sequelize';
import { sessionUser } from './resource-helpers.js';

/** How a request names the kind of record it is about ("Routing step", not "process_steps"). */
const RECORD_KINDS: Record<string, string> = {
  travelers: 'Traveler',
  traveler_steps: 'Traveler step',
  traveler_sub_steps: 'Traveler check',
  manual_steps: 'Manual step',
  revisions: 'Revision',
  process_steps: 'Routing step',
  sub_steps: 'Routing check',
  users: 'User',
  parts: 'Part',
};

const kindOf = (table: string) =>
  RECORD_KINDS[table] ??
  table
    .replace(/_/g, ' ')
    .replace(/s$/, '')
    .replace(/^./, (c) => c.toUpperCase());

const readable = (table: string, user: SessionUser | undefined) => table in RESOURCE_RULES && RESOURCE_RULES[table as ResourceId].read(user);

/** Titles of records by the panel's names for them (records/record-title-sql.ts), through the resource's adapter. */
async function titlesOf(admin: AdminJS, table: string, ids: string[]): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  const resource = admin.resources.find((r) => r.id() === table);
  if (!resource || ids.length === 0) return titles;
  for (const found of await resource.findMany(ids)) titles.set(String(found.id()), String(found.param('title') ?? found.id()));
  return titles;
}

async function recordRef(
  admin: AdminJS,
  table: string | null,
  id: unknown,
  user: SessionUser | undefined,
  subject: ApprovalSubject | null,
): Promise<RequestRecord | null> {
  if (!table || id === null || id === undefined || id === '') return null;
  const key = String(id);
  const kind = kindOf(table);
  // The traveler or revision whose content is approved has its full name already ("Traveler T-26003 (SHF-0330 rev 01, quantity 250)").
  const title =
    subject && subject.table === table && String(subject.id) === key
      ? subject.title.replace(new RegExp(`^${kind} `), '')
      : (await titlesOf(admin, table, [key])).get(key);
  const exists = title !== undefined;
  const shown = title ?? `#${key} (no longer exists)`;
  const withName = table === 'users' && exists ? await userName(admin, key, shown) : shown;
  return { kind, title: withName, href: exists && readable(table, user) ? new ViewHelpers({ options: admin.options }).showUrl(table, key) : null, exists };
}

/** A user is named with their user name too: two people may share a name. */
async function userName(admin: AdminJS, id: string, fullName: string): Promise<string> {
  const resource = admin.resources.find((r) => r.id() === 'users');
  const user = await resource?.findOne(id);
  const username = user?.param('username');
  return username ? `${fullName} (${String(username)})` : fullName;
}

async function requestedChanges(sequelize: Sequelize, admin: AdminJS, record: BaseRecord): Promise<RequestedChange[]> {
  const table = String(record.param('target_table'));
  const describe = describerFor(admin);
  const diff = (record.params as Record<string, unknown>) ?? {};
  const fields = new Map<string, { old: unknown; new: unknown }>();
  for (const [key, value] of Object.entries(diff)) {
    const m = key.match(/^changes\.(.+)\.(old|new)$/);
    if (!m) continue;
    const entry = fields.get(m[1]!) ?? { old: null, new: null };
    entry[m[2] as 'old' | 'new'] = value;
    fields.set(m[1]!, entry);
  }
  const refs = referenceTargets(sequelize, table);
  // One lookup per referenced table for every id the diff names.
  const wanted = new Map<string, Set<string>>();
  for (const [field, v] of fields) {
    const target = refs.get(field);
    if (!target) continue;
    for (const value of [v.old, v.new])
      if (value !== null && value !== undefined && value !== '') (wanted.get(target) ?? wanted.set(target, new Set()).get(target)!).add(String(value));
  }
  const titles = new Map<string, Map<string, string>>();
  for (const [target, ids] of wanted) titles.set(target, await titlesOf(admin, target, [...ids]));
  const zone = shopTimeZone();
  const show = (field: string, value: unknown): string | null => {
    if (value === null || value === undefined || value === '') return null;
    const target = refs.get(field);
    if (target) return titles.get(target)?.get(String(value)) ?? `#${String(value)}`;
    return readableValue(sequelize, describe, zone, table, field, String(value));
  };
  return [...fields].map(([field, v]) => ({ field, label: describe.fieldLabel(table, field), before: show(field, v.old), after: show(field, v.new) }));
}

/**
 * What a request is about and what it changes, in full, for the request's page, the decision
 * form and My approvals: the record and what it belongs to, named and linked; the change with
 * values as people read them; the traveler's steps and checks or the routing, before and after
 * (approval-subject.service.ts). Called by the components only, so no button of its own.
 */
export function approvalSubjectAction(db: Sequelize): Partial<Action<ActionResponse>> {
  return {
    actionType: 'record',
    component: false,
    isVisible: false,
    isAccessible: ({ currentAdmin }) => canReadApprovals(sessionUser(currentAdmin)) && canReadShopData(sessionUser(currentAdmin)),
    handler: async (_request, _response, context: ActionContext): Promise<ActionResponse> => {
      const { record, currentAdmin, _admin } = context;
      if (!record) throw new Error('no record');
      const user = sessionUser(currentAdmin);
      const subject = await approvalSubject(db, Number(record.id()));
      const operation = record.param('operation') as ApprovalView['operation'];
      const targetTable = String(record.param('target_table'));
      const parentTable = (record.param('parent_table') as string | null) ?? null;
      const [target, parent, created, changes] = await Promise.all([
        recordRef(_admin, targetTable, record.param('target_id'), user, subject),
        recordRef(_admin, parentTable, record.param('parent_id'), user, subject),
        recordRef(_admin, targetTable, record.param('applied_record_id'), user, subject),
        requestedChanges(db, _admin, record),
      ]);
      const view: ApprovalView = {
        what: ruleById(record.param('rule') as string | null)?.description ?? 'A change that needs approval',
        operation,
        kind: kindOf(targetTable),
        record: target,
        parent,
        created,
        changes,
        subject,
      };
      return { record: record.toJSON(currentAdmin), subject, view };
    },
  };
}
