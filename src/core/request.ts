import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GUEST, type Actor } from './auth/actor';
import type { SessionCache } from './auth/session-cache';
import { actorFromToken } from './auth/sessions';
import type { SignInThrottle } from './auth/throttle';
import { Channel, isChannel } from './channel';
import type { Config } from './config';
import type { EventBus } from './events';
import type { LoadersFactory, RequestContext } from './context';
import { badRequest, unauthenticated } from './errors';
import type { Logger } from './logger';
import type { AbuseLimits } from './security/limits';

export interface RequestCredentials {
  requestId: string;
  /** The Authorization header (HTTP) or connection parameter (WebSocket). */
  authorization?: string;
  /** The x-channel header: WEB, APP or POS. */
  channel?: string;
  clientAddress?: string;
}

/**
 * Builds a request's context: its own EntityManager fork, the actor behind the bearer token
 * (one statement, none for guests or a token in the session cache), the channel, and fresh DataLoaders.
 */
export async function createRequestContext(
  deps: {
    orm: MikroORM;
    createLoaders: LoadersFactory;
    config: Config;
    log: Logger;
    events: EventBus;
    signInThrottle: SignInThrottle;
    limits: AbuseLimits;
    sessionCache?: SessionCache;
  },
  credentials: RequestCredentials,
): Promise<RequestContext> {
  const em = deps.orm.em.fork() as EntityManager;
  const actor = await resolveActor(em, credentials.authorization, deps.sessionCache);
  const channel = actor.kind === 'staff' ? Channel.POS : parseChannel(credentials.channel);
  // POS order numbers, metrics and counter-only rules belong to the till: a guest or customer
  // claiming the POS channel is a malformed request, not a quiet downgrade to WEB.
  if (channel === Channel.POS && actor.kind !== 'staff') throw badRequest('x-channel POS needs a staff token.');
  const { config, log, events, signInThrottle, limits, sessionCache } = deps;
  const { createLoaders } = deps;
  const ctx: RequestContext = {
    requestId: credentials.requestId,
    em,
    actor,
    channel,
    config,
    log,
    events,
    loaders: createLoaders(em),
    clientAddress: credentials.clientAddress,
    signInThrottle,
    limits,
    sessionCache,
    refresh() {
      ctx.em = ctx.em.fork();
      ctx.loaders = createLoaders(ctx.em);
      return ctx;
    },
  };
  return ctx;
}

async function resolveActor(em: EntityManager, authorization: string | undefined, cache: SessionCache | undefined): Promise<Actor> {
  if (!authorization) return GUEST;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('Send the access token as "Authorization: Bearer <token>".');
  return actorFromToken(em, match[1], cache);
}

/** Whether a client-sent channel names POS, which only a staff token may use. */
export const claimsPos = (raw: string | undefined): boolean => raw?.trim().toUpperCase() === Channel.POS;

function parseChannel(raw: string | undefined): Channel {
  if (!raw) return Channel.WEB;
  const value = raw.trim().toUpperCase();
  if (!isChannel(value)) throw badRequest(`x-channel must be WEB, APP or POS, not "${raw}".`);
  return value;
}
