import { Approval } from './approval.model.js';
import { AuditLog } from './audit-log.model.js';
import { Customer } from './customer.model.js';
import { LaborEntry } from './labor-entry.model.js';
import { ManualStep } from './manual-step.model.js';
import { Part } from './part.model.js';
import { ProcessStep } from './process-step.model.js';
import { Revision } from './revision.model.js';
import { SubStep } from './sub-step.model.js';
import { TravelerStep } from './traveler-step.model.js';
import { TravelerSubStep } from './traveler-sub-step.model.js';
import { Traveler } from './traveler.model.js';
import { User } from './user.model.js';
import { WorkCenter } from './work-center.model.js';
import { WorkOrder } from './work-order.model.js';

/**
 * Every association between the tables, in one place: the model files know each other only as
 * types, so none imports another and the schema reads as one graph. The aliases are the names
 * the panel, the services and History include by.
 */
export function declareAssociations(): void {
  User.hasMany(LaborEntry, { as: 'laborEntries', foreignKey: 'user_id' });
  User.hasMany(Approval, { as: 'requestedApprovals', foreignKey: 'requested_by_id' });
  User.hasMany(Approval, { as: 'decidedApprovals', foreignKey: 'decided_by_id' });
  WorkCenter.hasMany(ProcessStep, { as: 'processSteps', foreignKey: 'work_center_id' });
  WorkCenter.hasMany(TravelerStep, { as: 'travelerSteps', foreignKey: 'work_center_id' });
  WorkCenter.hasMany(ManualStep, { as: 'manualSteps', foreignKey: 'work_center_id' });
  Part.belongsTo(Customer, { as: 'customer', foreignKey: 'customer_id' });
  Part.hasMany(Revision, { as: 'revisions', foreignKey: 'part_id' });
  Part.hasMany(WorkOrder, { as: 'workOrders', foreignKey: 'part_id' });
  Part.hasMany(Traveler, { as: 'travelers', foreignKey: 'part_id' });
  Revision.belongsTo(Part, { as: 'part', foreignKey: 'part_id' });
  Revision.hasMany(ProcessStep, { as: 'processSteps', foreignKey: 'revision_id' });
  Revision.hasMany(WorkOrder, { as: 'workOrders', foreignKey: 'revision_id' });
  Revision.hasMany(Traveler, { as: 'travelers', foreignKey: 'revision_id' });
  ProcessStep.belongsTo(Revision, { as: 'revision', foreignKey: 'revision_id' });
  ProcessStep.belongsTo(WorkCenter, { as: 'workCenter', foreignKey: 'work_center_id' });
  ProcessStep.hasMany(SubStep, { as: 'subSteps', foreignKey: 'process_step_id' });
  ProcessStep.hasMany(TravelerStep, { as: 'travelerSteps', foreignKey: 'process_step_id' });
  SubStep.belongsTo(ProcessStep, { as: 'processStep', foreignKey: 'process_step_id' });
  WorkOrder.belongsTo(Customer, { as: 'customer', foreignKey: 'customer_id' });
  WorkOrder.belongsTo(Part, { as: 'part', foreignKey: 'part_id' });
  WorkOrder.belongsTo(Revision, { as: 'revision', foreignKey: 'revision_id' });
  WorkOrder.hasMany(Traveler, { as: 'travelers', foreignKey: 'work_order_id' });
  Traveler.belongsTo(WorkOrder, { as: 'workOrder', foreignKey: 'work_order_id' });
  Traveler.belongsTo(Customer, { as: 'customer', foreignKey: 'customer_id' });
  Traveler.belongsTo(Part, { as: 'part', foreignKey: 'part_id' });
  Traveler.belongsTo(Revision, { as: 'revision', foreignKey: 'revision_id' });
  Traveler.hasMany(TravelerStep, { as: 'steps', foreignKey: 'traveler_id' });
  Traveler.hasMany(ManualStep, { as: 'manualSteps', foreignKey: 'traveler_id' });
  Traveler.hasMany(LaborEntry, { as: 'laborEntries', foreignKey: 'traveler_id' });
  TravelerStep.belongsTo(Traveler, { as: 'traveler', foreignKey: 'traveler_id' });
  TravelerStep.belongsTo(ProcessStep, { as: 'processStep', foreignKey: 'process_step_id' });
  TravelerStep.belongsTo(WorkCenter, { as: 'workCenter', foreignKey: 'work_center_id' });
  TravelerStep.belongsTo(User, { as: 'completedBy', foreignKey: 'completed_by_id' });
  TravelerStep.hasMany(TravelerSubStep, { as: 'subSteps', foreignKey: 'traveler_step_id' });
  TravelerStep.hasMany(LaborEntry, { as: 'laborEntries', foreignKey: 'traveler_step_id' });
  TravelerSubStep.belongsTo(TravelerStep, { as: 'travelerStep', foreignKey: 'traveler_step_id' });
  TravelerSubStep.belongsTo(User, { as: 'completedBy', foreignKey: 'completed_by_id' });
  TravelerSubStep.belongsTo(User, { as: 'dispositionBy', foreignKey: 'disposition_by_id' });
  ManualStep.belongsTo(Traveler, { as: 'traveler', foreignKey: 'traveler_id' });
  ManualStep.belongsTo(WorkCenter, { as: 'workCenter', foreignKey: 'work_center_id' });
  ManualStep.belongsTo(User, { as: 'addedBy', foreignKey: 'added_by_id' });
  ManualStep.belongsTo(User, { as: 'completedBy', foreignKey: 'completed_by_id' });
  ManualStep.hasMany(LaborEntry, { as: 'laborEntries', foreignKey: 'manual_step_id' });
  LaborEntry.belongsTo(User, { as: 'user', foreignKey: 'user_id' });
  LaborEntry.belongsTo(Traveler, { as: 'traveler', foreignKey: 'traveler_id' });
  LaborEntry.belongsTo(TravelerStep, { as: 'travelerStep', foreignKey: 'traveler_step_id' });
  LaborEntry.belongsTo(ManualStep, { as: 'manualStep', foreignKey: 'manual_step_id' });
  Approval.belongsTo(User, { as: 'requestedBy', foreignKey: 'requested_by_id' });
  Approval.belongsTo(User, { as: 'decidedBy', foreignKey: 'decided_by_id' });
  Approval.hasMany(AuditLog, { as: 'auditLogs', foreignKey: 'approval_id' });
  AuditLog.belongsTo(User, { as: 'actor', foreignKey: 'actor_id' });
  AuditLog.belongsTo(Approval, { as: 'approval', foreignKey: 'approval_id' });
}
