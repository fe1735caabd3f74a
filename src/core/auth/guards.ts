import { forbidden, unauthenticated } from '../errors';
import type { Actor, CustomerActor, StaffActor } from './actor';
import { StaffRole } from './actor';

interface HasActor {
  actor: Actor;
}

export function requireCustomer(ctx: HasActor): CustomerActor {
  if (ctx.actor.kind === 'customer') return ctx.actor;
  if (ctx.actor.kind === 'guest') throw unauthenticated('Sign in as a customer to do this.');
  throw forbidden('Only customers can do this.');
}

export interface StaffRule {
  /** Roles allowed; every role when omitted. */
  roles?: StaffRole[];
  /** The store the action is about: associates and managers act only in their own; ADMIN anywhere. */
  locationId?: string | null;
}

export function requireStaff(ctx: HasActor, rule: StaffRule = {}): StaffActor {
  const { actor } = ctx;
  if (actor.kind === 'guest') throw unauthenticated('Sign in as staff to do this.');
  if (actor.kind !== 'staff') throw forbidden('Only store staff can do this.');
  if (rule.roles && !rule.roles.includes(actor.role)) throw forbidden(`This needs the role ${rule.roles.join(' or ')}.`);
  if (rule.locationId !== undefined && !worksAt(actor, rule.locationId)) throw forbidden('You can act only in your own store.');
  return actor;
}

export const requireAdmin = (ctx: HasActor): StaffActor => requireStaff(ctx, { roles: [StaffRole.ADMIN] });

export const isStaff = (actor: Actor): actor is StaffActor => actor.kind === 'staff';

/** ADMIN works everywhere; associates and managers in their own store only. */
export const worksAt = (actor: StaffActor, locationId: string | null): boolean =>
  actor.role === StaffRole.ADMIN || (locationId !== null && actor.locationId === locationId);
