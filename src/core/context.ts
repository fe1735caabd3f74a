import type { EntityManager } from '@mikro-orm/postgresql';
import type { Loaders } from '../modules/loaders';
import type { Actor } from './auth/actor';
import type { SessionCache } from './auth/session-cache';
import type { SignInThrottle } from './auth/throttle';
import { Channel } from './channel';
import type { Config } from './config';
import type { EventBus } from './events';
import type { Logger } from './logger';
import type { AbuseLimits } from './security/limits';

/**
 * Everything a resolver or service needs about the request in progress. Services take it first.
 * `em` is this request's own EntityManager fork; `loaders` batch reads for this request only.
 */
export interface RequestContext {
  requestId: string;
  em: EntityManager;
  actor: Actor;
  channel: Channel;
  config: Config;
  log: Logger;
  /** Change notifications; publish only after the change is committed. */
  events: EventBus;
  loaders: Loaders;
  /** The client's address (after TRUST_PROXY_HOPS), for per-address limits. */
  clientAddress?: string;
  signInThrottle: SignInThrottle;
  /** Per-address limits on guests and shared failure counts (pickup-code lookups). */
  limits: AbuseLimits;
  /** This instance's cache of token actors (absent when SESSION_CACHE_SECONDS is 0). */
  sessionCache?: SessionCache;
}

/**
 * The context a service uses inside `em.transactional`: the same request, bound to the
 * transaction's EntityManager. It has no loaders on purpose: a loader is bound to the request's
 * own EntityManager, and querying through another connection while a transaction is open
 * deadlocks the embedded database (and reads outside the transaction on a server).
 */
export type TxContext = Omit<RequestContext, 'loaders' | 'clientAddress' | 'signInThrottle' | 'limits' | 'sessionCache'>;

export function inTransaction(ctx: TxContext, em: EntityManager): TxContext {
  const { requestId, actor, channel, config, log, events } = ctx;
  return { requestId, actor, channel, config, log, events, em };
}

/**
 * The request's loaders, when a request (not a job or a fixture) called the service. Only after
 * its transaction has committed may a service use them: to prime them with what it has just
 * read and written, so the response does not read it all again.
 */
export const requestLoaders = (ctx: TxContext): Loaders | undefined => (ctx as Partial<RequestContext>).loaders;
