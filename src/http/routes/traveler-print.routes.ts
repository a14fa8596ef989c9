import type { CurrentAdmin } from 'adminjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import { canReadShopData, type SessionUser } from '../../auth/access-rules.js';
import type { AppContext } from '../../app-context.js';
import { PRINT_PAGE_CSP } from '../../travelers/print/print-csp.js';
import { renderMessagePage, renderTravelerPrintPage } from '../../travelers/print/traveler-print.page.js';
import { travelerPrintData } from '../../travelers/traveler-print.service.js';
import { asyncRoute } from '../async-route.js';

export const TRAVELER_PRINT_PATH = '/travelers/:id/print';

const MAX_ID = 2_147_483_647;

/** A browser gets a short page it can show; a program asking for JSON gets JSON. */
function refuse(req: Request, res: Response, status: number, title: string, message: string): void {
  res.status(status).set('Cache-Control', 'no-store');
  res.format({
    'text/html': () => {
      res.set('Content-Security-Policy', PRINT_PAGE_CSP);
      res.send(renderMessagePage(title, message, `${req.baseUrl}/resources/travelers`));
    },
    'application/json': () => {
      res.json({ error: message });
    },
    default: () => {
      res.type('text/plain').send(message);
    },
  });
}

/**
 * GET /admin/travelers/:id/print: the printable traveler. Mounted behind the panel's sign-in,
 * so res.locals.currentAdmin is the signed-in user, re-read from the database on this request.
 */
export function travelerPrintRoutes(ctx: AppContext): express.Router {
  const router = express.Router();
  router.get(
    TRAVELER_PRINT_PATH,
    asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
      const user = res.locals.currentAdmin as (CurrentAdmin & SessionUser) | undefined;
      if (!canReadShopData(user)) {
        refuse(req, res, 403, 'Not allowed', 'Your role does not allow reading travelers.');
        return;
      }
      const raw = req.params.id ?? '';
      const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(id) || id < 1 || id > MAX_ID) {
        refuse(req, res, 404, 'Traveler not found', 'A traveler is printed by its record id (a whole number), as in the Print action of its page.');
        return;
      }
      try {
        const data = await travelerPrintData(ctx.db, id);
        if (!data) {
          refuse(req, res, 404, 'Traveler not found', `There is no traveler with id ${id}: it may have been deleted as a draft.`);
          return;
        }
        const html = await renderTravelerPrintPage(data, {
          // The traveler's page as opened from anywhere on the shop network (the QR code).
          recordUrl: ctx.links.record('travelers', id),
          backUrl: `${req.baseUrl}/resources/travelers/records/${id}/show`,
          printedBy: user?.title || user?.username || 'unknown',
        });
        res.status(200).set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': PRINT_PAGE_CSP }).send(html);
      } catch (error) {
        next(error);
      }
    }),
  );
  return router;
}
