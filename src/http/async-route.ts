import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Express 4 drops the promise an async handler returns: a rejection there is unhandled and the
 * request hangs. Every async handler and middleware is registered through this, which hands a
 * rejection to Express's error handling (a logged 500), so no request can end the process.
 */
export function asyncRoute(handler: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    handler(req, res, next).catch(next);
  };
}
