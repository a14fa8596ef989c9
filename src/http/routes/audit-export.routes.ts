import type AdminJS from 'adminjs';
import type { CurrentAdmin } from 'adminjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { canReviewAuditTrail, type SessionUser } from '../../auth/access-rules.js';
import { AuditFilterError, auditLogFilterFromQuery } from '../../audit/audit-log-filter.js';
import { SinkClosedError, exportAuditLogs, type CsvSink } from '../../audit/audit-export.service.js';
import type { AppContext } from '../../app-context.js';
import { recordAccessDenied } from '../../panel/access-denied.js';
import { describerFor } from '../../panel/record-describer.js';
import { actorOf } from '../../panel/panel-request-state.js';
import { asyncRoute } from '../async-route.js';
import { markWritten } from '../own-writes.js';

export const AUDIT_EXPORT_PATH = '/exports/audit-logs.csv';

/**
 * Writes to the HTTP response, waiting when its buffer is full, failing once the client has gone.
 * Also the sink of the lists' CSV export (list-export.routes.ts); `name` starts the file's name.
 */
export function responseSink(res: Response, name = 'audit-log'): CsvSink {
  return {
    start({ rowCount, readFrom }) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
      res.status(200).set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}-${stamp}Z.csv"`,
        'Cache-Control': 'no-store',
        'X-Row-Count': String(rowCount),
        ...(readFrom && { 'X-Read-From': readFrom }),
      });
    },
    write(chunk) {
      return new Promise<void>((resolve, reject) => {
        if (res.destroyed || res.writableEnded) return reject(new SinkClosedError());
        if (res.write(chunk)) return resolve();
        const done = (error?: Error) => {
          res.off('drain', onDrain);
          res.off('close', onClose);
          if (error) reject(error);
          else resolve();
        };
        const onDrain = () => done();
        const onClose = () => done(new SinkClosedError());
        res.once('drain', onDrain);
        res.once('close', onClose);
      });
    },
  };
}

/**
 * GET /admin/exports/audit-logs.csv?filters.table_name=...: the filtered audit trail as a CSV
 * download. Mounted behind the panel's sign-in; the AdminJS API answers JSON only.
 */
export function auditExportRoutes(ctx: AppContext, logger: Logger, admin?: AdminJS): express.Router {
  const router = express.Router();
  router.get(
    AUDIT_EXPORT_PATH,
    asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
      const currentAdmin = res.locals.currentAdmin as CurrentAdmin | undefined;
      if (!canReviewAuditTrail(currentAdmin as unknown as SessionUser | undefined)) {
        await recordAccessDenied(ctx.db, req, res, logger, 'audit trail export');
        res.status(403).json({ error: 'Your role does not allow exporting the audit trail.' });
        return;
      }
      const actor = actorOf({ currentAdmin });
      if (!actor) {
        res.status(401).json({ error: 'Not signed in (or the session has ended): sign in again.' });
        return;
      }
      let filter;
      try {
        filter = auditLogFilterFromQuery(req.query as Record<string, unknown>);
      } catch (error) {
        if (error instanceof AuditFilterError) {
          res.status(400).json({ error: error.message });
          return;
        }
        next(error);
        return;
      }
      try {
        // Named as the panel names them (labels, statuses), when the panel is at hand.
        // The rows from a read replica when one serves this person (db/read-replica.ts); the export is recorded on the primary.
        const rowsFrom = await ctx.reports.place(req.session?.ownWrites ?? null);
        await exportAuditLogs(ctx.db, actor, filter, responseSink(res), { rowsFrom, ...(admin && { describe: describerFor(admin) }) });
        // The export recorded itself: the person's next report read must show that row too.
        markWritten(res);
        res.end();
      } catch (error) {
        // Once the first line is out, the status cannot change: cut the download short instead,
        // so that a truncated file is never mistaken for a complete one.
        if (res.headersSent) res.destroy();
        else next(error);
      }
    }),
  );
  return router;
}
