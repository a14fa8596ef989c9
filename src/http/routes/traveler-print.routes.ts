import type { CurrentAdmin } from 'adminjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import { appUrl } from '../../approvals/approval-request.service.js';
import { canReadShopData, type SessionUser } from '../../auth/access-rules.js';
import { Traveler } from '../../models/index.js';
import { PRINT_PAGE_CSP } from '../../travelers/print/print-csp.js';
import { renderMessagePage, renderTravelerPrintPage } from '../../travelers/print/traveler-print.page.js';
import { travelerPrintData } from '../../travelers/traveler-print.service.js';
import { asyncRoute } from '../async-route.js';

export const TRAVELER_PRINT_PATH = '/travelers/:id/print';

const MAX_ID = 2_147_483_647;

/** The traveler's page in the panel, as opened from anywhere on the shop network (the QR code). */
export function travelerRecordUrl(id: number): string {
  return `${appUrl()}/admin/resources/travelers/records/${id}/show`;
}

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
export function travelerPrintRoutes(): express.Router {
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
        const data = await travelerPrintData(Traveler.sequelize!, id);
        if (!data) {
          refuse(req, res, 404, 'Traveler not found', `There is no traveler with id ${id}: it may have been deleted as a draft.`);
          return;
        }
        const html = await renderTravelerPrintPage(data, {
          recordUrl: travelerRecordUrl(id),
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
