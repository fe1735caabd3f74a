import { Client, type ClientBase, type Notification } from 'pg';
import type { ServiceContext } from '../../core/context';
import type { Orm } from '../../core/db/orm';
import { transactional } from '../../core/db/transaction';
import { ok } from '../../core/errors';
import { describeError, type Logger } from '../../core/logger';
import type { OutboxMetrics } from './outbox.metrics';
import { retryDelayMs, type Attempt, type EventSink, type QueueRow, type Settlement, type WorkQueue } from './outbox.queue';
import { anyUndispatched, claimDue, claimEvents, markDispatched, settle } from './outbox.sql';

/** The channel of the outbox tables' insert triggers (see the migration that creates them). */
export const WAKE_CHANNEL = 'outbox_wake';
const FAN_OUT_BATCH = 200;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/**
 * The pool's hook for each new connection: PGlite (the embedded database, also when reached
 * through its socket) is one PostgreSQL session and hands a NOTIFY only to the connection whose
 * COMMIT sent it. On a server the dedicated listener hears every instance's commits as well.
 */
export async function listenOnPooledConnection(connection: ClientBase, wake: () => void): Promise<void> {
  connection.on('notification', (n: Notification) => n.channel === WAKE_CHANNEL && wake());
  await connection.query(`listen ${WAKE_CHANNEL}`);
}

export interface DispatcherOptions {
  orm: Orm;
  /** A system context over a fresh EntityManager, for the fan-out's transactions. */
  system: () => ServiceContext;
  log: Logger;
  sinks: EventSink[];
  queues: WorkQueue[];
  concurrency: number;
  pollMs: number;
  metrics?: OutboxMetrics;
  /** A dedicated connection LISTENs for wake-ups from every instance (a PostgreSQL server); absent for the embedded database. */
  listenUrl?: string;
}

/**
 * Delivers what committed transactions left in the outbox, on any number of instances at once.
 * Each cycle fans new events out into one row per destination, then claims due rows of every
 * queue (FOR UPDATE SKIP LOCKED, with a lease) and calls the receivers concurrently, outside any
 * transaction. A commit wakes it through LISTEN/NOTIFY; a timer polls in case a notification was
 * missed, and wakes it when a retry falls due.
 */
export class Dispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly busyGroups = new Map<string, number>();
  private listener?: Client;
  private pollTimer?: NodeJS.Timeout;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private running = false;
  private again = false;
  private stopped = true;
  private listenRetryMs = FIRST_RETRY_MS;
  private cycleDone?: Promise<void>;

  /** Calls in flight at once to one receiver, per instance: a quarter of the slots, so a slow receiver holds only its own. */
  private readonly perReceiver: number;

  constructor(private readonly options: DispatcherOptions) {
    this.perReceiver = Math.max(1, Math.floor(options.concurrency / 4));
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (this.options.listenUrl) await this.listen();
    this.pollTimer = setInterval(() => this.wake(), this.options.pollMs);
    this.pollTimer.unref();
    this.wake();
  }

  /** Runs a cycle now, or right after the one running. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.cycleDone = this.cycle()
      .catch((err) => this.options.log.error('outbox cycle failed', describeError(err)))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Stops claiming and waits for the calls in flight (their rows are settled, not abandoned). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    this.retryTimers.forEach((t) => clearTimeout(t));
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.cycleDone;
    await Promise.allSettled([...this.inFlight]);
  }

  /** One pass; resolves when every claimed call has started (not finished). */
  private async cycle(): Promise<void> {
    const em = this.options.orm.em.fork();
    if (await anyUndispatched(em)) while (!this.stopped && (await this.fanOut()) === FAN_OUT_BATCH);
    for (const queue of this.options.queues) {
      const free = this.options.concurrency - this.inFlight.size;
      if (free <= 0 || this.stopped) return;
      const prefix = `${queue.name}:`;
      const busy = [...this.busyGroups].filter(([key, n]) => n >= this.perReceiver && key.startsWith(prefix)).map(([key]) => key.slice(prefix.length));
      const rows = await claimDue(em, queue, free, busy, this.perReceiver);
      if (!rows.length) continue;
      try {
        await queue.load?.(rows);
      } catch (err) {
        // The claims lapse and the rows are tried again.
        this.options.log.error('outbox could not read what to send', { queue: queue.name, ...describeError(err) });
        continue;
      }
      for (const row of rows) this.track(queue, row);
    }
  }

  private async fanOut(): Promise<number> {
    const result = await transactional(this.options.system(), async (tx) => {
      const events = await claimEvents(tx.em, FAN_OUT_BATCH);
      if (!events.length) return ok(0);
      for (const sink of this.options.sinks) await sink.fanOut(tx.em, events);
      await markDispatched(
        tx.em,
        events.map((e) => e.id),
      );
      return ok(events.length);
    });
    const count = result.ok ? result.value : 0;
    this.options.metrics?.eventsDispatched.inc(count);
    return count;
  }

  private track(queue: WorkQueue, row: QueueRow): void {
    const group = queue.groupColumn ? `${queue.name}:${String(row[queue.groupColumn])}` : undefined;
    if (group) this.busyGroups.set(group, (this.busyGroups.get(group) ?? 0) + 1);
    // The receiver's share is free again once it has answered; the slot, once the outcome is stored.
    const answered = () => {
      if (!group) return;
      const left = (this.busyGroups.get(group) ?? 1) - 1;
      if (left > 0) this.busyGroups.set(group, left);
      else this.busyGroups.delete(group);
      this.wake();
    };
    const call = this.call(queue, row, answered).finally(() => {
      this.inFlight.delete(call);
      // A slot is free: there may be more due work.
      this.wake();
    });
    this.inFlight.add(call);
  }

  private async call(queue: WorkQueue, row: QueueRow, answered: () => void): Promise<void> {
    let attempt: Attempt;
    try {
      attempt = await queue.perform(row);
    } catch (err) {
      attempt = { ok: false, error: err instanceof Error ? err.message : String(err) };
    } finally {
      answered();
    }
    const last = row.attempts >= queue.maxAttempts || attempt.retry === false;
    const settlement: Settlement = attempt.ok ? 'done' : last ? 'failed' : 'retry';
    const retryInMs = settlement === 'retry' ? retryDelayMs(row.attempts, queue.retryBaseMs) : undefined;
    try {
      // The outcome and what it adds (a line on the order's timeline) commit together.
      const result = await transactional(this.options.system(), async (tx) => {
        const stored = await settle(tx.em, queue, row, {
          status: attempt.ok ? queue.doneStatus : last ? 'FAILED' : 'PENDING',
          responseStatus: attempt.responseStatus,
          error: attempt.ok ? undefined : attempt.error,
          retryInMs,
        });
        if (stored) await queue.settled?.(tx.em, row, attempt, settlement);
        return ok(stored);
      });
      const stored = result.ok && result.value;
      this.options.metrics?.attempts.inc({ queue: queue.name, outcome: settlement });
      if (!stored) return;
      if (settlement !== 'retry')
        this.options.metrics?.outcomes.inc({ queue: queue.name, outcome: settlement === 'done' ? queue.doneStatus.toLowerCase() : 'failed' });
      if (settlement === 'failed')
        this.options.log.warn('outbox call failed for good', { queue: queue.name, id: row.id, attempts: row.attempts, error: attempt.error });
      if (retryInMs !== undefined) this.wakeIn(retryInMs);
    } catch (err) {
      // The lease runs out and the call is made again: at least once, never lost.
      this.options.log.error('outbox could not store an outcome', { queue: queue.name, id: row.id, ...describeError(err) });
    }
  }

  private wakeIn(ms: number): void {
    if (this.stopped || ms > this.options.pollMs) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.wake();
    }, ms + 5);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private readonly heard = (notification: Notification): void => {
    if (notification.channel === WAKE_CHANNEL) this.wake();
  };

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.options.listenUrl, keepAlive: true });
    this.listener = client;
    const lost = (err: unknown) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.options.log.warn('outbox not listening for wake-ups; polling meanwhile', { retryInMs: this.listenRetryMs, ...describeError(err) });
      const timer = setTimeout(() => void this.listen(), this.listenRetryMs);
      timer.unref();
      this.listenRetryMs = Math.min(this.listenRetryMs * 2, MAX_RETRY_MS);
    };
    client.on('notification', this.heard);
    client.on('error', lost);
    client.on('end', () => lost(new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${WAKE_CHANNEL}`);
      this.listenRetryMs = FIRST_RETRY_MS;
      // Anything committed while nobody listened.
      this.wake();
    } catch (err) {
      lost(err);
    }
  }
}
