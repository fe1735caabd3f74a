import { Client, type ClientBase, type Notification } from 'pg';
import { describeError, type Logger } from '../logger';
import { SessionCache } from './session-cache';

/** The channel of migration Migration20261125221000SessionChangeNotify's triggers. */
const CHANNEL = 'session_change';
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;

/**
 * The caches of this process that share one database session. PGlite (the embedded database) is a
 * single PostgreSQL session: it delivers a notification only on the connection whose COMMIT sent
 * it, never to a separate listening connection. The embedded database serves one process, so
 * whichever connection of the process hears a notification hands it to every cache in it.
 */
const sharedSessionListeners = new Set<SessionChangeListener>();

/** What changed, as the trigger tells it: one session (by token hash), everything of a subject (a staff member's role or store), or anything. */
export type SessionChange = { kind: 'token'; tokenHash: string; sessionId: string } | { kind: 'subject'; subjectId: string } | { kind: 'all' };

function parse(payload: string): SessionChange {
  if (payload.startsWith('token:')) {
    const [tokenHash, sessionId] = payload.slice('token:'.length).split(':');
    return { kind: 'token', tokenHash, sessionId: sessionId ?? '' };
  }
  if (payload.startsWith('subject:')) return { kind: 'subject', subjectId: payload.slice('subject:'.length) };
  // '*' (a TRUNCATE), or anything this version does not know: everything may have changed.
  return { kind: 'all' };
}

function apply(cache: SessionCache, change: SessionChange): void {
  if (change.kind === 'token') cache.evictToken(change.tokenHash);
  else if (change.kind === 'subject') cache.evictSubject(change.subjectId);
  else cache.clear();
}

/**
 * Keeps a session cache truthful: one dedicated connection LISTENs for the database's session
 * changes (reconnecting with backoff, checked by a heartbeat), and every pooled connection
 * LISTENs too, so a change committed through this instance is applied before its COMMIT returns.
 * The cache is used only while the dedicated connection listens.
 */
export class SessionChangeListener {
  private client?: Client;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private sharedSession = false;
  private closed = false;
  private lostOnce = false;
  /** The listening connection's server process, while it listens. */
  backendPid?: number;
  private readonly changeHandlers = new Set<(change: SessionChange) => void>();

  constructor(
    readonly cache: SessionCache,
    private readonly url: string,
    private readonly heartbeatMs: number,
    private readonly log: Logger,
  ) {}

  /** The pool's hook for each new connection. */
  readonly onConnection = async (connection: ClientBase): Promise<void> => {
    connection.on('notification', this.heard);
    await connection.query(`listen ${CHANNEL}`);
  };

  private readonly heardOnListener = (notification: Notification): void => {
    if (notification.channel === CHANNEL && !this.sharedSession) this.notify(parse(notification.payload ?? '*'));
    const payload = notification.payload ?? '';
    if (notification.channel === CHANNEL && payload.startsWith('token:')) this.cache.broadcastHeard(payload.split(':')[2] ?? '');
  };

  /**
   * Calls `handler` after the cache has applied each change heard (and with `all` whenever
   * listening starts again after a loss, since changes may have been missed meanwhile): live
   * connections use it to end what a revoked session still holds open.
   */
  onChange(handler: (change: SessionChange) => void): () => void {
    this.changeHandlers.add(handler);
    return () => this.changeHandlers.delete(handler);
  }

  private notify(change: SessionChange): void {
    apply(this.cache, change);
    for (const handler of [...this.changeHandlers]) handler(change);
  }

  /** Resolves after the first attempt to listen; when it fails the cache stays bypassed and retries continue. */
  start(): Promise<void> {
    return this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.stopListening();
    await client?.end().catch(() => undefined);
  }

  private readonly heard = (notification: Notification): void => {
    if (notification.channel !== CHANNEL) return;
    const change = parse(notification.payload ?? '*');
    // On a server every connection hears every change: a pooled connection evicts at once (before
    // its COMMIT returns) and the dedicated one tells the handlers, once.
    if (this.sharedSession) for (const listener of [...sharedSessionListeners]) listener.notify(change);
    else apply(this.cache, change);
  };

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.url, keepAlive: true, connectionTimeoutMillis: HEARTBEAT_TIMEOUT_MS });
    this.client = client;
    client.on('notification', this.heardOnListener);
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      const { rows } = await client.query<{ version: string; pid: number }>('select version() as version, pg_backend_pid() as pid');
      this.sharedSession = rows[0].version.includes('PGlite');
      this.backendPid = rows[0].pid;
      await client.query(`listen ${CHANNEL}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.client !== client) return;
    if (this.sharedSession) sharedSessionListeners.add(this);
    const missed = this.lostOnce;
    this.cache.hearsBroadcasts = !this.sharedSession;
    this.retryMs = FIRST_RETRY_MS;
    // PGlite is in this process or on its loopback socket, and runs one statement at a time: a
    // heartbeat there would only queue behind long transactions and cry wolf.
    if (!this.sharedSession) {
      this.heartbeat = setInterval(() => void this.beat(client), this.heartbeatMs);
      this.heartbeat.unref();
    }
    this.cache.setLive(true);
    if (missed) for (const handler of [...this.changeHandlers]) handler({ kind: 'all' });
  }

  /** A connection can die without a word (a dropped network path): without an answer, stop trusting the cache. */
  private async beat(client: Client): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.query('select 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer to the heartbeat')), HEARTBEAT_TIMEOUT_MS))),
      ]);
    } catch (err) {
      this.lost(client, err);
    } finally {
      clearTimeout(timer);
    }
  }

  private stopListening(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.client = undefined;
    this.backendPid = undefined;
    sharedSessionListeners.delete(this);
    this.cache.setLive(false);
  }

  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return;
    this.lostOnce = true;
    this.stopListening();
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.log.warn('session cache bypassed: not listening for session changes; retrying', { retryInMs: this.retryMs, ...describeError(err) });
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}

/**
 * The session cache of an instance and what keeps it truthful. With SESSION_CACHE_SECONDS=0 the
 * cache keeps nothing (every request reads its session) but the changes are still heard: a
 * revoked session's live connections are closed either way.
 */
export function createSessionCaching(cacheSeconds: number, url: string, log: Logger): SessionChangeListener {
  return new SessionChangeListener(new SessionCache(cacheSeconds * 1000), url, Math.max(1000, (cacheSeconds * 1000) / 2), log);
}
