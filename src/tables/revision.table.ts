import { Op } from 'sequelize';
import { Revision } from '../models/revision.model.js';
import { fieldError } from '../models/validation.js';
import { tablePolicy } from './table-policy.js';

export const revisionTable = tablePolicy<Revision>({
  model: Revision,
  workflowFields: {
    status: 'The status changes through Release and Make obsolete, not by editing',
  },
  ruleFields: {
    releasedHasEffectiveDate: 'effective_date',
  },
  hooks: {
    // One released revision per part: the release of another makes the one released before it
    // obsolete, in the same transaction, however the release is written (the Release action, an
    // approved request, a new revision made released).
    async beforeSave(revision, { transaction = null }) {
      if (revision.status !== 'released') return;
      if (!revision.isNewRecord && !revision.changed('status')) {
        if (!revision.changed('part_id')) return;
        // Moved to another part while released: the partial unique index would name "part_id";
        // say which revision is in the way instead.
        const other = await Revision.findOne({
          where: { part_id: revision.part_id, status: 'released', id: { [Op.ne]: revision.id } },
          attributes: ['revision_code'],
          transaction,
        });
        if (other) throw fieldError(revision, 'status', `Revision ${other.revision_code} of this part is already released: make it obsolete first`);
        return;
      }
      const others = await Revision.findAll({
        where: { part_id: revision.part_id, status: 'released', ...(revision.isNewRecord ? {} : { id: { [Op.ne]: revision.id } }) },
        transaction,
        ...(transaction && { lock: transaction.LOCK.UPDATE }),
      });
      for (const other of others) await other.update({ status: 'obsolete' }, { transaction });
    },
  },
});
