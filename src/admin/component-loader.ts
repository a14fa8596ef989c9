import path from 'node:path';
import { ComponentLoader } from 'adminjs';
import { componentsDir } from '../paths.js';

/** Every custom panel component, registered once under a name resources and pages refer to. */
export const componentLoader = new ComponentLoader();

export const Components = {
  Dashboard: componentLoader.add('Dashboard', path.join(componentsDir, 'dashboard.tsx')),
  History: componentLoader.add('History', path.join(componentsDir, 'history.tsx')),
  AuditLogCell: componentLoader.add('AuditLogCell', path.join(componentsDir, 'audit-log-cell.tsx')),
  AuditActorFilter: componentLoader.add('AuditActorFilter', path.join(componentsDir, 'audit-actor-filter.tsx')),
  AuditExport: componentLoader.add('AuditExport', path.join(componentsDir, 'audit-export.tsx')),
  ApprovalDecision: componentLoader.add('ApprovalDecision', path.join(componentsDir, 'approval-decision.tsx')),
  ApprovalChanges: componentLoader.add('ApprovalChanges', path.join(componentsDir, 'approval-changes.tsx')),
  PendingChanges: componentLoader.add('PendingChanges', path.join(componentsDir, 'pending-changes.tsx')),
  MyApprovals: componentLoader.add('MyApprovals', path.join(componentsDir, 'my-approvals.tsx')),
  MyWork: componentLoader.add('MyWork', path.join(componentsDir, 'my-work.tsx')),
  StepAction: componentLoader.add('StepAction', path.join(componentsDir, 'step-action.tsx')),
  TravelerTransition: componentLoader.add('TravelerTransition', path.join(componentsDir, 'traveler-transition.tsx')),
  TravelerPrint: componentLoader.add('TravelerPrint', path.join(componentsDir, 'traveler-print.tsx')),
  AddManualStep: componentLoader.add('AddManualStep', path.join(componentsDir, 'add-manual-step.tsx')),
  CreateTraveler: componentLoader.add('CreateTraveler', path.join(componentsDir, 'create-traveler.tsx')),
  TravelerSteps: componentLoader.add('TravelerSteps', path.join(componentsDir, 'traveler-steps.tsx')),
  DefaultPropertyValue: componentLoader.override('DefaultPropertyValue', path.join(componentsDir, 'value-badge.tsx')),
  SidebarPages: componentLoader.override('SidebarPages', path.join(componentsDir, 'sidebar-pages.tsx')),
  ReferencePicker: componentLoader.add('ReferencePicker', path.join(componentsDir, 'reference-picker.tsx')),
};
