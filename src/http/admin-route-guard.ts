import type AdminJS from 'adminjs';
import type { NextFunction, Request, Response } from 'express';
import { DataTypes } from 'sequelize';
import { RequestRefused, sendRefusal } from './request-gate.js';

/**
 * AdminJS's routes take a resource, an action, a record id and a page from the address and look
 * them up as they are: an unknown name, `__proto__`, a record id such as 2147483648 or 0x6, or a
 * list of ids with a word in it reached its handlers and ended as a server error (or, for a bulk
 * delete, as a partial one). Here every such part is checked against what the panel has before
 * any handler runs; what does not exist is a 404 with its name, a malformed list a 400.
 */

const INT4_MAX = 2_147_483_647n;
const INT8_MAX = 9_223_372_036_854_775_807n;
/** The panel selects at most a page of records for a bulk action. */
const MAX_BULK_IDS = 500;

type ActionType = 'resource' | 'record' | 'bulk';

interface KnownResource {
  actions: Map<string, ActionType>;
  /** The largest primary key value the table can hold; null when ids are not integers. */
  maxId: bigint | null;
}

function own<T>(map: Map<string, T>, key: string | undefined): T | undefined {
  return key === undefined ? undefined : map.get(key);
}

function catalogue(admin: AdminJS): { resources: Map<string, KnownResource>; pages: Set<string> } {
  const resources = new Map<string, KnownResource>();
  for (const resource of admin.resources) {
    const decorated = resource.decorate();
    const actions = new Map<string, ActionType>();
    for (const [name, action] of Object.entries(decorated.actions)) {
      actions.set(name, action.isRecordType() ? 'record' : action.isBulkType() ? 'bulk' : 'resource');
    }
    const model = (resource as unknown as { SequelizeModel?: { primaryKeyAttribute: string; getAttributes(): Record<string, { type: unknown }> } })
      .SequelizeModel;
    const key = model ? model.getAttributes()[model.primaryKeyAttribute]?.type : undefined;
    const maxId = key instanceof DataTypes.BIGINT ? INT8_MAX : key instanceof DataTypes.INTEGER ? INT4_MAX : null;
    resources.set(decorated.id(), { actions, maxId });
  }
  return { resources, pages: new Set(Object.keys(admin.options.pages ?? {})) };
}

/** A record id as the database writes it: digits, no sign, no leading zero, within the column's range. */
function validId(raw: string, maxId: bigint | null): boolean {
  if (maxId === null) return raw.length > 0 && raw.length <= 64;
  return /^[1-9][0-9]{0,18}$/.test(raw) && BigInt(raw) <= maxId;
}

const ROUTE = /^\/(api\/)?(?:resources\/([^/]+)(?:\/(actions|records|bulk|search)(?:\/([^/]+))?(?:\/([^/]+))?(?:\/([^/]+))?)?|pages\/([^/]+))\/?$/;

function decode(part: string | undefined): string | undefined {
  if (part === undefined) return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    return '\u0000';
  }
}

export function adminRouteGuard(admin: AdminJS) {
  let known: ReturnType<typeof catalogue> | undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    const match = ROUTE.exec(req.path);
    if (!match) return next();
    known ??= catalogue(admin);
    const api = Boolean(match[1]);
    const [resourceId, kind, a, b] = [decode(match[2]), match[3], decode(match[4]), decode(match[5])];
    const pageName = decode(match[7]);
    const refuse = (status: number, message: string) => sendRefusal(req, res, new RequestRefused(status, message));

    if (pageName !== undefined) return known.pages.has(pageName) ? next() : refuse(404, `There is no page "${pageName}".`);
    const resource = own(known.resources, resourceId);
    if (!resource) return refuse(404, `There is no resource "${resourceId}".`);
    if (kind === undefined || kind === 'search') return next();
    if (kind === 'actions') {
      if (own(resource.actions, a) !== 'resource') return refuse(404, `The resource "${resourceId}" has no action "${a}".`);
      // The stock "new" reads its form only from a POST and fails on anything else.
      if (api && a === 'new' && req.method !== 'POST') return refuse(405, 'Creating a record is a POST of its form.');
      return next();
    }
    if (kind === 'records') {
      if (a === undefined || b === undefined) return refuse(404, 'The address names no record action.');
      if (!validId(a, resource.maxId)) return refuse(404, `There is no ${resourceId} record "${a}".`);
      if (own(resource.actions, b) !== 'record') return refuse(404, `The resource "${resourceId}" has no record action "${b}".`);
      return next();
    }
    // bulk
    if (own(resource.actions, a) !== 'bulk') return refuse(404, `The resource "${resourceId}" has no bulk action "${a}".`);
    const ids = req.query.recordIds;
    if (typeof ids !== 'string' || ids === '') return refuse(400, 'Name the records with recordIds=1,2,3.');
    const list = ids.split(',');
    if (list.length > MAX_BULK_IDS) return refuse(400, `At most ${MAX_BULK_IDS} records at once.`);
    const bad = list.find((id) => !validId(id, resource.maxId));
    if (bad !== undefined) return refuse(400, `"${bad.slice(0, 40)}" is not a ${resourceId} record id: nothing was done.`);
    if (new Set(list).size !== list.length) return refuse(400, 'A record is named twice in recordIds: nothing was done.');
    next();
  };
}
