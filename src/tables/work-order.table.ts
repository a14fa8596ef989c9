import { Revision } from '../models/revision.model.js';
import { fieldError } from '../models/validation.js';
import { WorkOrder } from '../models/work-order.model.js';
import { NumberPatterns } from './record-numbers.js';
import { tablePolicy } from './table-policy.js';

export const workOrderTable = tablePolicy<WorkOrder>({
  model: WorkOrder,
  /** Left empty on a new record, the number is the next of its pattern (tables/record-numbers.ts). */
  generatedWhenEmpty: ['number'],
  hooks: {
    async beforeValidate(order, { transaction = null, numbers = NumberPatterns.defaults }) {
      if (order.isNewRecord && !order.number) order.number = await numbers.next(order.sequelize, 'work_orders', transaction);
    },
    // The composite foreign key would fail with a constraint name; name the field instead.
    async beforeSave(order, { transaction = null }) {
      if (order.revision_id == null) return;
      if (!order.isNewRecord && !order.changed('revision_id') && !order.changed('part_id')) return;
      const revision = await Revision.findByPk(order.revision_id, { attributes: ['id', 'part_id'], transaction });
      if (revision && revision.part_id !== Number(order.part_id)) {
        throw fieldError(order, 'revision_id', 'The revision must belong to the selected part');
      }
    },
  },
});
