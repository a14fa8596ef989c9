import { Revision } from '../models/revision.model.js';
import { Traveler } from '../models/traveler.model.js';
import { fieldError } from '../models/validation.js';
import { WorkOrder } from '../models/work-order.model.js';
import { NumberPatterns } from './record-numbers.js';
import { tablePolicy } from './table-policy.js';

export const travelerTable = tablePolicy<Traveler>({
  model: Traveler,
  /** Moved only by the traveler's actions (src/travelers/traveler-lifecycle.service.ts), never typed into a form. */
  workflowFields: {
    status: 'The status changes through the traveler’s actions (Release, Hold, Resume, Complete, Cancel), not by editing',
    released_at: 'Set by the database when the traveler is released',
    started_at: 'Set by the database when work starts',
    completed_at: 'Set by the database when the last step is signed off',
    status_reason: 'Given with Hold or Cancel',
  },
  /** Always its work order's customer. */
  derivedFields: ['customer_id'],
  ruleFields: {
    completedHasTime: 'completed_at',
    reasonForHoldOrCancel: 'status_reason',
    startedAfterReleased: 'started_at',
    completedAfterStarted: 'completed_at',
  },
  /** Left empty on a new record, the number is the next of its pattern (tables/record-numbers.ts). */
  generatedWhenEmpty: ['number'],
  hooks: {
    async beforeValidate(traveler, { transaction = null, numbers = NumberPatterns.defaults }) {
      if (traveler.isNewRecord && !traveler.number) traveler.number = await numbers.next(traveler.sequelize, 'travelers', transaction);
      // The customer is the work order's; a writer never has to (and cannot usefully) pick it.
      if (!traveler.isNewRecord && !traveler.changed('work_order_id')) return;
      if (traveler.work_order_id == null) return;
      const order = await WorkOrder.findByPk(traveler.work_order_id, { attributes: ['id', 'customer_id'], transaction });
      if (order) traveler.customer_id = order.customer_id;
    },
    // The composite foreign keys would fail with a constraint name; name the field instead.
    async beforeSave(traveler, { transaction = null }) {
      const relevant = ['work_order_id', 'part_id', 'revision_id'] as const;
      if (!traveler.isNewRecord && !relevant.some((field) => traveler.changed(field))) return;
      const partId = Number(traveler.part_id);
      const order = await WorkOrder.findByPk(traveler.work_order_id, { attributes: ['id', 'part_id'], transaction });
      if (order && order.part_id !== partId) {
        throw fieldError(traveler, 'work_order_id', 'The traveler must be for the same part as its work order');
      }
      const revision = await Revision.findByPk(traveler.revision_id, { attributes: ['id', 'part_id'], transaction });
      if (revision && revision.part_id !== partId) {
        throw fieldError(traveler, 'revision_id', 'The revision must belong to the selected part');
      }
    },
  },
});
