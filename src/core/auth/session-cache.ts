import type { CustomerActor, StaffActor } from './actor';

export type SessionActor = CustomerActor | StaffActor;

interface Entry {
  actor: SessionActor;
  /** Epoch ms after which the entry is not used: its TTL or the session's own expiry, whichever is first. */
  until: number;
}

/** Most tokens kept; the least recently used goes first. */
export const SESSION_CACHE_MAX_ENTRIES = 10_000;

/**
 * The actors of recently seen tokens, keyed by the token's SHA-256 (never the token), so that an
 * authenticated request needs no session lookup. It is trusted only while the database's change
 * notifications reach this instance (`setLive`): a revoked, expired or deleted session, or a
 * staff member whose role or store changed, is evicted as soon as its notification arrives, and
 * losing the notifications empties the cache and bypasses it until they are heard again.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private live = false;
  /** Rises on every eviction: an answer read from the database before it may be stale, and is not kept. */
  private epoch = 0;
  private readonly broadcastWaiters = new Map<string, Set<() => void>>();
  /**
   * Set by the listener while its own connection hears every commit's notifications (a
   * PostgreSQL server; not PGlite, which hands them to the committing connection only).
   */
  hearsBroadcasts = false;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = SESSION_CACHE_MAX_ENTRIES,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0 && this.live;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Notifications are heard (true) or lost (false). Either way nothing read before counts. */
  setLive(live: boolean): void {
    this.live = live;
    this.clear();
    if (!live) for (const waiters of [...this.broadcastWaiters.values()]) for (const done of [...waiters]) done();
  }

  get(tokenHash: string): SessionActor | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    this.entries.delete(tokenHash);
    if (entry.until <= Date.now()) return undefined;
    this.entries.set(tokenHash, entry);
    return { ...entry.actor };
  }

  /** Taken before reading a session from the database; `set` keeps the answer only if nothing was evicted since. */
  ticket(): number {
    return this.epoch;
  }

  set(ticket: number, tokenHash: string, actor: SessionActor, expiresAt: Date): void {
    if (!this.enabled || ticket !== this.epoch) return;
    const until = Math.min(Date.now() + this.ttlMs, expiresAt.getTime());
    if (!(until > Date.now())) return;
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, { actor: { ...actor }, until });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  evictToken(tokenHash: string): void {
    this.epoch += 1;
    this.entries.delete(tokenHash);
  }

  /** Every cached token of a session (sign-out) or of a customer or staff member. */
  evictWhere(match: (actor: SessionActor) => boolean): void {
    this.epoch += 1;
    for (const [hash, entry] of this.entries) if (match(entry.actor)) this.entries.delete(hash);
  }

  evictSession(sessionId: string): void {
    this.evictWhere((actor) => actor.sessionId === sessionId);
  }

  evictSubject(subjectId: string): void {
    this.evictWhere((actor) => (actor.kind === 'customer' ? actor.customerId : actor.staffId) === subjectId);
  }

  /**
   * Call before changing a session: resolves once this instance's listening connection has heard
   * the change (at most `timeoutMs`). Every instance's listener is signalled by the same COMMIT,
   * so by then the other instances have (all but certainly) evicted the session too.
   */
  expectBroadcast(sessionId: string, timeoutMs: number): Promise<void> {
    if (!this.enabled || !this.hearsBroadcasts) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.broadcastWaiters.get(sessionId) ?? new Set();
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (!waiters.size) this.broadcastWaiters.delete(sessionId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      waiters.add(done);
      this.broadcastWaiters.set(sessionId, waiters);
    });
  }

  /** The listening connection heard that this session changed. */
  broadcastHeard(sessionId: string): void {
    for (const done of [...(this.broadcastWaiters.get(sessionId) ?? [])]) done();
  }

  clear(): void {
    this.epoch += 1;
    this.entries.clear();
  }
}
