import type { QueryOrderMap } from '@mikro-orm/core';
import { requireStaff } from '../../core/auth/guards';
import type { RequestContext, ServiceContext } from '../../core/context';
import { encodeCursor, keysetAfter, pageSize, toConnection, type Connection, type PageArgs } from '../../core/pagination';
import { FulfillmentMethod } from '../cart/cart.entity';
import { Order, OrderStatus, type OrderView } from './order.entity';
import { limitedPickupLookup } from './fulfilment/pickup-code';

const OPEN_PICKUP = [OrderStatus.PLACED, OrderStatus.READY_FOR_PICKUP];

export class OrderQueries {
  /**
   * Staff of that store: its pickup orders, customers who have checked in first (in the order
   * they arrived), then the others oldest first. Plain rows rather than managed entities: a busy
   * store's queue is hundreds of orders, only read.
   */
  pickupQueue(ctx: ServiceContext, locationId: string, statuses?: OrderStatus[] | null): Promise<OrderView[]> {
    requireStaff(ctx, { locationId });
    return this.queue(ctx, locationId, FulfillmentMethod.PICKUP, statuses?.length ? statuses : OPEN_PICKUP, { checkedInAt: 'asc nulls last', createdAt: 'asc', id: 'asc' });
  }

  /** Staff of that location: the SHIP orders it is to send (PLACED unless statuses say otherwise), oldest first. */
  shipQueue(ctx: ServiceContext, locationId: string, statuses?: OrderStatus[] | null): Promise<OrderView[]> {
    requireStaff(ctx, { locationId });
    return this.queue(ctx, locationId, FulfillmentMethod.SHIP, statuses?.length ? statuses : [OrderStatus.PLACED], { createdAt: 'asc', id: 'asc' });
  }

  private async queue(ctx: ServiceContext, locationId: string, method: FulfillmentMethod, statuses: OrderStatus[], orderBy: QueryOrderMap<Order>): Promise<OrderView[]> {
    const rows = await ctx.em
      .createQueryBuilder(Order)
      .where({ location: locationId, fulfillmentMethod: method, status: { $in: statuses } })
      .orderBy(orderBy)
      .limit(500)
      .execute<(Omit<OrderView, 'customer' | 'location'> & { customer?: string | null; location: string })[]>('all');
    return rows.map(({ customer, location, ...order }) => ({ ...order, customer: customer ? { id: customer } : undefined, location: { id: location } }));
  }

  /** Staff of that store: the open pickup order whose code the customer shows (failed lookups are limited). */
  byPickupCode(ctx: RequestContext, locationId: string, code: string): Promise<Order | null> {
    const staff = requireStaff(ctx, { locationId });
    return limitedPickupLookup(ctx, staff, locationId, () =>
      ctx.em.findOne(Order, { location: locationId, pickupCode: code.trim().toUpperCase(), status: { $in: OPEN_PICKUP } }),
    );
  }

  /** A customer's orders, newest first. */
  async ofCustomer(ctx: ServiceContext, customerId: string, args: PageArgs): Promise<Connection<Order>> {
    const limit = pageSize(args);
    const rows = await ctx.em.find(
      Order,
      { $and: [{ customer: customerId }, keysetAfter(args.after, 'desc')] },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 },
    );
    return toConnection(rows, limit, (o) => encodeCursor(o.createdAt, o.id));
  }
}

export const orderQueries = new OrderQueries();
