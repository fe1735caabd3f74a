import type { QueryOrderMap } from '@mikro-orm/core';
import type { Actor } from '../../core/auth/actor';
import { requireStaff } from '../../core/auth/guards';
import { parseEmail } from '../../core/contact';
import { isOrderOwner } from './order.access';
import type { RequestContext, ServiceContext } from '../../core/context';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { encodeCursor, keysetAfter, pageSize, toConnection, type Connection, type PageArgs } from '../../core/pagination';
import { FulfillmentMethod } from '../cart/cart.entity';
import { Order, OrderStatus, type OrderView } from './order.entity';
import { limitedPickupLookup } from './fulfilment/pickup-code';

/**
 * Orders whose pickup code this request may show besides the owner's: the one it has just placed
 * (a guest has no other way to learn the code) and a guest order found with its number and email.
 * Per request: a later read of the same order shows the code to its owner only.
 */
const codeShownIn = new WeakMap<object, Set<string>>();

export function showPickupCodeIn(ctx: object, orderId: string): void {
  const shown = codeShownIn.get(ctx) ?? new Set<string>();
  shown.add(orderId);
  codeShownIn.set(ctx, shown);
}

export const pickupCodeVisible = (ctx: { actor: Actor }, order: OrderView): boolean =>
  isOrderOwner(ctx.actor, order) || Boolean(codeShownIn.get(ctx)?.has(order.id));

const OPEN_PICKUP = [OrderStatus.PLACED, OrderStatus.READY_FOR_PICKUP];

export class OrderQueries {
  /**
   * Staff of that store: its pickup orders, customers who have checked in first (in the order
   * they arrived), then the others oldest first. Plain rows rather than managed entities: a busy
   * store's queue is hundreds of orders, only read.
   */
  pickupQueue(ctx: ServiceContext, locationId: string, statuses?: OrderStatus[] | null): Promise<OrderView[]> {
    requireStaff(ctx, { locationId });
    return this.queue(ctx, locationId, FulfillmentMethod.PICKUP, statuses?.length ? statuses : OPEN_PICKUP, {
      checkedInAt: 'asc nulls last',
      createdAt: 'asc',
      id: 'asc',
    });
  }

  /** Staff of that location: the SHIP orders it is to send (PLACED unless statuses say otherwise), oldest first. */
  shipQueue(ctx: ServiceContext, locationId: string, statuses?: OrderStatus[] | null): Promise<OrderView[]> {
    requireStaff(ctx, { locationId });
    return this.queue(ctx, locationId, FulfillmentMethod.SHIP, statuses?.length ? statuses : [OrderStatus.PLACED], { createdAt: 'asc', id: 'asc' });
  }

  private async queue(
    ctx: ServiceContext,
    locationId: string,
    method: FulfillmentMethod,
    statuses: OrderStatus[],
    orderBy: QueryOrderMap<Order>,
  ): Promise<OrderView[]> {
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

  /**
   * Anyone: a guest order by its number and the email given at checkout, like a shop's order
   * status page. Guessing is throttled with the sign-in counters (per address and per order
   * number) before any SQL; a wrong email and a wrong number get the same null.
   */
  async lookup(ctx: RequestContext, number: string, rawEmail: string): Promise<Result<Order | null>> {
    const wanted = number.trim().toUpperCase();
    const found = await ctx.signInThrottle.attempt('order', wanted, ctx.clientAddress, async (): Promise<Result<Order>> => {
      const email = parseEmail(rawEmail);
      const order = email && wanted.length <= 20 ? await ctx.em.findOne(Order, { number: wanted, contactEmail: email, customer: null }) : null;
      return order ? ok(order) : fail(ErrorCode.INVALID_CREDENTIALS, 'No order has this number and email.');
    });
    if (found.ok) return found;
    return found.errors.some((e) => e.code === ErrorCode.TOO_MANY_ATTEMPTS) ? found : ok(null);
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
