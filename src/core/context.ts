import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from './auth/actor';
import type { SessionCache } from './auth/session-cache';
import type { SignInThrottle } from './auth/throttle';
import { Channel } from './channel';
import type { Config } from './config';
import type { EventBus } from './events';
import type { Logger } from './logger';
import type { AbuseLimits } from './security/limits';

/**
 * The per-request DataLoaders. Core knows none of them: each module's `<module>.loader.ts` adds
 * its own with `declare module '../../core/context' { interface Loaders { ... } }`, and the
 * composition root (`src/app.ts`) passes the factory that builds them all.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Loaders {}

/** Builds every module's loaders over one EntityManager (given to core by the composition root). */
export type LoadersFactory = (em: EntityManager) => Loaders;

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
  /**
   * A new EntityManager fork and new loaders for this context. A subscription's context lives as
   * long as the subscription; each event it delivers must read fresh data.
   */
  refresh(): RequestContext;
}

/**
 * A service's context: a request's or a job's, without what only a request has (its loaders,
 * address, throttle). Inside a transaction it is the same type bound to the transaction's
 * EntityManager (see `transactional` in core/db/transaction.ts). It has no loaders on purpose: a
 * loader is bound to the request's own EntityManager, and querying through another connection
 * while a transaction is open deadlocks the embedded database (and reads outside the
 * transaction on a server).
 */
export type ServiceContext = Omit<RequestContext, 'loaders' | 'clientAddress' | 'signInThrottle' | 'limits' | 'sessionCache' | 'refresh'>;

/** The same context, bound to another EntityManager (a transaction's): nothing of the request's leaks in. */
export function withEntityManager(ctx: ServiceContext, em: EntityManager): ServiceContext {
  const { requestId, actor, channel, config, log, events } = ctx;
  return { requestId, actor, channel, config, log, events, em };
}

/**
 * The request's loaders, when a request (not a job or a fixture) called the service. Only after
 * its transaction has committed may a service use them: to prime them with what it has just
 * read and written, so the response does not read it all again.
 */
export const requestLoaders = (ctx: ServiceContext): Loaders | undefined => (ctx as Partial<RequestContext>).loaders;
