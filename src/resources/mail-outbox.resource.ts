import { MailOutbox } from '../models/index.js';
import { MAIL_STATUSES } from '../models/mail-outbox.model.js';
import { COMMON_LABELS, NAVIGATION, crudActions, textArea, type ResourceDefinition } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

export function mailOutboxResource(ctx: AppContext): ResourceDefinition {
  return {
    resource: MailOutbox,
    options: {
      id: 'mail_outbox',
      navigation: NAVIGATION.administration,
      titleProperty: 'subject',
      sort: { sortBy: 'created_at', direction: 'desc' },
      listProperties: ['created_at', 'recipient_id', 'subject', 'status', 'sent_at'],
      showProperties: ['created_at', 'recipient_id', 'to_address', 'subject', 'body', 'approval_id', 'status', 'attempts', 'last_error', 'sent_at'],
      editProperties: [],
      filterProperties: ['status', 'recipient_id', 'approval_id', 'created_at'],
      properties: {
        body: textArea(),
        status: { availableValues: MAIL_STATUSES.map((value) => ({ value, label: value })) },
      },
      actions: crudActions('mail_outbox', ctx),
    },
    labels: {
      name: 'Mail outbox',
      properties: {
        ...COMMON_LABELS,
        created_at: 'Queued',
        recipient_id: 'To',
        to_address: 'Address',
        subject: 'Subject',
        body: 'Message',
        approval_id: 'Approval request',
        status: 'Status',
        attempts: 'Attempts',
        last_error: 'Last error',
        sent_at: 'Sent',
      },
    },
  };
}
