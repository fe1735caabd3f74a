import { Field, ObjectType, type ClassType } from 'type-graphql';
import { UserError, type Result } from './errors';

type FieldType = ClassType | StringConstructor;
type ValueOf<F extends FieldType> = F extends StringConstructor ? string : F extends ClassType<infer T> ? T : never;

/** A mutation payload: each field nullable (absent on failure), then `userErrors`. */
export type Payload<F extends Record<string, FieldType>> = { [K in keyof F]?: ValueOf<F[K]> } & { userErrors: UserError[] };

/**
 * The `<Name>Payload` object type of a mutation: the given fields, each nullable, then
 * `userErrors: [UserError!]!`. Every mutation answers with one, built by `toPayload`.
 */
export function payloadType<F extends Record<string, FieldType>>(name: string, fields: F): ClassType<Payload<F>> {
  class PayloadType {}
  for (const [key, type] of Object.entries(fields)) Field(() => type, { nullable: true })(PayloadType.prototype, key);
  Field(() => [UserError])(PayloadType.prototype, 'userErrors');
  ObjectType(name)(PayloadType);
  return PayloadType as ClassType<Payload<F>>;
}

/**
 * Turns a service result into a mutation payload: `{ [key]: value, userErrors: [] }`, or without
 * a key the value's own fields (e.g. `{ token, customer }`); on failure `{ userErrors }`.
 */
export function toPayload<K extends string, T>(result: Result<T, unknown>, key: K): { [P in K]?: T } & { userErrors: UserError[] };
export function toPayload<T extends object>(result: Result<T, unknown>): Partial<T> & { userErrors: UserError[] };
export function toPayload(result: Result<unknown, unknown>, key?: string): { userErrors: UserError[] } {
  if (!result.ok) return { userErrors: result.errors };
  return key ? { [key]: result.value, userErrors: [] } : { ...(result.value as object), userErrors: [] };
}

@ObjectType({ description: 'For mutations that return nothing else.' })
export class MutationResult {
  @Field()
  ok: boolean;

  @Field(() => [UserError])
  userErrors: UserError[];
}

/** A mutation's answer when it has nothing to return but whether it was done. */
export const toMutationResult = (result: Result<unknown, unknown>): MutationResult => ({ ok: result.ok, userErrors: result.ok ? [] : result.errors });
