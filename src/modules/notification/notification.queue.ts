import type { Config } from '../../core/config';
import type { Orm } from '../../core/db/orm';
import type { Attempt, EventSink, OutboxMetrics, QueueRow, WorkQueue } from '../outbox';
import { sendEmail, sendSms } from './notification.channels';
import { insertMessages, messageSource } from './notification.sql';
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
      const inserted = await insertMessages(em, wanted, { defaultLanguage, email: Boolean(smtpUrl), sms: Boolean(sms) });
      for (const row of inserted) if (row.status === 'SKIPPED') metrics?.outcomes.inc({ queue: 'message', outcome: 'skipped' });
    },
  };
}

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
      const source = await messageSource(orm.em.fork(), row.id);
      if (!source) return { ok: false, retry: false, error: 'The message is gone.' };
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
