import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * `.ci/run` runs the suite again with the clock moved forward (+45 and +400 days) by libfaketime.
 * That run proves only what it claims if the database under test moved with the app: a server
 * left on today's date would make a moved app look right against unmoved data.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('the clock', () => {
  it('is the same for the app and the PostgreSQL it runs against, moved or not', async () => {
    const before = Date.now();
    const { rows } = await db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    const after = Date.now();
    const database = rows[0]!.now.getTime();
    // A second either side for the round trip and the two clocks' resolutions.
    expect(database).toBeGreaterThanOrEqual(before - 1_000);
    expect(database).toBeLessThanOrEqual(after + 1_000);
  });
});
