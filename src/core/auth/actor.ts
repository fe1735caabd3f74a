import { registerEnumType } from 'type-graphql';

export enum StaffRole {
  ASSOCIATE = 'ASSOCIATE',
  MANAGER = 'MANAGER',
  ADMIN = 'ADMIN',
}
registerEnumType(StaffRole, { name: 'StaffRole' });

export type GuestActor = { kind: 'guest' };
export type CustomerActor = { kind: 'customer'; customerId: string; sessionId: string };
export type StaffActor = { kind: 'staff'; staffId: string; role: StaffRole; locationId: string | null; sessionId: string };
export type SystemActor = { kind: 'system' };

/** Who is making the request: resolved once per request from the bearer token. */
export type Actor = GuestActor | CustomerActor | StaffActor | SystemActor;

export const GUEST: GuestActor = { kind: 'guest' };
export const SYSTEM: SystemActor = { kind: 'system' };
