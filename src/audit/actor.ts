import crypto from 'node:crypto';
import type { Role } from '../auth/roles.js';

/**
 * Who is acting, carried explicitly from the request (or script) into every write. The audit
 * trail copies it; a write without one is refused rather than recorded as anonymous.
 */
export type Actor = UserActor | SystemActor | AnonymousActor;

export interface UserActor {
  kind: 'user';
  userId: number;
  username: string;
  fullName: string;
  email: string;
  role: Role;
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

/** Seeders, migrations' data fixes and maintenance jobs act under a name of their own. */
export interface SystemActor {
  kind: 'system';
  /** What is acting, e.g. "seeder:demo" or "job:db-maintain". */
  name: string;
  requestId: string;
}

/**
 * Someone not signed in (a failed sign-in). May be recorded as the author of an event, never of
 * a data change: the database refuses that.
 */
export interface AnonymousActor {
  kind: 'anonymous';
  /** What they typed as their user name, for the reviewer. */
  username: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

export function systemActor(name: string): SystemActor {
  return { kind: 'system', name, requestId: `system-${crypto.randomUUID()}` };
}

export class MissingActorError extends Error {
  constructor(what: string) {
    super(`Refusing to ${what} without an actor: every change must say who made it`);
    this.name = 'MissingActorError';
  }
}

export function assertActor(actor: Actor | null | undefined, what: string): asserts actor is Actor {
  if (!actor || (actor.kind !== 'user' && actor.kind !== 'system' && actor.kind !== 'anonymous')) throw new MissingActorError(what);
  if (actor.kind === 'user' && !Number.isInteger(actor.userId)) throw new MissingActorError(what);
}

export function actorLabel(actor: Actor): string {
  if (actor.kind === 'user') return `${actor.fullName} (${actor.username})`;
  return actor.kind === 'system' ? `system:${actor.name}` : `anonymous (${actor.username})`;
}
