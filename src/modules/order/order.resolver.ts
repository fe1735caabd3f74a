import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireStaff } from '../../core/auth/guards';
import type { RequestContext } from '../../core/context';
import { GraphQLError } from 'graphql';
import { ErrorCode, type Result } from '../../core/errors';
import { toPayload } from '../../core/payload';
import { Money } from '../../core/money';
import type { Connection } from '../../core/pagination';
import { CartLineInput } from '../cart';
import { ProductVariant } from '../catalog/catalog.entity';
import { Customer } from '../customer/customer.entity';
import { Location } from '../location/location.entity';
import { LoyaltyTransaction } from '../loyalty/loyalty.entity';
import { AppliedDiscount, TaxLine } from '../pricing';
import { checkoutService } from './checkout/checkout.service';
import { Order, OrderEvent, OrderLine, OrderStatus, Payment, PaymentMethod, type OrderLineView, type OrderView } from './order.entity';
import { orderTopic, pickupQueueTopic } from './order.notifier';
import { assertOrderAccess, OrderHistoryField, OrderSummaryField } from './order.access';
import { orderQueries, pickupCodeVisible, showPickupCodeIn } from './order.queries';
import { fulfilmentService } from './fulfilment/fulfilment.service';
import { OrderConnection, OrderFulfillment, OrderLineQuantityInput, OrderPayload } from './order.types';
import { returnsService } from './returns/returns.service';

const payload = (result: Result<Order>): OrderPayload => toPayload(result, 'order');

@Resolver(() => Order)
export class OrderResolver {
  @Query(() => Order, { nullable: true, description: "The owner customer, or staff of the order's store (any store for ADMIN)." })
  async order(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Order | undefined> {
    const order = await ctx.loaders.orderById.load(id);
    if (order) assertOrderAccess(ctx.actor, order);
    return order;
  }

  @Query(() => Order, { nullable: true, description: 'Staff only: the code the customer shows at the counter.' })
  async orderByPickupCode(
    @Ctx() ctx: RequestContext,
    @Arg('locationId', () => ID) locationId: string,
    @Arg('code', () => String) code: string,
  ): Promise<Order | null> {
    return orderQueries.byPickupCode(ctx, locationId, code);
  }

  @Query(() => Order, { nullable: true, description: "Anyone: a guest's order by its number and the email given at checkout (an order status page)." })
  async orderLookup(@Ctx() ctx: RequestContext, @Arg('number', () => String) number: string, @Arg('email', () => String) email: string): Promise<Order | null> {
    const found = await orderQueries.lookup(ctx, number, email);
    if (!found.ok) throw new GraphQLError(found.errors[0].message, { extensions: { code: ErrorCode.TOO_MANY_ATTEMPTS } });
    if (found.value) showPickupCodeIn(ctx, found.value.id);
    return found.value;
  }

  @Query(() => [Order], { description: 'Staff of that store: its pickup orders, checked-in customers first, then oldest first.' })
  pickupQueue(
    @Ctx() ctx: RequestContext,
    @Arg('locationId', () => ID) locationId: string,
    @Arg('statuses', () => [OrderStatus], { nullable: true }) statuses?: OrderStatus[],
  ): Promise<OrderView[]> {
    return orderQueries.pickupQueue(ctx, locationId, statuses);
  }

  @Query(() => [Order], { description: 'Staff of that location: the SHIP orders it is to send (PLACED unless statuses are given), oldest first.' })
  shipQueue(
    @Ctx() ctx: RequestContext,
    @Arg('locationId', () => ID) locationId: string,
    @Arg('statuses', () => [OrderStatus], { nullable: true }) statuses?: OrderStatus[],
  ): Promise<OrderView[]> {
    return orderQueries.shipQueue(ctx, locationId, statuses);
  }

  @Mutation(() => OrderPayload, { description: "The owner: I have arrived. The store's pickup queue hears it at once." })
  async orderCheckIn(
    @Ctx() ctx: RequestContext,
    @Arg('orderId', () => ID) orderId: string,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ): Promise<OrderPayload> {
    return payload(await fulfilmentService.checkIn(ctx, orderId, note));
  }

  @Mutation(() => OrderPayload, {
    description:
      'Reserve stock, take or promise payment, and turn the cart into an order, atomically.\nThe same idempotencyKey always returns the same order and never makes a second one.',
  })
  async checkoutComplete(
    @Ctx() ctx: RequestContext,
    @Arg('cartId', () => ID) cartId: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Arg('paymentMethod', () => PaymentMethod) paymentMethod: PaymentMethod,
    @Arg('paymentToken', () => String, { nullable: true }) paymentToken?: string,
  ): Promise<OrderPayload> {
    // Per client address, before any SQL (see cartCreate).
    const refused = ctx.actor.kind === 'guest' ? await ctx.limits.take('guestCheckout', ctx.clientAddress) : undefined;
    const result = refused ?? (await checkoutService.complete(ctx, { cartId, idempotencyKey, paymentMethod, paymentToken }));
    // Whoever completed the checkout (a guest too) sees the pickup code in this answer.
    if (result.ok) showPickupCodeIn(ctx, result.value.id);
    return payload(result);
  }

  @Mutation(() => OrderPayload, { description: 'Staff of the pickup store: the order is packed and waiting.' })
  async orderMarkReady(@Ctx() ctx: RequestContext, @Arg('orderId', () => ID) orderId: string): Promise<OrderPayload> {
    return payload(await fulfilmentService.markReady(ctx, orderId));
  }

  @Mutation(() => OrderPayload, {
    description: 'Staff of the pickup store: hand over the order; extra lines bought at the counter are added and paid in store.',
  })
  async orderCompletePickup(
    @Ctx() ctx: RequestContext,
    @Arg('orderId', () => ID) orderId: string,
    @Arg('pickupCode', () => String) pickupCode: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Arg('addLines', () => [CartLineInput], { nullable: true }) addLines?: CartLineInput[],
  ): Promise<OrderPayload> {
    return payload(await fulfilmentService.completePickup(ctx, orderId, pickupCode, idempotencyKey, addLines ?? []));
  }

  @Mutation(() => OrderPayload, { description: 'Staff: a shipped order has left the warehouse.' })
  async orderMarkShipped(@Ctx() ctx: RequestContext, @Arg('orderId', () => ID) orderId: string): Promise<OrderPayload> {
    return payload(await fulfilmentService.markShipped(ctx, orderId));
  }

  @Mutation(() => OrderPayload, { description: 'Staff: a shipped order was delivered.' })
  async orderMarkDelivered(@Ctx() ctx: RequestContext, @Arg('orderId', () => ID) orderId: string): Promise<OrderPayload> {
    return payload(await fulfilmentService.markDelivered(ctx, orderId));
  }

  @Mutation(() => OrderPayload, { description: 'The owner before it is ready, or staff; releases stock, voids or refunds payment, reverses points.' })
  async orderCancel(
    @Ctx() ctx: RequestContext,
    @Arg('orderId', () => ID) orderId: string,
    @Arg('reason', () => String, { nullable: true }) reason?: string,
  ): Promise<OrderPayload> {
    return payload(await fulfilmentService.cancel(ctx, orderId, reason));
  }

  @Mutation(() => OrderPayload, { description: 'Staff of any store: take back lines of a completed order, online or in-store.' })
  async orderReturnLines(
    @Ctx() ctx: RequestContext,
    @Arg('orderId', () => ID) orderId: string,
    @Arg('lines', () => [OrderLineQuantityInput]) lines: OrderLineQuantityInput[],
    @Arg('restock', () => Boolean) restock: boolean,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
  ): Promise<OrderPayload> {
    return payload(await returnsService.returnLines(ctx, orderId, lines, restock, idempotencyKey));
  }

  @Subscription(() => Order, {
    description: 'The owner customer or staff: every change of this order.',
    subscribe: async ({ args, context }) => {
      const ctx = context as RequestContext;
      const order = await ctx.loaders.orderById.load(args.orderId as string);
      if (order) assertOrderAccess(ctx.actor, order);
      return ctx.events.subscribe(orderTopic(args.orderId as string));
    },
  })
  orderUpdated(@Root() event: { orderId: string }, @Ctx() ctx: RequestContext, @Arg('orderId', () => ID) _orderId: string): Promise<Order> {
    return this.fresh(ctx, event.orderId);
  }

  @Subscription(() => Order, {
    description: 'Staff of that store: pickup orders placed, checked in, ready, completed, cancelled or expired there.',
    subscribe: ({ args, context }) => {
      const ctx = context as RequestContext;
      requireStaff(ctx, { locationId: args.locationId as string });
      return ctx.events.subscribe(pickupQueueTopic(args.locationId as string));
    },
  })
  pickupQueueChanged(@Root() event: { orderId: string }, @Ctx() ctx: RequestContext, @Arg('locationId', () => ID) _locationId: string): Promise<Order> {
    return this.fresh(ctx, event.orderId);
  }

  private async fresh(ctx: RequestContext, orderId: string): Promise<Order> {
    return (await ctx.refresh().loaders.orderById.load(orderId))!;
  }

  @FieldResolver(() => Customer, { nullable: true })
  @OrderSummaryField
  async customer(@Root() order: OrderView, @Ctx() ctx: RequestContext): Promise<Customer | undefined> {
    return order.customer ? ctx.loaders.customerById.load(order.customer.id) : undefined;
  }

  @FieldResolver(() => [OrderLine])
  @OrderSummaryField
  lines(@Root() order: OrderView, @Ctx() ctx: RequestContext): Promise<OrderLineView[]> {
    return ctx.loaders.linesByOrder.load(order.id);
  }

  @FieldResolver(() => [OrderEvent], { description: "The order's timeline across channels, oldest first." })
  @OrderHistoryField
  events(@Root() order: OrderView, @Ctx() ctx: RequestContext): Promise<OrderEvent[]> {
    return ctx.loaders.eventsByOrder.load(order.id);
  }

  @FieldResolver(() => OrderFulfillment)
  @OrderSummaryField
  fulfillment(@Root() order: OrderView): OrderFulfillment {
    return {
      order,
      method: order.fulfillmentMethod,
      shippingAddress: order.shippingAddress,
      readyAt: order.readyAt,
      completedAt: order.completedAt,
      checkedInAt: order.checkedInAt,
      checkInNote: order.checkInNote,
    };
  }

  @FieldResolver(() => Payment)
  @OrderHistoryField
  async payment(@Root() order: OrderView, @Ctx() ctx: RequestContext): Promise<Payment> {
    return (await ctx.loaders.paymentByOrder.load(order.id))!;
  }

  @FieldResolver(() => Money)
  @OrderSummaryField
  subtotal(@Root() order: OrderView, @Ctx() ctx: RequestContext): Money {
    return new Money(order.subtotal, ctx.config.currencyCode);
  }

  @FieldResolver(() => Money)
  @OrderSummaryField
  loyaltyDiscount(@Root() order: OrderView, @Ctx() ctx: RequestContext): Money {
    return new Money(order.loyaltyDiscount, ctx.config.currencyCode);
  }

  @FieldResolver(() => [AppliedDiscount], { description: 'The discounts of its checkout, whatever changed later.' })
  @OrderSummaryField
  discounts(@Root() order: OrderView, @Ctx() ctx: RequestContext): AppliedDiscount[] {
    return order.discounts.map((d) => ({ promotionId: d.promotionId, title: d.title, code: d.code, amount: new Money(d.amount, ctx.config.currencyCode) }));
  }

  @FieldResolver(() => Money)
  @OrderSummaryField
  discountTotal(@Root() order: OrderView, @Ctx() ctx: RequestContext): Money {
    return new Money(order.discountTotal, ctx.config.currencyCode);
  }

  @FieldResolver(() => [TaxLine])
  @OrderSummaryField
  taxLines(@Root() order: OrderView, @Ctx() ctx: RequestContext): TaxLine[] {
    return order.taxLines.map((t) => ({ name: t.name, rateBasisPoints: t.rateBasisPoints, amount: new Money(t.amount, ctx.config.currencyCode) }));
  }

  @FieldResolver(() => Money)
  @OrderSummaryField
  taxTotal(@Root() order: OrderView, @Ctx() ctx: RequestContext): Money {
    return new Money(order.taxTotal, ctx.config.currencyCode);
  }

  @FieldResolver(() => Money, { description: 'subtotal − discountTotal − loyaltyDiscount (+ taxTotal when taxes are not included).' })
  @OrderSummaryField
  total(@Root() order: OrderView, @Ctx() ctx: RequestContext): Money {
    return new Money(order.total, ctx.config.currencyCode);
  }
}

@Resolver(() => OrderFulfillment)
export class OrderFulfillmentResolver {
  @FieldResolver(() => Location, { nullable: true })
  location(@Root() fulfillment: OrderFulfillment, @Ctx() ctx: RequestContext): Promise<Location | undefined> {
    return ctx.loaders.locationById.load(fulfillment.order.location.id);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Shown to the customer who owns the order; staff verify it, they never read it.' })
  pickupCode(@Root() fulfillment: OrderFulfillment, @Ctx() ctx: RequestContext): string | undefined {
    return pickupCodeVisible(ctx, fulfillment.order) ? fulfillment.order.pickupCode : undefined;
  }
}

@Resolver(() => OrderLine)
export class OrderLineResolver {
  @FieldResolver(() => ProductVariant)
  async variant(@Root() line: OrderLineView, @Ctx() ctx: RequestContext): Promise<ProductVariant> {
    return (await ctx.loaders.variantById.load(line.variant.id))!;
  }

  @FieldResolver(() => Money, { description: "Price when the order was placed, not today's price." })
  unitPrice(@Root() line: OrderLineView, @Ctx() ctx: RequestContext): Money {
    return new Money(line.unitPrice, ctx.config.currencyCode);
  }

  @FieldResolver(() => Money, { description: 'unitPrice × quantity.' })
  subtotal(@Root() line: OrderLineView, @Ctx() ctx: RequestContext): Money {
    return new Money(line.unitPrice * line.quantity, ctx.config.currencyCode);
  }

  @FieldResolver(() => Money)
  discountTotal(@Root() line: OrderLineView, @Ctx() ctx: RequestContext): Money {
    return new Money(line.discountTotal, ctx.config.currencyCode);
  }

  @FieldResolver(() => Money, { description: "The line's share of the points redeemed." })
  loyaltyDiscount(@Root() line: OrderLineView, @Ctx() ctx: RequestContext): Money {
    return new Money(line.loyaltyDiscount, ctx.config.currencyCode);
  }

  @FieldResolver(() => Money)
  taxTotal(@Root() line: OrderLineView, @Ctx() ctx: RequestContext): Money {
    return new Money(line.taxTotal, ctx.config.currencyCode);
  }

  @FieldResolver(() => Money, { description: 'What the line paid: subtotal − discountTotal − loyaltyDiscount (+ taxTotal when taxes are not included).' })
  total(@Root() line: OrderLineView, @Ctx() ctx: RequestContext): Money {
    return new Money(line.total, ctx.config.currencyCode);
  }
}

@Resolver(() => Payment)
export class PaymentResolver {
  @FieldResolver(() => Money)
  amount(@Root() payment: Payment, @Ctx() ctx: RequestContext): Money {
    return new Money(payment.amount, ctx.config.currencyCode);
  }
}

@Resolver(() => Customer)
export class CustomerOrdersResolver {
  @FieldResolver(() => OrderConnection)
  orders(
    @Root() customer: Customer,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<Connection<Order>> {
    return orderQueries.ofCustomer(ctx, customer.id, { first, after });
  }
}

@Resolver(() => LoyaltyTransaction)
export class LoyaltyTransactionOrderResolver {
  @FieldResolver(() => Order, { nullable: true })
  order(@Root() transaction: LoyaltyTransaction, @Ctx() ctx: RequestContext): Promise<Order | undefined> | undefined {
    return transaction.orderId ? ctx.loaders.orderById.load(transaction.orderId) : undefined;
  }
}
