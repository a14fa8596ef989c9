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
import type { AppContext } from '../app-context.js';

/**
 * The panel's resources for one app, in sidebar order within each navigation group: their actions
 * work through the context's connection and settings.
 */
export function resourcesFor(ctx: AppContext): ResourceDefinition[] {
  const shop = [
    travelerResource(ctx),
    travelerStepResource(ctx),
    travelerSubStepResource(ctx),
    manualStepResource(ctx),
    laborEntryResource(ctx),
    workOrderResource(ctx),
    partResource(ctx),
    revisionResource(ctx),
    processStepResource(ctx),
    subStepResource(ctx),
    workCenterResource(ctx),
    customerResource(ctx),
    approvalResource(ctx),
  ];
  const users = userResource(ctx);
  const mail = mailOutboxResource(ctx);
  // The audit log's record-type filter names these tables as their resources do.
  return [...shop, auditLogResource(ctx, [...shop, users, mail]), users, mail];
}
