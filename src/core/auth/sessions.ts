import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Channel } from '../channel';
import { unauthenticated } from '../errors';
import type { Actor } from './actor';
import { StaffRole } from './actor';
import type { SessionActor, SessionCache } from './session-cache';
import { Session, SessionSubject } from './session.entity';

const PREFIX: Record<SessionSubject, string> = { [SessionSubject.CUSTOMER]: 'cst', [SessionSubject.STAFF]: 'stf' };
const TOKEN_SHAPE = /^(cst|stf)_[A-Za-z0-9_-]{43}$/;

const BROADCAST_WAIT_MS = 1000;

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** Opens a session and returns the bearer token: shown once, stored only as a hash. */
export async function issueToken(em: EntityManager, subjectKind: SessionSubject, subjectId: string, channel: Channel, ttlHours: number): Promise<string> {
  const token = `${PREFIX[subjectKind]}_${randomBytes(32).toString('base64url')}`;
  const session = em.create(Session, {
    tokenHash: sha256(token),
    subjectKind,
    subjectId,
    channel,
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + ttlHours * 3600_000),
  });
  em.persist(session);
  return token;
}

interface SessionRow {
  id: string;
  subject_kind: SessionSubject;
  subject_id: string;
  role: StaffRole | null;
  location_id: string | null;
  expires_at: Date | string;
}

/**
 * Resolves the actor of a bearer token in one statement, or none when the instance's session
 * cache knows the token. A token that is malformed, unknown, expired or revoked is an
 * UNAUTHENTICATED error rather than a silent guest, so a client learns to sign in again instead
 * of seeing someone else's view.
 */
export async function actorFromToken(em: EntityManager, token: string, cache?: SessionCache): Promise<Actor> {
  if (!TOKEN_SHAPE.test(token)) throw unauthenticated('The access token is malformed.');
  const tokenHash = sha256(token);
  const cached = cache?.get(tokenHash);
  if (cached) return cached;
  const ticket = cache?.ticket();
  // Joins staff here (not through the staff module) so that an authenticated request costs
  // one statement, whatever kind of caller it is.
  const rows: SessionRow[] = await em.execute(
    `select s.id, s.subject_kind, s.subject_id, s.expires_at, st.role, st.location_id
       from session s
       left join staff st on s.subject_kind = 'STAFF' and st.id = s.subject_id
      where s.token_hash = ? and s.revoked_at is null and s.expires_at > now()`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) throw unauthenticated('The access token is invalid or has expired.');
  let actor: SessionActor;
  if (row.subject_kind === SessionSubject.CUSTOMER) {
    actor = { kind: 'customer', customerId: row.subject_id, sessionId: row.id };
  } else {
    if (!row.role) throw unauthenticated('The access token is invalid or has expired.');
    actor = { kind: 'staff', staffId: row.subject_id, role: row.role, locationId: row.location_id, sessionId: row.id };
  }
  if (cache && ticket !== undefined) cache.set(ticket, tokenHash, actor, new Date(row.expires_at));
  return actor;
}

/**
 * Ends a session: its token is refused from the next request on, on every instance. The answer
 * waits (briefly) until this instance has heard the database's notification of it, which every
 * other instance's cache is sent by the same COMMIT.
 */
export async function revokeSession(em: EntityManager, sessionId: string, cache?: SessionCache): Promise<void> {
  const heard = cache?.expectBroadcast(sessionId, BROADCAST_WAIT_MS);
  const changed = await em.nativeUpdate(Session, { id: sessionId, revokedAt: null }, { revokedAt: new Date() });
  cache?.evictSession(sessionId);
  // Already revoked (a parallel sign-out): nothing was sent, nothing to wait for.
  if (!changed) cache?.broadcastHeard(sessionId);
  await heard;
}

/**
 * Ends every open session of an account (a password reset, an erasure), in the caller's
 * transaction: from its commit on, the database's session-change notification evicts the tokens
 * from every instance's cache, and they are refused.
 */
export function revokeSubjectSessions(em: EntityManager, subjectKind: SessionSubject, subjectId: string): Promise<number> {
  return em.nativeUpdate(Session, { subjectKind, subjectId, revokedAt: null }, { revokedAt: new Date() });
}
