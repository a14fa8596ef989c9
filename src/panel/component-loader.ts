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
  ApprovalRequest: componentLoader.add('ApprovalRequest', path.join(componentsDir, 'approval-request.tsx')),
  UserActivation: componentLoader.add('UserActivation', path.join(componentsDir, 'user-activation.tsx')),
  PendingChanges: componentLoader.add('PendingChanges', path.join(componentsDir, 'pending-changes.tsx')),
  MyApprovals: componentLoader.add('MyApprovals', path.join(componentsDir, 'my-approvals.tsx')),
  MyWork: componentLoader.add('MyWork', path.join(componentsDir, 'my-work.tsx')),
  StepAction: componentLoader.add('StepAction', path.join(componentsDir, 'step-action.tsx')),
  DispositionQueue: componentLoader.add('DispositionQueue', path.join(componentsDir, 'disposition-queue.tsx')),
  TravelerTransition: componentLoader.add('TravelerTransition', path.join(componentsDir, 'traveler-transition.tsx')),
  TravelerPrint: componentLoader.add('TravelerPrint', path.join(componentsDir, 'traveler-print.tsx')),
  AddManualStep: componentLoader.add('AddManualStep', path.join(componentsDir, 'add-manual-step.tsx')),
  CreateTraveler: componentLoader.add('CreateTraveler', path.join(componentsDir, 'create-traveler.tsx')),
  TravelerSteps: componentLoader.add('TravelerSteps', path.join(componentsDir, 'traveler-steps.tsx')),
  DefaultPropertyValue: componentLoader.override('DefaultPropertyValue', path.join(componentsDir, 'value-badge.tsx')),
  SidebarPages: componentLoader.override('SidebarPages', path.join(componentsDir, 'sidebar-pages.tsx')),
  // One component in front of four of AdminJS's routes: a refused address says so (refusal.routes.ts).
  ResourceActionRoute: componentLoader.override('ResourceActionRoute', path.join(componentsDir, 'refusable-route.tsx')),
  RecordActionRoute: componentLoader.override('RecordActionRoute', path.join(componentsDir, 'refusable-route.tsx')),
  BulkActionRoute: componentLoader.override('BulkActionRoute', path.join(componentsDir, 'refusable-route.tsx')),
  PageRoute: componentLoader.override('PageRoute', path.join(componentsDir, 'refusable-route.tsx')),
  ReferencePicker: componentLoader.add('ReferencePicker', path.join(componentsDir, 'reference-picker.tsx')),
  // Tab titles that name the page and its record ("Traveler T-26007 · NEXUS"): page-title.ts.
  Footer: componentLoader.override('Footer', path.join(componentsDir, 'page-footer.tsx')),
  Breadcrumbs: componentLoader.override('Breadcrumbs', path.join(componentsDir, 'breadcrumbs.tsx')),
  // AdminJS's generic pieces, made usable with a keyboard and a screen reader (each file says how).
  SidebarResourceSection: componentLoader.override('SidebarResourceSection', path.join(componentsDir, 'sidebar-resource-section.tsx')),
  ActionHeader: componentLoader.override('ActionHeader', path.join(componentsDir, 'action-header.tsx')),
  FilterDrawer: componentLoader.override('FilterDrawer', path.join(componentsDir, 'filter-drawer.tsx')),
  RecordsTableHeader: componentLoader.override('RecordsTableHeader', path.join(componentsDir, 'records-table-header.tsx')),
  PropertyHeader: componentLoader.override('PropertyHeader', path.join(componentsDir, 'property-header.tsx')),
  RecordInList: componentLoader.override('RecordInList', path.join(componentsDir, 'record-in-list.tsx')),
  DefaultListAction: componentLoader.override('DefaultListAction', path.join(componentsDir, 'list-action.tsx')),
  DefaultDatetimeFilterProperty: componentLoader.override('DefaultDatetimeFilterProperty', path.join(componentsDir, 'datetime-filter.tsx')),
  NoticeBox: componentLoader.override('NoticeBox', path.join(componentsDir, 'notice-box.tsx')),
  PropertyLabel: componentLoader.override('PropertyLabel', path.join(componentsDir, 'property-label.tsx')),
  ListExport: componentLoader.add('ListExport', path.join(componentsDir, 'list-export.tsx')),
  TopBar: componentLoader.override('TopBar', path.join(componentsDir, 'top-bar.tsx')),
  LoggedIn: componentLoader.override('LoggedIn', path.join(componentsDir, 'logged-in.tsx')),
  RoutingEditor: componentLoader.add('RoutingEditor', path.join(componentsDir, 'routing-editor.tsx')),
  RecordChildren: componentLoader.add('RecordChildren', path.join(componentsDir, 'record-children.tsx')),
  RevisionStatusAction: componentLoader.add('RevisionStatusAction', path.join(componentsDir, 'revision-status-action.tsx')),
  NewWithDefaults: componentLoader.add('NewWithDefaults', path.join(componentsDir, 'new-with-defaults.tsx')),
};
