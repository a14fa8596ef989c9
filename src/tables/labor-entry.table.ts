import { Op } from 'sequelize';
import { LaborEntry } from '../models/labor-entry.model.js';
import { ManualStep } from '../models/manual-step.model.js';
import { TravelerStep } from '../models/traveler-step.model.js';
import { fieldError } from '../models/validation.js';
import { tablePolicy } from './table-policy.js';

export const laborEntryTable = tablePolicy<LaborEntry>({
  model: LaborEntry,
  ruleFields: {
    oneStep: 'manual_step_id',
    endAfterStart: 'ended_at',
    hoursInRange: 'ended_at',
    manualNeedsReason: 'reason',
    manualNeedsEnd: 'ended_at',
  },
  hooks: {
    async beforeSave(entry, { transaction = null }) {
      const relevant = ['traveler_id', 'traveler_step_id', 'manual_step_id'] as const;
      if (entry.isNewRecord || relevant.some((field) => entry.changed(field))) {
        const travelerId = Number(entry.traveler_id);
        if (entry.traveler_step_id != null) {
          const step = await TravelerStep.findByPk(entry.traveler_step_id, { attributes: ['id', 'traveler_id'], transaction });
          if (step && step.traveler_id !== travelerId) {
            throw fieldError(entry, 'traveler_step_id', 'The step must belong to the selected traveler');
          }
        }
        if (entry.manual_step_id != null) {
          const step = await ManualStep.findByPk(entry.manual_step_id, { attributes: ['id', 'traveler_id'], transaction });
          if (step && step.traveler_id !== travelerId) {
            throw fieldError(entry, 'manual_step_id', 'The manual step must belong to the selected traveler');
          }
        }
      }
      // The partial unique index allows one open entry per person; say so before PostgreSQL refuses.
      if (entry.ended_at == null && (entry.isNewRecord || entry.changed('ended_at') || entry.changed('user_id'))) {
        const open = await LaborEntry.findOne({
          where: { user_id: entry.user_id, ended_at: null, ...(entry.id ? { id: { [Op.ne]: entry.id } } : {}) },
          attributes: ['id', 'started_at'],
          transaction,
        });
        if (open) throw fieldError(entry, 'ended_at', 'This operator is already clocked in on another step; clock out there first');
      }
    },
  },
});
