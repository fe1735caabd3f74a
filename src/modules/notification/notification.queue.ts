import type { Config } from '../../core/config';
import type { Orm } from '../../core/db/orm';
import type { Attempt, EventSink, OutboxMetrics, QueueRow, WorkQueue } from '../outbox';
import { sendEmail, sendSms } from './notification.channels';
import { insertMessages, messageSource } from './notification.sql';
import { MESSAGE_KINDS, render } from './notification.templates';

/**
 * Which events message the customer: one e-mail (and one SMS when a phone number is known) per
 * event, to the order's customer (a guest: the order's contact email) or, for an account message,
 * to the customer, in their language. Without SMTP_URL (or SMS settings) the
 * message is recorded as SKIPPED: visible, not lost, not an error.
 */
export function notificationSink(config: Config, metrics?: OutboxMetrics): EventSink {
  return {
    name: 'notification',
    async fanOut(em, events) {
      const { smtpUrl, sms, defaultLanguage } = config.outbox;
      const wanted = events
        .filter((e) => (MESSAGE_KINDS as readonly string[]).includes(e.type) && (typeof e.data.order === 'object' || typeof e.data.customer === 'object'))
        .map((e) => {
          const priv = (e.data.private ?? {}) as { phone?: string; contactEmail?: string | null };
          const order = e.data.order as { id: string; customerId?: string | null } | undefined;
          const customerId = order ? (order.customerId ?? null) : (e.data.customer as { id: string }).id;
          // A guest's messages go to the contact email given at checkout.
          const email = customerId ? null : (priv.contactEmail ?? null);
          return { id: e.id, kind: e.type, order_id: order?.id ?? null, customer_id: customerId, email, phone: priv.phone ?? null };
        })
        .filter((e) => e.customer_id || e.email);
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
      const left = expiresAt ? new Date(expiresAt).getTime() - Date.now() : 0;
      const { subject, text } = render(source.kind, source.language, {
        number: source.data.order?.number ?? '',
        code: source.data.private?.pickupCode,
        store: source.store ?? undefined,
        hours: expiresAt ? Math.max(1, Math.round(left / 3600_000)) : undefined,
        minutes: expiresAt ? Math.max(1, Math.round(left / 60_000)) : undefined,
        token: source.data.private?.resetToken,
      });
      const message = { id: row.id, to: source.to, subject, text };
      return source.channel === 'EMAIL' ? sendEmail(config.outbox, message, timeoutMs) : sendSms(config.outbox, message, timeoutMs);
    },
  };
}
