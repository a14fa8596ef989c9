import type { CurrentAdmin } from 'adminjs';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { recordEvent } from '../audit/audit-event.service.js';
import { actorOf } from './panel-request-state.js';

/**
 * A refused call (403) leaves a trace: an `access_denied` audit event by the signed-in user (with
 * IP, user agent and request id, from the actor bound to the request) and a warn line. Recording
 * runs in a transaction of its own and before the answer is sent, so the row exists once the
 * caller has its 403; if it cannot be written, the failure is logged and the caller still gets 403.
 */
export async function recordAccessDenied(db: Sequelize, req: Request, res: Response, logger: Logger, reason?: string): Promise<void> {
  const params = req.params as Record<string, string | undefined>;
  const recordIds = typeof req.query.recordIds === 'string' ? req.query.recordIds : undefined;
  // Sized to the audit columns: an id typed into the URL may be anything.
  const table = params.resourceId?.slice(0, 63);
  const record = (params.recordId ?? recordIds)?.slice(0, 64);
  const action = params.action ?? (params.pageName ? `page:${params.pageName}` : req.path);
  const path = `${req.baseUrl}${req.path}`;
  const actor = actorOf({ currentAdmin: res.locals.currentAdmin as CurrentAdmin | undefined });
  const who = actor ? { userId: actor.userId, username: actor.username, role: actor.role } : {};
  const network = { ip: req.nexus?.ip, userAgent: req.nexus?.userAgent };
  logger.warn({ requestId: req.nexus?.requestId, ...who, ...network, resource: table, record, action, method: req.method, path, reason }, 'access denied');
  if (!actor) return;
  try {
    await recordEvent(db, actor, {
      action: 'access_denied',
      table,
      record,
      details: { action, method: req.method, path, ...(reason && { reason }) },
    });
  } catch (error) {
    logger.error({ err: error, requestId: req.nexus?.requestId, path }, 'recording a denied attempt in the audit trail failed');
  }
}
