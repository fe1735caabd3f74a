import { forbidden, unauthenticated } from '../errors';
import type { Actor, StaffActor } from './actor';
import { StaffRole } from './actor';

interface HasActor {
  actor: Actor;
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

/** An ADMIN; or the system itself (first start, jobs, fixtures), which may do what an ADMIN may. */
export function requireAdmin(ctx: HasActor): void {
  if (ctx.actor.kind !== 'system') requireStaff(ctx, { roles: [StaffRole.ADMIN] });
}

/** ADMIN works everywhere; associates and managers in their own store only. */
export const worksAt = (actor: StaffActor, locationId: string | null): boolean =>
  actor.role === StaffRole.ADMIN || (locationId !== null && actor.locationId === locationId);
