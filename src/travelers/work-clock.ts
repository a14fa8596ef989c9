import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** The transaction's own time (now()): the same instant its audit rows carry. */
export async function transactionNow(sequelize: Sequelize, transaction: Transaction): Promise<Date> {
  const [{ now }] = (await sequelize.query<{ now: Date }>('SELECT now() AS now', { type: QueryTypes.SELECT, transaction })) as [{ now: Date }];
  return now;
}

/**
 * When a clock-in ends: now, except for one made in this same transaction, which cannot end at
 * its own start time (labor_entries_end_after_start).
 */
export function clockOutTime(entry: { started_at: Date }, now: Date): Date {
  return now > entry.started_at ? now : new Date(entry.started_at.getTime() + 1000);
}
