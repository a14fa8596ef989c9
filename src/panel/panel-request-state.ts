import type { CurrentAdmin } from 'adminjs';
import type { UserActor } from '../audit/actor.js';
import type { LoginThrottleSettings } from '../auth/login-throttle.service.js';
import type { ReportPlace, ReportReads } from '../db/read-replica.js';

/** A list total that may have been estimated (src/panel/list-count.ts). */
export interface ListCount {
  total: number;
  estimated: false | 'table' | 'filtered';
}

/**
 * What one panel request carries that AdminJS does not pass around. AdminJS hands adapters and
 * hooks the action context but not the HTTP request; our router makes a fresh currentAdmin for
 * every request, so the state hangs off that object, typed and in one place, and nothing of it is
 * sent to the browser.
 */
export interface PanelRequestState {
  /** Who acts, with IP, user agent and request id, passed explicitly into the services. */
  readonly actor: UserActor;
  /** The sign-in throttle's settings, which also count wrong signature passwords. */
  readonly throttle: LoginThrottleSettings;
  /** The primary's WAL position after this person's latest write (http/own-writes.ts); a replica must hold it to serve them. */
  readonly ownWrites?: string | null;
  /** Where this request's report reads go, decided once so that a list's page and its total come from the same place. */
  reportPlace?: Promise<ReportPlace>;
  /**
   * The form input as the browser sent it. AdminJS's own conversion runs afterwards and loses
   * information (an empty number becomes 0, "maybe" becomes true); the record service converts
   * and checks the original text instead, with a message on the field when it is wrong.
   */
  formInput?: Record<string, unknown>;
  /**
   * The record named by the address. AdminJS's BaseRecord.update stores the form's fields in the
   * record before it asks the adapter to save "its" id, so an `id` field in the form would choose
   * the record written; the adapter writes this one instead, and the service refuses a form that
   * names another.
   */
  addressedRecord?: string;
  /** A change the approval policy held back: the action's after hook says "submitted for approval" with a link. */
  submitted?: { approvalId: number; message: string };
  /** A list whose total was estimated: the list's after hook says so, so a trade of accuracy for speed is never silent. */
  listCount?: ListCount;
}

type WithAdmin = { currentAdmin?: CurrentAdmin } | undefined;

const states = new WeakMap<CurrentAdmin, PanelRequestState>();

/** Called once per signed-in panel request, by the router that made its currentAdmin. */
export function beginPanelRequest(currentAdmin: CurrentAdmin, state: Pick<PanelRequestState, 'actor' | 'throttle' | 'ownWrites'>): void {
  states.set(currentAdmin, { ...state });
}

export function panelRequestOf(context: WithAdmin): PanelRequestState | undefined {
  const admin = context?.currentAdmin;
  return admin ? states.get(admin) : undefined;
}

/** Where this panel request's report reads go (db/read-replica.ts); outside a panel request, as for someone who wrote nothing. */
export function reportPlaceOf(reads: ReportReads, context: WithAdmin): Promise<ReportPlace> {
  const state = panelRequestOf(context);
  if (!state) return reads.place(null);
  state.reportPlace ??= reads.place(state.ownWrites ?? null);
  return state.reportPlace;
}

export function actorOf(context: WithAdmin): UserActor | undefined {
  return panelRequestOf(context)?.actor;
}

export function throttleOf(context: WithAdmin): LoginThrottleSettings | undefined {
  return panelRequestOf(context)?.throttle;
}

/** A `before` hook of the new and edit actions: keeps the input and the addressed record as sent. */
export function captureFormInput<R extends { payload?: Record<string, unknown>; params?: Record<string, unknown> }>(request: R, context: WithAdmin): R {
  const state = panelRequestOf(context);
  if (!state) return request;
  if (request.payload) state.formInput = { ...request.payload };
  const recordId = request.params?.recordId;
  if (typeof recordId === 'string') state.addressedRecord = recordId;
  return request;
}

export function addressedRecordOf(context: WithAdmin): string | undefined {
  return panelRequestOf(context)?.addressedRecord;
}

export function formInputOf(context: WithAdmin): Record<string, unknown> | undefined {
  return panelRequestOf(context)?.formInput;
}

export function noteSubmittedForApproval(context: WithAdmin, approvalId: number, message: string): void {
  const state = panelRequestOf(context);
  if (state) state.submitted = { approvalId, message };
}

export function submittedForApproval(context: WithAdmin): { approvalId: number; message: string } | undefined {
  return panelRequestOf(context)?.submitted;
}

export function noteEstimatedCount(context: WithAdmin, count: ListCount): void {
  const state = panelRequestOf(context);
  if (state) state.listCount = count;
}

export function estimatedCountOf(context: WithAdmin): ListCount | undefined {
  return panelRequestOf(context)?.listCount;
}
