import type { EventBus } from '../../core/events';
import type { Logger } from '../../core/logger';
import { FulfillmentMethod } from '../cart/cart.entity';
import type { Order } from './order.entity';

export const orderTopic = (orderId: string) => `order:${orderId}`;
export const pickupQueueTopic = (locationId: string) => `pickup-queue:${locationId}`;

/** Tells subscribers an order changed; called only after the change is committed. */
export const orderNotifier = {
  changed(ctx: { events: EventBus }, order: Order): void {
    ctx.events.publish(orderTopic(order.id), { orderId: order.id });
    if (order.fulfillmentMethod === FulfillmentMethod.PICKUP) ctx.events.publish(pickupQueueTopic(order.location.id), { orderId: order.id });
  },

  /**
   * The one place an order's news leaves for its customer (e-mail, SMS): called after commit.
   * Until the outbox delivers messages, it is a log line a person or a log shipper can act on.
   */
  tellCustomer(ctx: { log: Logger }, order: Order, kind: 'ORDER_EXPIRED', text: string): void {
    ctx.log.info('customer message', { kind, orderId: order.id, orderNumber: order.number, customerId: order.customer?.id ?? null, text });
  },
};
