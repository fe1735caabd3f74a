import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../core/config';
import type { Orm } from '../../core/db/orm';
import type { Attempt, EventSink, OutboxMetrics, QueueRow, WorkQueue } from '../outbox';
import { sendEmail, sendSms } from './notification.channels';
import { MESSAGE_KINDS, render } from './notification.templates';

/**
 * Which events message the customer: one e-mail (and one SMS when a phone number is known) per
 * event, to the order's customer, in their language. Without SMTP_URL (or SMS settings) the
 * message is recorded as SKIPPED: visible, not lost, not an error.
 */
export function notificationSink(config: Config, metrics?: OutboxMetrics): EventSink {
  return {
    name: 'notification',
    async fanOut(em, events) {
      const { smtpUrl, sms, defaultLanguage } = config.outbox;
      const wanted = events
        .filter((e) => (MESSAGE_KINDS as readonly string[]).includes(e.type) && typeof e.data.order === 'object')
        .map((e) => {
          const order = e.data.order as { id: string; customerId?: string | null };
          const phone = (e.data.private as { phone?: string } | undefined)?.phone ?? null;
          return { id: e.id, kind: e.type, order_id: order.id, customer_id: order.customerId ?? null, phone };
        })
        .filter((e) => e.customer_id);
      if (!wanted.length) return;
      const inserted = await em.execute<{ status: string }[]>(
        `with wanted as (
           select (x->>'id')::uuid as event_id, x->>'kind' as kind, (x->>'order_id')::uuid as order_id, (x->>'customer_id')::uuid as customer_id, x->>'phone' as phone
             from jsonb_array_elements(?::jsonb) x)
         insert into notification (id, event_id, order_id, customer_id, kind, channel, "to", language, status, attempts, next_attempt_at, created_at)
         select gen_random_uuid(), w.event_id, w.order_id, w.customer_id, w.kind, m.channel::notification_channel, m.address, coalesce(c.language, ?),
                (case when m.configured then 'PENDING' else 'SKIPPED' end)::notification_status, 0, case when m.configured then now() end, now()
           from wanted w
           join customer c on c.id = w.customer_id
           cross join lateral (values ('EMAIL', c.email, ?::boolean), ('SMS', w.phone, ?::boolean)) as m(channel, address, configured)
          where m.address is not null
         on conflict (event_id, channel) do nothing
         returning status`,
        [JSON.stringify(wanted), defaultLanguage, Boolean(smtpUrl), Boolean(sms)],
      );
      for (const row of inserted) if (row.status === 'SKIPPED') metrics?.outcomes.inc({ queue: 'message', outcome: 'skipped' });
    },
  };
}

interface MessageSource {
  kind: string;
  channel: string;
  to: string;
  language: string;
  data: { order?: { number?: string }; private?: { pickupCode?: string; expiresAt?: string } };
  store: string | null;
}

const sourceOf = async (em: EntityManager, id: string) =>
  (
    await em.execute<MessageSource[]>(
      `select n.kind, n.channel, n."to", n.language, e.data, l.name as store
         from notification n join outbox_event e on e.id = n.event_id
         left join location l on l.id = (e.data->'order'->>'locationId')::uuid
        where n.id = ?`,
      [id],
    )
  )[0];

/** The messages (e-mail and SMS) as a queue of the outbox dispatcher. */
export function notificationQueue(orm: Orm, config: Config): WorkQueue {
  const timeoutMs = config.outbox.webhookTimeoutMs;
  return {
    name: 'message',
    table: 'notification',
    doneStatus: 'SENT',
    leaseMs: 3 * timeoutMs + 5_000,
    maxAttempts: config.outbox.webhookMaxAttempts,
    retryBaseMs: config.outbox.retryBaseMs,
    async perform(row: QueueRow): Promise<Attempt> {
      const source = await sourceOf(orm.em.fork(), row.id);
      const expiresAt = source.data.private?.expiresAt;
      const hours = expiresAt ? Math.max(1, Math.round((new Date(expiresAt).getTime() - Date.now()) / 3600_000)) : undefined;
      const { subject, text } = render(source.kind, source.language, {
        number: source.data.order?.number ?? '',
        code: source.data.private?.pickupCode,
        store: source.store ?? undefined,
        hours,
      });
      const message = { id: row.id, to: source.to, subject, text };
      return source.channel === 'EMAIL' ? sendEmail(config.outbox, message, timeoutMs) : sendSms(config.outbox, message, timeoutMs);
    },
  };
}
