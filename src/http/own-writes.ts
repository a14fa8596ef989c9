import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { ReportReads } from '../db/read-replica.js';

declare module 'express-session' {
  interface SessionData {
    /** The primary's WAL position after this person's latest write: a replica serves them only once it has replayed it. */
    ownWrites?: string;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Said by a GET handler that wrote something of the person's all the same (a CSV export records itself). */
export function markWritten(res: Response): void {
  res.locals.wroteForPerson = true;
}

/**
 * Read-your-own-writes with a replica (db/read-replica.ts): after a signed-in person's request
 * that may have written (any method but a read, or a read marked by markWritten) and succeeded,
 * the primary's WAL position goes into their session before the response ends, so that their next
 * report read waits for a replica that holds what they just did, and takes the primary until then.
 * The position is read after the handler's transaction committed, which is before it answers.
 * Only mounted with a replica.
 */
export function ownWritesMarker(reads: ReportReads, logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.session) return next();
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    let ending = false;
    res.end = ((...args: unknown[]) => {
      if (ending) return res;
      ending = true;
      // Reads, unsigned or refused requests changed nothing of the person's to wait for.
      const wrote = !READS.has(req.method) || res.locals.wroteForPerson === true;
      if (!wrote || !req.session?.userId || res.statusCode >= 400) return end(...args);
      reads.writePosition().then(
        (lsn) => {
          if (lsn) req.session.ownWrites = lsn;
          end(...args);
        },
        (error: unknown) => {
          // Without the position the person's next report read may miss this write on a lagging replica; the answer still goes out.
          logger.warn({ err: error, requestId: req.nexus?.requestId }, 'could not read the primary WAL position after a write');
          end(...args);
        },
      );
      return res;
    }) as Response['end'];
    next();
  };
}
