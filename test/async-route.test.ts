import { describe, expect, it } from '@jest/globals';
import express from 'express';
import supertest from 'supertest';
import { asyncRoute } from '../src/http/async-route.js';

describe('asyncRoute', () => {
  it('hands a rejected handler to the error handler: the request gets an answer and nothing is left unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const app = express();
      app.get(
        '/fails',
        asyncRoute(async () => {
          await Promise.resolve();
          throw new Error('the database went away');
        }),
      );
      app.get(
        '/works',
        asyncRoute(async (_req, res) => {
          res.json(await Promise.resolve({ ok: true }));
        }),
      );
      const seen: string[] = [];
      app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        seen.push(error.message);
        res.status(500).json({ error: 'Something went wrong' });
      });
      const failed = await supertest(app).get('/fails');
      expect({ status: failed.status, body: failed.body }).toEqual({ status: 500, body: { error: 'Something went wrong' } });
      expect(seen).toEqual(['the database went away']);
      const worked = await supertest(app).get('/works');
      expect({ status: worked.status, body: worked.body }).toEqual({ status: 200, body: { ok: true } });
      // A turn of the event loop for any rejection to be reported.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
