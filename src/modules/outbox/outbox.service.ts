import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceContext } from '../../core/context';
import { transactional } from '../../core/db/transaction';
import { ok } from '../../core/errors';
import { OutboxEvent, type NewEvent } from './outbox.entity';
import { pruneEvents } from './outbox.sql';

/**
 * Records an event in the caller's transaction; it is flushed with the caller's other changes,
 * so it is committed (and later delivered) exactly when the change is. Never call it outside a
 * transaction: an event without its change, or a change without its event, is the bug this
 * prevents.
 */
export function record(tx: { em: EntityManager }, event: NewEvent): OutboxEvent {
  return tx.em.create(OutboxEvent, { id: randomUUID(), type: event.type, subjectId: event.subjectId, data: event.data, createdAt: new Date() });
}

/**
 * Deletes events older than OUTBOX_RETENTION_DAYS, a batch per transaction (a job: safe on many
 * instances). The retention must outlast the retries (about 17 hours by default).
 */
export async function pruneOldEvents(ctx: ServiceContext, now = new Date(), batch = 1000): Promise<number> {
  const days = ctx.config.outbox.retentionDays;
  if (days <= 0) return 0;
  const result = await transactional(ctx, async (tx) => ok(await pruneEvents(tx.em, new Date(now.getTime() - days * 86_400_000), batch)));
  return result.ok ? result.value : 0;
}

/** What other modules call: `outbox.record(tx, event)` inside their transaction. */
export const outbox = { record };
