// The shapes sent by src/records/routing.service.ts (types only: nothing of the server is bundled).
import type { Routing } from '../../../records/routing.service.js';
import { panelUrl } from '../panel-urls.js';

export type FieldErrors = Record<string, string>;

/** What happened to a change, where it was made: saved, sent for approval (with the request), or refused. */
export interface Outcome {
  type: 'success' | 'info' | 'error';
  message: string;
  approvalId?: number;
}

export interface Answer {
  status: number;
  body: { message?: string; error?: string; fields?: FieldErrors; approvalId?: number; id?: number };
}

const API = panelUrl('/api/routing');

/** One call of the routing API (src/http/routes/routing.routes.ts); a failed network call reads as an error answer. */
export async function send(path: string, data: Record<string, unknown> = {}): Promise<Answer> {
  try {
    const response = await fetch(`${API}/${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(data),
    });
    const body = (await response.json().catch(() => ({}))) as Answer['body'];
    return { status: response.status, body };
  } catch {
    return { status: 0, body: { error: 'NEXUS could not be reached: nothing was saved. Check the connection and try again.' } };
  }
}

/** The routing of a revision, or of one step; a refusal or a failed call comes back as the message to show instead. */
export async function loadRouting(scope: 'revisions' | 'process_steps', id: string): Promise<{ routing: Routing } | { error: string }> {
  try {
    const response = await fetch(`${API}/${scope}/${id}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const body = (await response.json().catch(() => ({}))) as Routing & { error?: string };
    if (!response.ok) return { error: body.error ?? 'The routing could not be loaded.' };
    return { routing: body };
  } catch {
    return { error: 'The routing could not be loaded.' };
  }
}

export type Result = 'done' | 'held' | 'refused';

/** How an answer reads where the change was made: the outcome to say, and the messages to show at the fields. */
export function readAnswer({ status, body }: Answer): { result: Result; outcome: Outcome; fields: FieldErrors | undefined } {
  if (status === 200 || status === 201) {
    return { result: 'done', outcome: { type: 'success', message: body.message ?? 'Saved.' }, fields: undefined };
  }
  if (status === 202) {
    return { result: 'held', outcome: { type: 'info', message: body.message ?? 'Submitted for approval.', approvalId: body.approvalId }, fields: undefined };
  }
  const fields = body.fields ?? {};
  const named = Object.keys(fields).length > 0;
  const message = status === 401 ? 'You are signed out: sign in again, then repeat the change.' : (body.error ?? 'The change was refused.');
  return {
    result: 'refused',
    outcome: { type: 'error', message: named ? `Not saved: ${Object.values(fields).join(' ')}` : `Not saved: ${message}` },
    fields,
  };
}
