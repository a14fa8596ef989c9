import { QueryTypes, Transaction, type Model, type ModelStatic, type OrderItem, type Sequelize, type WhereOptions } from 'sequelize';
import type { Actor } from '../audit/actor.js';
import { recordEventIn } from '../audit/audit-event.service.js';
import { SinkClosedError, csvLine, inTransactionAt, type CsvSink, type ExportResult } from '../audit/audit-export.service.js';

/**
 * A panel list as CSV: the rows the list's filters and search select, in the list's order, each
 * value as people read it. Like the audit trail's export (audit/audit-export.service.ts, whose CSV
 * writer and sink this uses): one REPEATABLE READ transaction counts the rows, records the export
 * in the audit trail (who, which list, which filters, how many rows) and reads the rows from the
 * same snapshot through a cursor, a batch at a time, so that a million travelers stream out with
 * a few hundred rows in memory and the file holds exactly the counted rows.
 */

/** One column of the file. */
export interface ExportColumn {
  header: string;
  /** What is selected: an attribute of the model, or SQL over the row ([literal, alias]). */
  select: string | [unknown, string];
  /** The name the value comes back under. */
  key: string;
  /** The value as people read it (a label for a code, Yes/No); the CSV writer then makes it safe. */
  format?: (value: unknown) => unknown;
}

export interface ListExport {
  model: ModelStatic<Model>;
  /** The list exported (its resource id), as the audit trail names it. */
  list: string;
  where: WhereOptions;
  order: OrderItem[];
  columns: readonly ExportColumn[];
  /** The filters as the person set them, for the audit trail. */
  filters: Record<string, unknown>;
}

const BATCH = 500;
const CURSOR = 'nexus_list_export';

interface QueryGenerator {
  selectQuery(table: string, options: { where?: WhereOptions; attributes?: unknown[]; order?: OrderItem[] }, model?: ModelStatic<Model>): string;
}

/** The SELECT Sequelize would run for findAll (the same SQL the list's page query is made of). */
function selectSql(sequelize: Sequelize, spec: ListExport): string {
  const { model } = spec;
  const generator = (sequelize.getQueryInterface() as unknown as { queryGenerator: QueryGenerator }).queryGenerator;
  const attributes = spec.columns.map((c) => c.select);
  return generator.selectQuery(model.getTableName() as string, { where: spec.where, attributes, order: spec.order }, model).replace(/;\s*$/, '');
}

export async function exportList(sequelize: Sequelize, actor: Actor, spec: ListExport, sink: CsvSink): Promise<ExportResult> {
  const sql = selectSql(sequelize, spec);
  return inTransactionAt(
    sequelize,
    actor,
    Transaction.ISOLATION_LEVELS.REPEATABLE_READ,
    async (transaction) => {
      const rowCount = await spec.model.count({ where: spec.where, transaction });
      await recordEventIn(sequelize, transaction, {
        action: 'export',
        table: spec.list,
        details: { filters: spec.filters, rowCount, format: 'csv', columns: spec.columns.map((c) => c.header) },
      });
      await sink.start({ rowCount });
      // A cursor, not LIMIT/OFFSET: each batch costs the same, however deep into the list it is.
      await sequelize.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`, { transaction });
      let written = 0;
      try {
        await sink.write(`\uFEFF${csvLine(spec.columns.map((c) => c.header))}`);
        for (;;) {
          const rows = await sequelize.query<Record<string, unknown>>(`FETCH FORWARD ${BATCH} FROM ${CURSOR}`, { type: QueryTypes.SELECT, transaction });
          if (rows.length === 0) break;
          await sink.write(rows.map((row) => csvLine(spec.columns.map((c) => (c.format ? c.format(row[c.key]) : row[c.key])))).join(''));
          written += rows.length;
        }
      } catch (error) {
        // The receiver went away: what was sent has been exported, and the export stays recorded.
        if (error instanceof SinkClosedError) return { rowCount, delivered: false };
        throw error;
      }
      if (written !== rowCount) throw new Error(`List export of ${spec.list} read ${written} rows but counted ${rowCount}`);
      return { rowCount, delivered: true };
    },
    `export the ${spec.list} list`,
  );
}
