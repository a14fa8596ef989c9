import type { ActionResponse, RecordJSON } from 'adminjs';
import { AccessDeniedError } from '../auth/access-rules.js';
import { RecordNotFoundError, RecordValidationError, StaleRecordError, WorkflowRefusedError } from '../records/record-errors.js';

/**
 * How a workflow action answers a refusal: the reason as an error notice, field messages where
 * AdminJS shows them (record.errors), and the HTTP status the panel router sends to a caller
 * outside the panel (src/http/admin-router.ts reads `refusal.status`).
 */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  fields?: Record<string, string>;
}

/** Why each refusal gets its status; anything else is a server error, not a refusal. */
export function refusalOf(error: unknown): Refusal | null {
  if (error instanceof WorkflowRefusedError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof StaleRecordError) return { status: 409, code: 'stale', message: error.message };
  if (error instanceof RecordValidationError) {
    const messages = Object.values(error.fields);
    return { status: 400, code: 'validation', message: messages.length > 1 ? messages.join(' ') : error.message, fields: error.fields };
  }
  if (error instanceof AccessDeniedError) return { status: error.status, code: 'forbidden', message: error.message };
  if (error instanceof RecordNotFoundError) return { status: 404, code: 'not_found', message: error.message };
  return null;
}

/** The response for a refused action on `record`; rethrows what is not a refusal. */
export function refusalResponse(error: unknown, record: RecordJSON, extra: Record<string, unknown> = {}): ActionResponse {
  const refusal = refusalOf(error);
  if (!refusal) throw error;
  const errors = Object.fromEntries(Object.entries(refusal.fields ?? {}).map(([field, message]) => [field, { message, type: refusal.code }]));
  return {
    ...extra,
    record: { ...record, errors: { ...record.errors, ...errors } },
    notice: { message: refusal.message, type: 'error' },
    refusal: { status: refusal.status, code: refusal.code },
  };
}
