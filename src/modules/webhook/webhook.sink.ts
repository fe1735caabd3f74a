import type { EventSink } from '../outbox';

/** One delivery per event per active webhook subscribed to its topic; a second fan-out adds nothing. */
export const webhookSink: EventSink = {
  name: 'webhook',
  async fanOut(em, events) {
    await em.execute(
      `insert into webhook_delivery (id, event_id, webhook_id, topic, status, attempts, next_attempt_at, created_at)
       select gen_random_uuid(), e.id, w.id, e.type::webhook_topic, 'PENDING', 0, now(), now()
         from (select (x->>'id')::uuid as id, x->>'type' as type from jsonb_array_elements(?::jsonb) x) e
         join webhook w on w.active and e.type = any(w.topics)
       on conflict (event_id, webhook_id) do nothing`,
      [JSON.stringify(events.map((e) => ({ id: e.id, type: e.type })))],
    );
  },
};
