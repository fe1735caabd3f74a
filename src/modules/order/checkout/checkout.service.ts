import { randomInt, randomUUID } from 'node:crypto';
import { requireStaff } from '../../../core/auth/guards';
import { requestLoaders, type RequestContext, type ServiceContext } from '../../../core/context';
import { addressBucket } from '../../../core/security/client-address';
import { onRollback, transactional } from '../../../core/db/transaction';
import { ErrorCode, fail, ok, type Failure, type Result } from '../../../core/errors';
import { isUuid } from '../../../core/loader';
import { Cart, CartLine, FulfillmentMethod } from '../../cart/cart.entity';
import { assertCartAccess, lockCart, priceLockedCart } from '../../cart';
import { inventoryService, MovementKind, type StockChange } from '../../inventory';
import { Location } from '../../location/location.entity';
import { LoyaltyTransactionKind } from '../../loyalty/loyalty.entity';
import { loyaltyService } from '../../loyalty';
import { pricingService, type PricedDiscount } from '../../pricing';
import { recommendationService } from '../../recommendation';
import { claimKey, checkKey, fingerprint } from '../order.idempotency';
import { Order, OrderLine, OrderStatus, PaymentMethod, PaymentStatus } from '../order.entity';
import {
  countOpenPayInStore,
  insertPlacedOrder,
  shippingLocationWithAll,
  type PlacedEvent,
  type PlacedLine,
  type PlacedOrder,
  type PlacedPayment,
} from '../order.sql';
import { orderNotifier } from '../order.notifier';
import { paymentProvider } from '../payment/payment.provider';
import { WebhookTopic } from '../../outbox';
import { orderEvent } from '../order.outbox';

export interface CheckoutInput {
  cartId: string;
  idempotencyKey: string;
  paymentMethod: PaymentMethod;
  paymentToken?: string | null;
}

/**
 * Where the checkout came from, as per-address limits count it (an IPv6 /64, loopback as one),
 * when a request (not a job or a fixture) asked; clipped to its column.
 */
const clientAddressOf = (ctx: ServiceContext): string | undefined => {
  const address = (ctx as Partial<RequestContext>).clientAddress;
  return address ? addressBucket(address).slice(0, 64) : undefined;
};

const PICKUP_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const NUMBER_PREFIX = { WEB: 'W', APP: 'A', POS: 'P' } as const;

/** Short, unguessable, without look-alike characters (no 0/O, 1/I). */
export const newPickupCode = (): string => Array.from({ length: 6 }, () => PICKUP_CODE_ALPHABET[randomInt(PICKUP_CODE_ALPHABET.length)]).join('');

export class CheckoutService {
  /**
   * Turns a cart into an order in one transaction: reserve the stock (or sell it, at the
   * counter), snapshot prices, redeem points, take or promise payment, complete the cart. Any
   * failure leaves nothing behind; a card authorized before a failure is voided.
   */
  async complete(ctx: ServiceContext, input: CheckoutInput): Promise<Result<Order>> {
    const validKey = checkKey(input.idempotencyKey);
    if (!validKey.ok) return validKey;
    if (!isUuid(input.cartId)) return fail(ErrorCode.NOT_FOUND, 'No cart has this id.', ['cartId']);
    let replayed = false;
    let orderLines: OrderLine[] = [];
    let orderLocation: Location | undefined;
    const clientAddress = clientAddressOf(ctx);
    let unlimited: PricedDiscount[] = [];
    const result = await transactional(ctx, async (tx) => {
      const orderId = randomUUID();
      const claim = await claimKey(tx, input.idempotencyKey, fingerprint('checkout', input.cartId, input.paymentMethod), orderId, input.cartId);
      if (!claim.ok) return claim;
      if (claim.value.replayOf) {
        // The same request again: the same order, to the same people who could place it.
        const order = await tx.em.findOneOrFail(Order, { id: claim.value.replayOf });
        assertCartAccess(tx.actor, await tx.em.findOneOrFail(Cart, { id: order.cart.id }));
        replayed = true;
        return ok(order);
      }
      return this.placeOrder(tx, orderId, input, clientAddress, (lines, location, discounts) => {
        orderLines = lines;
        orderLocation = location;
        unlimited = discounts.filter((d) => !d.limited);
      });
    });
    if (result.ok && !replayed) {
      // Offers without a limit are counted after the commit: no checkout waits for another on them.
      await pricingService.countUses(ctx, unlimited);
      orderNotifier.changed(ctx, result.value);
      // The response shows the lines just written and the store read: no need to read them back.
      const loaders = requestLoaders(ctx);
      loaders?.linesByOrder.clear(result.value.id).prime(result.value.id, orderLines);
      if (orderLocation) loaders?.locationById.clear(orderLocation.id).prime(orderLocation.id, orderLocation);
    }
    return result;
  }

  private async placeOrder(
    tx: ServiceContext,
    orderId: string,
    input: CheckoutInput,
    clientAddress: string | undefined,
    written: (lines: OrderLine[], location: Location | undefined, discounts: PricedDiscount[]) => void,
  ): Promise<Result<Order>> {
    const now = new Date();
    // Completes the cart if it is ACTIVE and locks it (of two checkouts of one cart, the second
    // waits and then finds it completed); a refusal below rolls the completion back. The same
    // statement reads the lines (with their variants: the order copies their prices) and the store
    // chosen, which the response shows.
    const completed = await lockCart(tx, input.cartId, { complete: true, lines: true, fulfillmentLocation: true });
    if (!completed) {
      // Nothing changed: read the cart only to say why.
      const cart = await tx.em.findOne(Cart, { id: input.cartId });
      if (!cart) return fail(ErrorCode.NOT_FOUND, 'No cart has this id.', ['cartId']);
      assertCartAccess(tx.actor, cart);
      return fail(ErrorCode.CART_NOT_ACTIVE, `This cart is ${cart.status}.`, ['cartId']);
    }
    const { cart, location } = completed;
    const lines = completed.lines!;
    assertCartAccess(tx.actor, cart);
    if (lines.length === 0) return fail(ErrorCode.CART_EMPTY, 'The cart is empty.', ['cartId']);
    const archived = lines.findIndex((l) => l.variant.unwrap().archived);
    if (archived >= 0)
      return fail(ErrorCode.PRODUCT_ARCHIVED, `${lines[archived].variant.unwrap().sku} is no longer sold: remove it from the cart.`, ['lines', archived]);
    const method = cart.fulfillmentMethod;
    if (!method) return fail(ErrorCode.FULFILLMENT_REQUIRED, 'Choose shipping, pickup or a counter sale first.', ['cartId']);
    if (input.paymentMethod === PaymentMethod.PAY_IN_STORE && method === FulfillmentMethod.SHIP) {
      return fail(ErrorCode.INVALID_INPUT, 'A shipped order is paid by card.', ['paymentMethod']);
    }
    const atCounter = method === FulfillmentMethod.IN_STORE;
    if (atCounter) requireStaff(tx, { locationId: cart.fulfillmentLocation!.id });
    // A guest is told about the order (and finds it again) by email; a sale at the counter is handed over at once.
    if (!cart.customer && !atCounter && !cart.contactEmail) {
      return fail(ErrorCode.CONTACT_REQUIRED, 'Give an email address for this order first (cartSetContact).', ['cartId']);
    }
    if (input.paymentMethod === PaymentMethod.PAY_IN_STORE && !atCounter && tx.actor.kind !== 'staff') {
      const capped = await this.payInStoreCap(tx, lines, cart.customer?.id, clientAddress);
      if (capped) return capped;
    }

    const locationId = method === FulfillmentMethod.SHIP ? await this.shippingLocationFor(tx, lines) : cart.fulfillmentLocation!.id;
    if (!locationId) return fail(ErrorCode.OUT_OF_STOCK, 'No warehouse or shipping store can send every line of this cart.', ['cartId']);

    // Reserve first: of two terminals selling the last unit, the second is refused here.
    const changes: StockChange[] = lines.map((line) => ({
      locationId,
      variantId: line.variant.id,
      kind: atCounter ? MovementKind.SALE : MovementKind.RESERVE,
      onHandDelta: atCounter ? -line.quantity : 0,
      reservedDelta: atCounter ? 0 : line.quantity,
      orderId,
    }));
    const stock = await inventoryService.apply(tx, changes);
    if (!stock.ok) {
      const { index, available } = stock.details!;
      return fail(ErrorCode.OUT_OF_STOCK, `Only ${available} of this item can be had there now.`, ['lines', index]);
    }

    const variants = lines.map((l) => l.variant.unwrap());
    // The one engine that priced the cart on every channel prices the order: what was shown is what is charged.
    const prices = await priceLockedCart(tx, cart, lines, location);
    const { subtotal, loyaltyDiscount, total } = prices;
    // A code that the offer's own state now refuses (used up, ended, expired since the cart was
    // read) stops the checkout rather than charging more than the customer expected; one that no
    // longer fits the cart's lines gave nothing on the cart either.
    const refused = prices.codeProblem;
    if (refused && refused.code !== 'DISCOUNT_NOT_APPLICABLE')
      return fail(ErrorCode[refused.code], `${refused.message} Remove the code to check out without it.`, ['cartId']);
    const customerId = cart.customer?.id;
    const redeemed = prices.pointsRedeemed;
    if (redeemed > 0) {
      const debited = customerId && (await loyaltyService.post(tx, { customerId, kind: LoyaltyTransactionKind.REDEEM, points: -redeemed, orderId }));
      if (!debited) return fail(ErrorCode.INSUFFICIENT_POINTS, 'The points applied to the cart are no longer on the balance.', ['cartId']);
    }
    // Limited offers are counted here, under the promotion's row lock (see recordUsage).
    const usage = await pricingService.recordUsage(
      tx,
      prices.discounts.filter((d) => d.limited),
      customerId,
    );
    if (!usage.ok) return usage;

    const orderRow: PlacedOrder = {
      id: orderId,
      cartId: cart.id,
      customerId: customerId ?? null,
      channel: tx.channel,
      status: atCounter ? OrderStatus.COMPLETED : OrderStatus.PLACED,
      fulfillmentMethod: method,
      locationId,
      shippingAddress: cart.shippingAddress ?? null,
      clientAddress: clientAddress ?? null,
      pickupCode: method === FulfillmentMethod.PICKUP ? newPickupCode() : null,
      contactEmail: customerId ? null : (cart.contactEmail ?? null),
      completedAt: atCounter ? now : null,
      subtotal,
      loyaltyDiscount,
      discountTotal: prices.discountTotal,
      taxTotal: prices.taxTotal,
      taxesIncluded: prices.taxesIncluded,
      discounts: prices.discounts.map(({ promotionId, title, code, amount }) => ({ promotionId, title, code, amount })),
      taxLines: prices.taxLines,
      total,
      loyaltyPointsRedeemed: redeemed,
      loyaltyPointsEarned: 0,
      pickupCodeFailures: 0,
      createdAt: now,
      updatedAt: now,
    };
    const priceOf = new Map(variants.map((v) => [v.id, v]));
    const lineRows = lines.map((line, i): PlacedLine => {
      const variant = priceOf.get(line.variant.id)!;
      const priced = prices.lines.find((l) => l.key === line.id)!;
      return {
        id: randomUUID(),
        orderId,
        customerId: customerId ?? null,
        variantId: variant.id,
        sku: variant.sku,
        title: variant.title,
        quantity: line.quantity,
        returnedQuantity: 0,
        unitPrice: variant.priceAmount,
        discountTotal: priced.discountTotal,
        loyaltyDiscount: priced.loyaltyDiscount,
        taxTotal: priced.taxTotal,
        total: priced.total,
        channel: line.channel,
        createdAt: new Date(now.getTime() + i),
      };
    });
    const event: PlacedEvent = { id: randomUUID(), orderId, kind: atCounter ? 'SOLD_AT_COUNTER' : 'PLACED', channel: tx.channel, locationId, at: now };

    // Authorize last, so a refusal above never leaves an authorization to undo; if the
    // transaction fails after all, the authorization is voided (see core/db/transaction.ts).
    let status = PaymentStatus.PENDING;
    let reference: string | undefined;
    if (input.paymentMethod === PaymentMethod.CARD) {
      const authorization = await paymentProvider().authorize({ amount: total, currencyCode: tx.config.currencyCode, token: input.paymentToken, orderId });
      if (!authorization.ok) return fail(ErrorCode.PAYMENT_DECLINED, authorization.reason, ['paymentToken']);
      const authorized = authorization.reference;
      onRollback(tx, () => paymentProvider().void(authorized));
      reference = authorized;
      status = PaymentStatus.AUTHORIZED;
    }
    if (atCounter) {
      // A counter sale is paid before the goods leave: the capture is part of the charge made
      // last inside the transaction, and the void registered above undoes both.
      if (reference) await paymentProvider().capture(reference, total);
      status = PaymentStatus.CAPTURED;
    }
    const captured = atCounter ? total : 0;
    const payment: PlacedPayment = {
      id: randomUUID(),
      orderId,
      method: input.paymentMethod,
      status,
      amount: total,
      capturedAmount: captured,
      refundedAmount: 0,
      providerCapturedAmount: reference ? captured : 0,
      providerRefundedAmount: 0,
      providerReference: reference ?? null,
      createdAt: now,
    };
    // Written by the same statement: ORDER_PLACED (and ORDER_COMPLETED for a sale at the counter).
    const facts = {
      ...orderRow,
      number: '',
      pickupCode: orderRow.pickupCode ?? undefined,
      expiresAt: undefined,
      location: { id: locationId },
      customer: customerId ? { id: customerId } : null,
    };
    const outbox = [WebhookTopic.ORDER_PLACED, ...(atCounter ? [WebhookTopic.ORDER_COMPLETED] : [])].map((topic) => orderEvent(topic, facts, tx.config));
    const { order, lines: orderLines } = await insertPlacedOrder(
      tx.em,
      `${NUMBER_PREFIX[tx.channel]}-`,
      { order: orderRow, lines: lineRows, payment, event, outbox },
      [recommendationService.purchaseToLearn(orderId, now)],
    );

    if (atCounter && customerId) {
      order.loyaltyPointsEarned = await loyaltyService.earnForOrder(tx, customerId, orderId, total);
      await tx.em.flush();
    }
    written(orderLines, location?.id === locationId ? location : undefined, prices.discounts);
    return ok(order);
  }

  /**
   * An order paid in store reserves stock with nothing paid, so a customer or guest may hold only
   * so much that way (PAY_IN_STORE_* caps): units per order, and open unpaid orders per customer
   * and per client address. Past a cap the answer is to pay by card. Two checkouts racing past
   * the same cap may both pass it once; the guests' checkout rate limit bounds that.
   */
  private async payInStoreCap(
    tx: ServiceContext,
    lines: CartLine[],
    customerId: string | undefined,
    clientAddress: string | undefined,
  ): Promise<Failure | undefined> {
    const caps = tx.config.payInStore;
    const units = lines.reduce((sum, l) => sum + l.quantity, 0);
    if (units > caps.maxUnitsPerOrder) {
      return fail(ErrorCode.INVALID_INPUT, `At most ${caps.maxUnitsPerOrder} units can be reserved to pay in store; pay by card for more.`, ['paymentMethod']);
    }
    if (!customerId && !clientAddress) return undefined;
    const open = await countOpenPayInStore(tx.em, customerId, clientAddress);
    if (customerId && open.perCustomer >= caps.maxOpenOrdersPerCustomer) {
      return fail(ErrorCode.INVALID_INPUT, `You have ${caps.maxOpenOrdersPerCustomer} orders waiting to be paid in store: collect one, or pay by card.`, [
        'paymentMethod',
      ]);
    }
    if (clientAddress && open.perAddress >= caps.maxOpenOrdersPerAddress) {
      return fail(ErrorCode.INVALID_INPUT, 'Too many orders are waiting to be paid in store from your network: pay by card.', ['paymentMethod']);
    }
    return undefined;
  }

  /** Who sends a SHIP order: see shippingLocationWithAll (warehouses first, then shipping stores). */
  private shippingLocationFor(tx: ServiceContext, lines: CartLine[]): Promise<string | undefined> {
    return shippingLocationWithAll(
      tx.em,
      lines.map((l) => ({ variantId: l.variant.id, quantity: l.quantity })),
    );
  }
}

export const checkoutService = new CheckoutService();
