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

/** What other modules call: `outbox.record(tx, event)` inside their transaction. */
export const outbox = { record };
