import type { Config } from '../../core/config';
import { InternalEventType, WebhookTopic, type EventType, type NewEvent } from '../outbox';
import type { Order } from './order.entity';

/** The outbox event of each timeline event that others hear about. */
export const TOPIC_OF_TIMELINE_EVENT: Record<string, WebhookTopic | undefined> = {
  READY: WebhookTopic.ORDER_READY_FOR_PICKUP,
  CHECKED_IN: WebhookTopic.ORDER_CHECKED_IN,
  PICKED_UP: WebhookTopic.ORDER_COMPLETED,
  DELIVERED: WebhookTopic.ORDER_COMPLETED,
  SHIPPED: WebhookTopic.ORDER_SHIPPED,
  CANCELLED: WebhookTopic.ORDER_CANCELLED,
  EXPIRED: WebhookTopic.ORDER_EXPIRED,
  RETURNED: WebhookTopic.ORDER_RETURNED,
};

type OrderFacts = Pick<Order, 'id' | 'number' | 'status' | 'channel' | 'fulfillmentMethod' | 'total' | 'pickupCode' | 'expiresAt' | 'createdAt'> & {
  contactEmail?: string | null;
} & {
  location: { id: string };
  customer?: { id: string } | null;
};

/**
 * The order as it is now, written with the event: a webhook delivered an hour later still says
 * what happened then. The pickup code is private: it reaches the customer's messages only.
 */
export function orderEvent(type: EventType, order: OrderFacts, config: Config, extra: Record<string, unknown> = {}): NewEvent {
  return {
    type,
    subjectId: order.id,
    data: {
      order: {
        id: order.id,
        number: order.number,
        status: order.status,
        channel: order.channel,
        fulfillmentMethod: order.fulfillmentMethod,
        locationId: order.location.id,
        customerId: order.customer?.id ?? null,
        total: { amount: order.total, currencyCode: config.currencyCode },
        createdAt: order.createdAt,
        ...extra,
      },
      // A guest's contact email is private too: it is where a guest's messages go.
      private: { pickupCode: order.pickupCode ?? null, expiresAt: order.expiresAt ?? null, contactEmail: order.contactEmail ?? null },
    },
  };
}

export { InternalEventType };
