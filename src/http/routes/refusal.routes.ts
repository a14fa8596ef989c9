import type AdminJS from 'adminjs';
import type { ActionContext, ActionDecorator, BaseRecord, CurrentAdmin } from 'adminjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { PAGE_ACCESS, type Predicate, type SessionUser } from '../../auth/access-rules.js';
import { ROLES, type Role } from '../../auth/roles.js';
import { recordAccessDenied } from '../../panel/access-denied.js';
import { describerFor } from '../../panel/record-describer.js';
import { asyncRoute } from '../async-route.js';
import type { AppContext } from '../../app-context.js';

/**
 * Whether the person may open a panel address, asked by the panel's routes before they render it
 * (panel/components/refusable-route.tsx): an address typed or kept from another role is answered
 * with a "You may not do this" page that says what was refused and why, in one sentence, instead
 * of AdminJS's "404, no such action" with its internal names. The answer is 200 either way (this
 * is a question, not the action); the action itself still answers 403 to any caller. A refusal
 * here is recorded like every other (an `access_denied` audit row): the panel offers no link to
 * such an address, so someone typed it.
 */

export const REFUSALS_API = '/api/refusals';

export type RouteVerdict =
  | { state: 'allowed' }
  | { state: 'refused'; what: string; why: string }
  | { state: 'missing'; what: string; why: string }
  /** Allowed to the person, but not for the record as it is now (Approve on a decided request). */
  | { state: 'unavailable'; what: string; why: string };

/** Roles as a sentence names them. */
const ROLE_PLURALS: Record<Role, string> = {
  admin: 'administrators',
  engineer: 'engineers',
  quality: 'quality staff',
  approver: 'approvers',
  operator: 'operators',
  viewer: 'viewers',
};
const ROLE_NAMES: Record<Role, string> = {
  admin: 'administrator',
  engineer: 'engineer',
  quality: 'quality',
  approver: 'approver',
  operator: 'operator',
  viewer: 'viewer',
};

const listOf = (words: string[]) => (words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`);

/** Someone of each role, to ask an action's own isAccessible who it is for. */
function standIn(role: Role): CurrentAdmin {
  return { id: -1, username: '', email: '', title: '', role } as unknown as CurrentAdmin;
}

/** The roles the action is open to (on this record, when it is a record action). */
function rolesAllowed(action: ActionDecorator, record?: BaseRecord): Role[] {
  return ROLES.filter((role) => {
    try {
      return action.isAccessible(standIn(role), record);
    } catch {
      return false;
    }
  });
}

function why(user: SessionUser, allowed: Role[], doing: string): string {
  if (allowed.length === 0)
    return `Nobody may ${doing} directly: NEXUS does it only through its own actions (such as Create traveler on a work order, Release or Approve).`;
  if (allowed.includes(user.role)) return `Your role may ${doing} in general, but not on this record (it may belong to someone else).`;
  return `Only ${listOf(allowed.map((r) => ROLE_PLURALS[r]))} may ${doing}; your role is ${ROLE_NAMES[user.role]}.`;
}

function actionWords(admin: AdminJS, resourceId: string, actionName: string): { label: string; doing: string } {
  const describe = describerFor(admin);
  const things = describe.tableLabel(resourceId);
  const lower = things.toLowerCase();
  switch (actionName) {
    case 'list':
      return { label: things, doing: `open ${things}` };
    case 'show':
      return { label: `${things}: open`, doing: `open ${lower}` };
    case 'new':
      return { label: `${things}: create`, doing: `create ${lower}` };
    case 'edit':
      return { label: `${things}: edit`, doing: `edit ${lower}` };
    case 'delete':
    case 'bulkDelete':
      return { label: `${things}: delete`, doing: `delete ${lower}` };
    case 'history':
      return { label: `${things}: history`, doing: `read the history of ${lower}` };
    default: {
      const name = actionName.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      return { label: `${things}: ${name}`, doing: `${name} ${lower}` };
    }
  }
}

const MISSING = (what: string): RouteVerdict => ({
  state: 'missing',
  what,
  why: 'There is no such page in NEXUS: the address may be mistyped, or the record deleted.',
});

async function recordVerdict(
  admin: AdminJS,
  user: SessionUser,
  currentAdmin: CurrentAdmin,
  resourceId: string,
  recordId: string,
  actionName: string,
): Promise<RouteVerdict> {
  const resource = admin.resources.find((r) => r.id() === resourceId);
  const action = resource?.decorate().actions[actionName];
  const words = actionWords(admin, resourceId, actionName);
  if (!resource || !action || !action.isRecordType() || action.toJSON(currentAdmin).component === false) return MISSING(words.label);
  // Reading the records comes first: whether a record exists is not told to someone who may not read them.
  const show = resource.decorate().actions.show;
  const numbered = `${words.label} · #${recordId}`;
  if (show && !show.isAccessible(currentAdmin))
    return { state: 'refused', what: numbered, why: why(user, rolesAllowed(show), `open ${describerFor(admin).tableLabel(resourceId).toLowerCase()}`) };
  // Read for this person: a step's record carries what it allows them (step-work.adapter.ts).
  const record = await resource.findOne(recordId, { currentAdmin } as ActionContext);
  if (!record) return MISSING(numbered);
  const what = `${words.label} · ${String(record.param('title') ?? `#${recordId}`)}`;
  if (!action.isAccessible(currentAdmin, record)) return { state: 'refused', what, why: why(user, rolesAllowed(action, record), words.doing) };
  if (!action.isVisible(currentAdmin, record)) {
    return { state: 'unavailable', what, why: 'This is not possible for this record as it is now (its state does not allow it), so NEXUS does not offer it.' };
  }
  return { state: 'allowed' };
}

function resourceVerdict(admin: AdminJS, user: SessionUser, currentAdmin: CurrentAdmin, resourceId: string, actionName: string): RouteVerdict {
  const resource = admin.resources.find((r) => r.id() === resourceId);
  const action = resource?.decorate().actions[actionName];
  const words = actionWords(admin, resourceId, actionName);
  if (!resource || !action || !action.isResourceType() || action.toJSON(currentAdmin).component === false) return MISSING(words.label);
  if (!action.isAccessible(currentAdmin)) return { state: 'refused', what: words.label, why: why(user, rolesAllowed(action), words.doing) };
  if (!action.isVisible(currentAdmin)) return MISSING(words.label);
  return { state: 'allowed' };
}

async function bulkVerdict(
  admin: AdminJS,
  user: SessionUser,
  currentAdmin: CurrentAdmin,
  resourceId: string,
  actionName: string,
  recordIds: string[],
): Promise<RouteVerdict> {
  const resource = admin.resources.find((r) => r.id() === resourceId);
  const action = resource?.decorate().actions[actionName];
  const words = actionWords(admin, resourceId, actionName);
  if (!resource || !action || !action.isBulkType()) return MISSING(words.label);
  const records = await resource.findMany(recordIds);
  const refused = records.find((record) => !action.isAccessible(currentAdmin, record));
  if (refused || (records.length === 0 && !action.isAccessible(currentAdmin))) {
    return { state: 'refused', what: words.label, why: why(user, rolesAllowed(action, refused), words.doing) };
  }
  return { state: 'allowed' };
}

const PAGE_RULES: Record<string, Predicate | undefined> = PAGE_ACCESS;

function pageVerdict(admin: AdminJS, user: SessionUser, pageName: string): RouteVerdict {
  const label = describerFor(admin).tableLabel(pageName);
  if (!(pageName in (admin.options.pages ?? {}))) return MISSING(label);
  const rule = PAGE_RULES[pageName];
  if (!rule || rule(user)) return { state: 'allowed' };
  const allowed = ROLES.filter((role) => rule(standIn(role) as unknown as SessionUser));
  return { state: 'refused', what: label, why: `${label} is for ${listOf(allowed.map((r) => ROLE_PLURALS[r]))}; your role is ${ROLE_NAMES[user.role]}.` };
}

export function refusalRoutes(ctx: AppContext, admin: AdminJS, logger: Logger): express.Router {
  const router = express.Router();
  const answer = (compute: (req: Request, user: SessionUser, currentAdmin: CurrentAdmin) => Promise<RouteVerdict> | RouteVerdict) =>
    asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
      try {
        const currentAdmin = res.locals.currentAdmin as CurrentAdmin;
        const verdict = await compute(req, currentAdmin as unknown as SessionUser, currentAdmin);
        if (verdict.state === 'refused') await recordAccessDenied(ctx.db, req, res, logger, verdict.why);
        res.set('Cache-Control', 'no-store').json(verdict);
      } catch (error) {
        next(error);
      }
    });
  const text = (value: unknown) => String(value ?? '');
  router.get(
    `${REFUSALS_API}/resources/:resourceId/records/:recordId/:action`,
    answer((req, user, admin_) => recordVerdict(admin, user, admin_, text(req.params.resourceId), text(req.params.recordId), text(req.params.action))),
  );
  router.get(
    `${REFUSALS_API}/resources/:resourceId/actions/:action`,
    answer((req, user, admin_) => resourceVerdict(admin, user, admin_, text(req.params.resourceId), text(req.params.action))),
  );
  router.get(
    `${REFUSALS_API}/resources/:resourceId/bulk/:action`,
    answer((req, user, admin_) =>
      bulkVerdict(
        admin,
        user,
        admin_,
        text(req.params.resourceId),
        text(req.params.action),
        text(req.query.recordIds)
          .split(',')
          .filter((id) => /^\d{1,18}$/.test(id))
          .slice(0, 500),
      ),
    ),
  );
  router.get(
    `${REFUSALS_API}/pages/:pageName`,
    answer((req, user) => pageVerdict(admin, user, text(req.params.pageName))),
  );

  // A list typed by someone who may not open it: AdminJS's list route would say "no such action";
  // its action address shows the refusal page instead (the list itself still answers 403).
  router.get('/resources/:resourceId', (req: Request, res: Response, next: NextFunction) => {
    const resourceId = text(req.params.resourceId);
    const list = admin.resources.find((r) => r.id() === resourceId)?.decorate().actions.list;
    if (!list || list.isAccessible(res.locals.currentAdmin as CurrentAdmin)) return next();
    res.redirect(302, `${admin.options.rootPath}/resources/${encodeURIComponent(resourceId)}/actions/list`);
  });
  return router;
}
