import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OutboxEvent, type EventData, type EventType } from './outbox.entity';

export interface NewEvent {
  type: EventType;
  subjectId?: string;
  data: EventData;
}

/**
 * Records an event in the caller's transaction; it is flushed with the caller's other changes,
 * so it is committed (and later delivered) exactly when the change is. Never call it outside a
 * transaction: an event without its change, or a change without its event, is the bug this
 * prevents.
 */
export function record(tx: { em: EntityManager }, event: NewEvent): OutboxEvent {
  return tx.em.create(OutboxEvent, { id: randomUUID(), type: event.type, subjectId: event.subjectId, data: event.data, createdAt: new Date() });
}

/** The same event as a row, for a writer that inserts its rows in one hand-written statement. */
export const eventRow = (event: NewEvent) => ({
  id: randomUUID(),
  type: event.type,
  subject_id: event.subjectId ?? null,
  data: event.data,
  created_at: new Date(),
});

export const OUTBOX_EVENT_TABLE = 'outbox_event';
