import type { EventSink } from '../outbox';
import { insertDeliveries } from './webhook.sql';

/** Webhooks as a destination of the outbox's events. */
export const webhookSink: EventSink = {
  name: 'webhook',
  fanOut: (em, events) => insertDeliveries(em, events),
};
