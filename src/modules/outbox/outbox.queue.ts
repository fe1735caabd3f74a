import type { EntityManager } from '@mikro-orm/postgresql';

/** The outcome of one call to a receiver, a mail server or a payment provider. */
export interface Attempt {
  ok: boolean;
  /** The HTTP status the receiver answered, if it answered. */
  responseStatus?: number;
  error?: string;
  /** false: trying again cannot help (a refused address); the row fails at once. */
  retry?: boolean;
}

/** A claimed row as the database returned it (snake_case columns). */
export interface QueueRow {
  id: string;
  attempts: number;
  [column: string]: unknown;
}

export type Settlement = 'done' | 'retry' | 'failed';

/**
 * Work performed after commit, one row per call to make: webhook deliveries, messages, money
 * calls. Every such table has the same bookkeeping columns (status PENDING → done status or
 * FAILED, attempts, last_attempt_at, next_attempt_at, last_response_status, last_error,
 * completed_at), so one dispatcher claims and settles them all.
 */
export interface WorkQueue {
  /** Metrics label. */
  name: string;
  table: string;
  doneStatus: string;
  /** Names the receiver: at most a few calls per receiver are in flight per instance, so one slow receiver holds only its own slots. */
  groupColumn?: string;
  /** Time a claim is held: longer than the call's own timeout, so no other instance retries a call still in flight. */
  leaseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Reads what the calls need for a whole claimed batch at once (attached to the rows). */
  load?(rows: QueueRow[]): Promise<void>;
  perform(row: QueueRow): Promise<Attempt>;
  /** After the outcome is stored, e.g. a line on the order's timeline. */
  settled?(em: EntityManager, row: QueueRow, attempt: Attempt, settlement: Settlement): Promise<void>;
}

/** An event as the dispatcher reads it to fan it out. */
export interface EventRow {
  id: string;
  type: string;
  subject_id: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

/** Turns committed events into the rows of a queue (one per destination), inside the fan-out transaction. */
export interface EventSink {
  name: string;
  fanOut(em: EntityManager, events: EventRow[]): Promise<void>;
}

const MAX_DELAY_MS = 12 * 3600_000;

/**
 * Exponential backoff with jitter: base × 2^(attempt−1), ±25 %, at most 12 hours. With the
 * default base (30 s) and 12 attempts the last try comes about 17 hours after the first, and
 * receivers that failed together do not all come back at the same instant.
 */
export function retryDelayMs(attempt: number, baseMs: number, random = Math.random): number {
  const exact = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_DELAY_MS);
  return Math.round(exact * (0.75 + random() * 0.5));
}
