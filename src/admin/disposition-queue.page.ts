import type { CurrentAdmin } from 'adminjs';
import type { Sequelize } from 'sequelize';
import { sessionUser } from '../resources/resource-helpers.js';
import { refusalOf } from '../resources/workflow-refusal.js';
import { dispositionQueue } from '../travelers/disposition-queue.service.js';

/**
 * The panel page "Disposition queue" (GET /admin/api/pages/dispositionQueue), also read by the
 * step's and the traveler's Disposition views with ?stepId=, ?travelerId= or ?subStepId=. A role
 * that does not decide dispositions is refused with 403 (admin-router.ts reads `refusal.status`)
 * and its reason, not handed an empty list that reads as "nothing waiting".
 */
export async function dispositionQueuePage(
  db: Sequelize,
  query: Record<string, unknown> | undefined,
  currentAdmin: CurrentAdmin | undefined,
): Promise<Record<string, unknown>> {
  const number = (name: string) => {
    const value = Number(query?.[name]);
    return Number.isSafeInteger(value) && value > 0 ? value : null;
  };
  try {
    return {
      ...(await dispositionQueue(db, sessionUser(currentAdmin), {
        travelerId: number('travelerId'),
        stepId: number('stepId'),
        subStepId: number('subStepId'),
      })),
    };
  } catch (error) {
    const refusal = refusalOf(error);
    if (!refusal) throw error;
    return {
      items: [],
      choices: [],
      truncated: false,
      notice: { message: refusal.message, type: 'error' },
      refusal: { status: refusal.status, code: refusal.code },
    };
  }
}
