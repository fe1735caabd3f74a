import type { EventBus } from '../../core/events';
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
};
