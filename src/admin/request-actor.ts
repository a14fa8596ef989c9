import type { CurrentAdmin } from 'adminjs';
import type { UserActor } from '../audit/actor.js';

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
