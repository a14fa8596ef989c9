import type { CurrentAdmin } from 'adminjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { ApprovalRequired } from '../../approvals/approval-request.service.js';
import { AccessDeniedError, type SessionUser } from '../../auth/access-rules.js';
import type { UserActor } from '../../audit/actor.js';
import { addPartRevision, partRevisions, workOrderTravelers } from '../../records/record-children.service.js';
import { RecordInUseError, RecordNotFoundError, RecordValidationError, StaleRecordError, WorkflowRefusedError } from '../../records/record-errors.js';
import {
  addRoutingCheck,
  addRoutingStep,
  changeRoutingCheck,
  changeRoutingStep,
  readRouting,
  removeRoutingCheck,
  removeRoutingStep,
} from '../../records/routing.service.js';
import type { AppContext } from '../../app-context.js';
import { recordAccessDenied } from '../../panel/access-denied.js';
import { actorOf } from '../../panel/panel-request-state.js';
import { asyncRoute } from '../async-route.js';

/**
 * The small JSON API behind a record's children on its page (panel/components/routing-editor.tsx,
 * record-children.tsx): a revision's routing with its checks, a part's revisions, a work order's
 * travelers. Handlers only read the address and the body and call the services, which check the
 * role again and write through the record service. The record written is always the one the
 * address names (its parent for an add); the body carries only the row's fields.
 *
 *   GET  /admin/api/routing/revisions/:id               the routing
 *   GET  /admin/api/routing/process_steps/:id           one step with its checks
 *   POST /admin/api/routing/revisions/:id/steps         add a step
 *   POST /admin/api/routing/process_steps/:id/checks    add a check to the step
 *   POST /admin/api/routing/process_steps/:id           change the step (with its version)
 *   POST /admin/api/routing/process_steps/:id/delete    remove the step and its checks
 *   POST /admin/api/routing/sub_steps/:id               change the check (with its version)
 *   POST /admin/api/routing/sub_steps/:id/delete        remove the check
 *   GET  /admin/api/children/parts/:id                  a part's revisions
 *   POST /admin/api/children/parts/:id/revisions        add a draft revision
 *   GET  /admin/api/children/work_orders/:id            a work order's travelers
 *
 * Answers: 200 (done), 202 (held for approval: the request's id and the words), 400 with a
 * message per field, 403 (recorded in the audit trail), 404, 409 (stale, in use, refused).
 */

const ID = '(\\d{1,10})';

function user(res: Response): SessionUser | undefined {
  return res.locals.currentAdmin as SessionUser | undefined;
}

function actor(res: Response): UserActor {
  const bound = actorOf({ currentAdmin: res.locals.currentAdmin as CurrentAdmin | undefined });
  // requireSignedIn binds one to every request behind it; without one nothing may be written.
  if (!bound) throw new AccessDeniedError('Not signed in: sign in again.');
  return bound;
}

function idOf(req: Request): number {
  const id = Number(req.params.recordId);
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) throw new RecordNotFoundError(String(req.params.resourceId ?? 'record'), req.params.recordId);
  return id;
}

/** Runs a handler's work and answers with its result or its refusal, as documented above. */
function answer(ctx: AppContext, logger: Logger, work: (req: Request, res: Response) => Promise<{ status?: number; body: unknown }>) {
  return asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const { status = 200, body } = await work(req, res);
      res.status(status).json(body);
    } catch (error) {
      if (error instanceof ApprovalRequired) {
        res.status(202).json({ status: 'submitted', message: error.message, approvalId: error.approval.id });
      } else if (error instanceof AccessDeniedError) {
        await recordAccessDenied(ctx.db, req, res, logger, error.message);
        res.status(403).json({ error: error.message });
      } else if (error instanceof RecordValidationError) {
        const { base, ...fields } = error.fields;
        res.status(400).json({ error: base ?? error.message, fields });
      } else if (error instanceof RecordNotFoundError) {
        res.status(404).json({ error: error.message });
      } else if (error instanceof StaleRecordError || error instanceof RecordInUseError || error instanceof WorkflowRefusedError) {
        res.status(409).json({ error: error.message });
      } else {
        next(error);
      }
    }
  });
}

const body = (req: Request) => ({ ...req.payload }) as Record<string, unknown>;

export function routingRoutes(ctx: AppContext, logger: Logger): express.Router {
  const router = express.Router();

  router.get(
    `/api/routing/:resourceId(revisions)/:recordId${ID}`,
    answer(ctx, logger, async (req, res) => ({ body: await readRouting(ctx.db, { revisionId: idOf(req) }, user(res)) })),
  );
  router.get(
    `/api/routing/:resourceId(process_steps)/:recordId${ID}`,
    answer(ctx, logger, async (req, res) => ({ body: await readRouting(ctx.db, { stepId: idOf(req) }, user(res)) })),
  );

  router.post(
    `/api/routing/:resourceId(revisions)/:recordId${ID}/steps`,
    answer(ctx, logger, async (req, res) => {
      const step = await addRoutingStep(idOf(req), body(req), actor(res));
      return { status: 201, body: { id: step.id, message: `Step ${step.step_number} "${step.operation}" added.` } };
    }),
  );
  router.post(
    `/api/routing/:resourceId(process_steps)/:recordId${ID}/checks`,
    answer(ctx, logger, async (req, res) => {
      const check = await addRoutingCheck(idOf(req), body(req), actor(res));
      return { status: 201, body: { id: check.id, message: `Check ${check.sequence} "${check.description}" added.` } };
    }),
  );
  router.post(
    `/api/routing/:resourceId(process_steps)/:recordId${ID}/delete`,
    answer(ctx, logger, async (req, res) => {
      await removeRoutingStep(idOf(req), actor(res));
      return { body: { message: 'Step removed with its checks.' } };
    }),
  );
  router.post(
    `/api/routing/:resourceId(sub_steps)/:recordId${ID}/delete`,
    answer(ctx, logger, async (req, res) => {
      await removeRoutingCheck(idOf(req), actor(res));
      return { body: { message: 'Check removed.' } };
    }),
  );
  router.post(
    `/api/routing/:resourceId(process_steps)/:recordId${ID}`,
    answer(ctx, logger, async (req, res) => {
      const step = await changeRoutingStep(idOf(req), body(req), actor(res));
      return { body: { id: step.id, message: `Step ${step.step_number} saved.` } };
    }),
  );
  router.post(
    `/api/routing/:resourceId(sub_steps)/:recordId${ID}`,
    answer(ctx, logger, async (req, res) => {
      const check = await changeRoutingCheck(idOf(req), body(req), actor(res));
      return { body: { id: check.id, message: `Check ${check.sequence} saved.` } };
    }),
  );

  router.get(
    `/api/children/:resourceId(parts)/:recordId${ID}`,
    answer(ctx, logger, async (req, res) => ({ body: await partRevisions(ctx.db, idOf(req), user(res)) })),
  );
  router.post(
    `/api/children/:resourceId(parts)/:recordId${ID}/revisions`,
    answer(ctx, logger, async (req, res) => {
      const revision = await addPartRevision(idOf(req), body(req), actor(res));
      return { status: 201, body: { id: revision.id, message: `Revision ${revision.revision_code} added as a draft: write its routing on its page.` } };
    }),
  );
  router.get(
    `/api/children/:resourceId(work_orders)/:recordId${ID}`,
    answer(ctx, logger, async (req, res) => ({ body: await workOrderTravelers(ctx.db, idOf(req), user(res)) })),
  );

  return router;
}
