import type { CurrentAdmin } from 'adminjs';
import type { UserActor } from '../audit/actor.js';
import type { LoginThrottleSettings } from '../auth/login-throttle.service.js';

/**
 * AdminJS hands adapters the action context but not the HTTP request, and the context's
 * currentAdmin object is created fresh for every request by our router. Binding the actor to
 * that object lets the adapter pass who acted (with IP, user agent, request id) explicitly into
 * the services, without putting request details into what AdminJS sends to the browser.
 */
const actors = new WeakMap<object, UserActor>();

export function bindActor(currentAdmin: CurrentAdmin, actor: UserActor): void {
  actors.set(currentAdmin, actor);
}

export function actorOf(context: { currentAdmin?: CurrentAdmin } | undefined): UserActor | undefined {
  const admin = context?.currentAdmin;
  return admin ? actors.get(admin) : undefined;
}

/** The sign-in throttle's settings, which also count wrong signature passwords (approval decisions). */
const throttles = new WeakMap<object, LoginThrottleSettings>();

export function bindThrottle(currentAdmin: CurrentAdmin, settings: LoginThrottleSettings): void {
  throttles.set(currentAdmin, settings);
}

export function throttleOf(context: { currentAdmin?: CurrentAdmin } | undefined): LoginThrottleSettings | undefined {
  const admin = context?.currentAdmin;
  return admin ? throttles.get(admin) : undefined;
}

/**
 * The form input as the browser sent it. AdminJS's own conversion runs afterwards and loses
 * information (an empty number becomes 0, "maybe" becomes true); the record service converts
 * and checks the original text instead, with a message on the field when it is wrong.
 */
const formInputs = new WeakMap<object, Record<string, unknown>>();
/**
 * The record named by the address. AdminJS's BaseRecord.update stores the form's fields in the
 * record before it asks the adapter to save "its" id, so an `id` field in the form would choose
 * the record written; the adapter writes this one instead, and the service refuses a form that
 * names another.
 */
const addressedRecords = new WeakMap<object, string>();

export function captureFormInput<R extends { payload?: Record<string, unknown>; params?: Record<string, unknown> }>(request: R, context: object): R {
  if (request.payload) formInputs.set(context, { ...request.payload });
  const recordId = request.params?.recordId;
  if (typeof recordId === 'string') addressedRecords.set(context, recordId);
  return request;
}

export function addressedRecordOf(context: object | undefined): string | undefined {
  return context ? addressedRecords.get(context) : undefined;
}

export function formInputOf(context: object | undefined): Record<string, unknown> | undefined {
  return context ? formInputs.get(context) : undefined;
}

/**
 * A change the approval policy held back: the adapter notes the request here, and the action's
 * after hook tells the user "submitted for approval" with a link, instead of success or error.
 */
const submitted = new WeakMap<object, { approvalId: number; message: string }>();

export function noteSubmittedForApproval(context: object | undefined, approvalId: number, message: string): void {
  if (context) submitted.set(context, { approvalId, message });
}

export function submittedForApproval(context: object | undefined): { approvalId: number; message: string } | undefined {
  return context ? submitted.get(context) : undefined;
}

/**
 * A list whose total was estimated (src/admin/list-count.ts): the adapter notes it here and the
 * list action's after hook tells the user, so a trade of accuracy for speed is never silent.
 */
const estimatedCounts = new WeakMap<object, { total: number; estimated: false | 'table' | 'filtered' }>();

export function noteEstimatedCount(context: object | undefined, count: { total: number; estimated: false | 'table' | 'filtered' }): void {
  if (context) estimatedCounts.set(context, count);
}

export function estimatedCountOf(context: object | undefined): { total: number; estimated: false | 'table' | 'filtered' } | undefined {
  return context ? estimatedCounts.get(context) : undefined;
}
