import { UseMiddleware } from 'type-graphql';
import type { Actor } from './actor';

/**
 * A rule about one object, checked on the object's fields wherever it was reached from: a root
 * field, a nested path (`customer { orders }`) or a subscription payload. Root fields decide who
 * may start from an object; a field rule is what keeps a nested path from reaching further than
 * its root would. It throws the auth error (UNAUTHENTICATED / FORBIDDEN); it reads only the
 * actor and the parent object, so it costs no statement.
 */
export type FieldRule<TParent> = (actor: Actor, parent: TParent) => void;

/** Applies a field rule to a field (an entity property or a field resolver). */
export const guardedBy = <TParent>(rule: FieldRule<TParent>) =>
  UseMiddleware(({ root, context }, next) => {
    rule((context as { actor: Actor }).actor, root as TParent);
    return next();
  });

/**
 * For a nullable field that some callers of the object may not read: null for them, as if unset,
 * so a client's shared fragment still works for every caller (the pickup code works this way).
 */
export const shownOnlyIf = <TParent>(visible: (actor: Actor, parent: TParent) => boolean) =>
  UseMiddleware(({ root, context }, next) => (visible((context as { actor: Actor }).actor, root as TParent) ? next() : Promise.resolve(null)));
