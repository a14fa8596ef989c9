import { approvalResource } from './approval.resource.js';
import { auditLogResource } from './audit-log.resource.js';
import { customerResource } from './customer.resource.js';
import { laborEntryResource } from './labor-entry.resource.js';
import { mailOutboxResource } from './mail-outbox.resource.js';
import { manualStepResource } from './manual-step.resource.js';
import { partResource } from './part.resource.js';
import { processStepResource } from './process-step.resource.js';
import { revisionResource } from './revision.resource.js';
import { subStepResource } from './sub-step.resource.js';
import { travelerStepResource } from './traveler-step.resource.js';
import { travelerSubStepResource } from './traveler-sub-step.resource.js';
import { travelerResource } from './traveler.resource.js';
import { userResource } from './user.resource.js';
import { workCenterResource } from './work-center.resource.js';
import { workOrderResource } from './work-order.resource.js';
import type { ResourceDefinition } from './resource-helpers.js';

/** In sidebar order within each navigation group. */
export const RESOURCES: ResourceDefinition[] = [
  travelerResource,
  travelerStepResource,
  travelerSubStepResource,
  manualStepResource,
  laborEntryResource,
  workOrderResource,
  partResource,
  revisionResource,
  processStepResource,
  subStepResource,
  workCenterResource,
  customerResource,
  approvalResource,
  auditLogResource,
  userResource,
  mailOutboxResource,
];
