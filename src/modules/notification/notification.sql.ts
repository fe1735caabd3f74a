import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '../../core/db/sql';

/*
 * The notification module's hand-written statements: the messages an event asks for, and what
 * one message says.
 */

export interface WantedMessage {
  id: string;
  kind: string;
  order_id: string | null;
  customer_id: string | null;
  /** A guest's contact email; a customer's messages go to the address on their account. */
  email: string | null;
  phone: string | null;
}

/**
 * One e-mail (to the customer's address) and one SMS (when a number is known) per event, in the
 * customer's language; SKIPPED on a channel that is not configured. A second fan-out adds nothing.
 * Reads the customer's address and language as they are now: a message goes where it can arrive.
 * A guest (no customer) is written to at the contact email; an erased customer is not written to.
 */
export const insertMessages = (em: EntityManager, wanted: WantedMessage[], settings: { defaultLanguage: string; email: boolean; sms: boolean }) =>
  query<{ status: string }>(
    em,
    `with wanted as (
       select (x->>'id')::uuid as event_id, x->>'kind' as kind, (x->>'order_id')::uuid as order_id, (x->>'customer_id')::uuid as customer_id, x->>'email' as email, x->>'phone' as phone
         from jsonb_array_elements(?::jsonb) x)
     insert into notification (id, event_id, order_id, customer_id, kind, channel, "to", language, status, attempts, next_attempt_at, created_at)
     select gen_random_uuid(), w.event_id, w.order_id, w.customer_id, w.kind, m.channel::notification_channel, m.address, coalesce(c.language, ?),
            (case when m.configured then 'PENDING' else 'SKIPPED' end)::notification_status, 0, case when m.configured then now() end, now()
       from wanted w
       left join customer c on c.id = w.customer_id
       cross join lateral (values ('EMAIL', case when w.customer_id is null then w.email else c.email end, ?::boolean), ('SMS', w.phone, ?::boolean)) as m(channel, address, configured)
      where m.address is not null and (w.customer_id is null or (c.id is not null and c.erased_at is null))
     on conflict (event_id, channel) do nothing
     returning status`,
    [JSON.stringify(wanted), settings.defaultLanguage, settings.email, settings.sms],
  );

export interface MessageSource {
  kind: string;
  channel: string;
  to: string;
  language: string;
  data: { order?: { number?: string }; private?: { pickupCode?: string; expiresAt?: string; resetToken?: string } };
  store: string | null;
}

/** A message with its event's snapshot and the store's name. */
export const messageSource = async (em: EntityManager, id: string): Promise<MessageSource | undefined> =>
  (
    await query<MessageSource>(
      em,
      `select n.kind, n.channel, n."to", n.language, e.data, l.name as store
         from notification n join outbox_event e on e.id = n.event_id
         left join location l on l.id = (e.data->'order'->>'locationId')::uuid
        where n.id = ?`,
      [id],
    )
  )[0];
