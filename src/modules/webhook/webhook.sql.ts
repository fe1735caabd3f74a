import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '../../core/db/sql';

/*
 * The webhook module's hand-written statements: the fan-out of events into deliveries, what a
 * batch of deliveries sends, and stopping a deleted webhook's deliveries.
 */

/** One delivery per event per active webhook subscribed to its topic; a second fan-out adds nothing. */
export async function insertDeliveries(em: EntityManager, events: { id: string; type: string }[]): Promise<void> {
  await query(
    em,
    `insert into webhook_delivery (id, event_id, webhook_id, topic, status, attempts, next_attempt_at, created_at)
     select gen_random_uuid(), e.id, w.id, e.type::webhook_topic, 'PENDING', 0, now(), now()
       from (select (x->>'id')::uuid as id, x->>'type' as type from jsonb_array_elements(?::jsonb) x) e
       join webhook w on w.active and e.type = any(w.topics)
     on conflict (event_id, webhook_id) do nothing`,
    [JSON.stringify(events.map((e) => ({ id: e.id, type: e.type })))],
  );
}

export interface DeliveryTarget {
  delivery_id: string;
  url: string;
  secret: string;
  active: boolean;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  created_at: Date;
}

/** The webhook and the event of each delivery, for a claimed batch. */
export const deliveryTargets = (em: EntityManager, deliveryIds: string[]) =>
  query<DeliveryTarget>(
    em,
    `select d.id as delivery_id, w.url, w.secret, w.active, e.id as event_id, e.type, e.data, e.created_at
       from webhook_delivery d join webhook w on w.id = d.webhook_id join outbox_event e on e.id = d.event_id
      where d.id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
    [JSON.stringify(deliveryIds)],
  );

/** A deleted webhook's pending deliveries fail at once. */
export async function failPendingDeliveries(em: EntityManager, webhookId: string): Promise<void> {
  await query(
    em,
    `update webhook_delivery set status = 'FAILED', last_error = 'The webhook was deleted.', next_attempt_at = null where webhook_id = ? and status = 'PENDING'`,
    [webhookId],
  );
}
