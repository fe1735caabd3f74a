import { randomInt, randomUUID } from 'node:crypto';
import { requireStaff } from '../../core/auth/guards';
import { requestLoaders, type TxContext } from '../../core/context';
import { transactional } from '../../core/db/transaction';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { Cart, CartLine, FulfillmentMethod } from '../cart/cart.entity';
import { priceLockedCart } from '../cart/cart.pricing';
import { lockCart } from '../cart/cart.lock';
import { assertCartAccess } from '../cart/cart.service';
import { inventoryService, MovementKind, type StockChange } from '../inventory';
import { Location } from '../location/location.entity';
import { LoyaltyTransactionKind } from '../loyalty/loyalty.entity';
import { pricingService, type PricedDiscount } from '../pricing';
import { loyaltyService } from '../loyalty/loyalty.service';
import { claimKey, checkKey, fingerprint } from './order.idempotency';
import { Order, OrderLine, OrderStatus, PaymentMethod, PaymentStatus } from './order.entity';
import { insertPlacedOrder, Sql } from './order.insert';
import { orderNotifier } from './order.notifier';
import { paymentProvider } from './payment.provider';

export interface CheckoutInput {
  cartId: string;
  idempotencyKey: string;
  paymentMethod: PaymentMethod;
  paymentToken?: string | null;
}

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
  async complete(ctx: TxContext, input: CheckoutInput): Promise<Result<Order>> {
    const badKey = checkKey(input.idempotencyKey);
    if (badKey) return badKey;
    if (!isUuid(input.cartId)) return fail(ErrorCode.NOT_FOUND, 'No cart has this id.', ['cartId']);
    let authorization: string | undefined;
    let replayed = false;
    let orderLines: OrderLine[] = [];
    let orderLocation: Location | undefined;
    let unlimited: PricedDiscount[] = [];
    const voidAuthorization = async () => {
      if (authorization) await paymentProvider().void(authorization);
      authorization = undefined;
    };
    try {
      const result = await transactional(ctx, async (tx) => {
        const orderId = randomUUID();
        const claim = await claimKey(tx, input.idempotencyKey, fingerprint('checkout', input.cartId, input.paymentMethod), orderId);
        if (claim.kind === 'reused') return claim.failure;
        if (claim.kind === 'replay') {
          // The same request again: the same order, to the same people who could place it.
          const order = await tx.em.findOneOrFail(Order, { id: claim.orderId });
          assertCartAccess(tx.actor, await tx.em.findOneOrFail(Cart, { id: order.cart.id }));
          replayed = true;
          return ok(order);
        }
        return this.placeOrder(tx, orderId, input, (reference) => (authorization = reference), (lines, location, discounts) => {
          orderLines = lines;
          orderLocation = location;
          unlimited = discounts.filter((d) => !d.limited);
        });
      });
      if (!result.ok) await voidAuthorization();
      else if (!replayed) {
        // Offers without a limit are counted after the commit: no checkout waits for another on them.
        await pricingService.countUses(ctx, unlimited);
        orderNotifier.changed(ctx, result.value);
        // The response shows the lines just written and the store read: no need to read them back.
        const loaders = requestLoaders(ctx);
        loaders?.linesByOrder.clear(result.value.id).prime(result.value.id, orderLines);
        if (orderLocation) loaders?.locationById.clear(orderLocation.id).prime(orderLocation.id, orderLocation);
      }
      return result;
    } catch (err) {
      await voidAuthorization();
      throw err;
    }
  }

  private async placeOrder(
    tx: TxContext,
    orderId: string,
    input: CheckoutInput,
    authorized: (reference: string) => void,
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
    if (archived >= 0) return fail(ErrorCode.PRODUCT_ARCHIVED, `${lines[archived].variant.unwrap().sku} is no longer sold: remove it from the cart.`, ['lines', archived]);
    const method = cart.fulfillmentMethod;
    if (!method) return fail(ErrorCode.FULFILLMENT_REQUIRED, 'Choose shipping, pickup or a counter sale first.', ['cartId']);
    if (input.paymentMethod === PaymentMethod.PAY_IN_STORE && method === FulfillmentMethod.SHIP) {
      return fail(ErrorCode.INVALID_INPUT, 'A shipped order is paid by card.', ['paymentMethod']);
    }
    const atCounter = method === FulfillmentMethod.IN_STORE;
    if (atCounter) requireStaff(tx, { locationId: cart.fulfillmentLocation!.id });

    const locationId = method === FulfillmentMethod.SHIP ? await this.warehouseFor(tx, lines) : cart.fulfillmentLocation!.id;
    if (!locationId) return fail(ErrorCode.OUT_OF_STOCK, 'No warehouse can ship every line of this cart.', ['cartId']);

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
      return fail(ErrorCode.OUT_OF_STOCK, `Only ${stock.available} of this item can be had there now.`, ['lines', stock.index]);
    }

    const variants = lines.map((l) => l.variant.unwrap());
    // The one engine that priced the cart on every channel prices the order: what was shown is what is charged.
    const prices = await priceLockedCart(tx, cart, lines, location);
    const { subtotal, loyaltyDiscount, total } = prices;
    // A code that the offer's own state now refuses (used up, ended, expired since the cart was
    // read) stops the checkout rather than charging more than the customer expected; one that no
    // longer fits the cart's lines gave nothing on the cart either.
    const refused = prices.codeProblem;
    if (refused && refused.code !== 'DISCOUNT_NOT_APPLICABLE') return fail(ErrorCode[refused.code], `${refused.message} Remove the code to check out without it.`, ['cartId']);
    const customerId = cart.customer?.id;
    const redeemed = prices.pointsRedeemed;
    if (redeemed > 0) {
      const debited = customerId && (await loyaltyService.post(tx, { customerId, kind: LoyaltyTransactionKind.REDEEM, points: -redeemed, orderId }));
      if (!debited) return fail(ErrorCode.INSUFFICIENT_POINTS, 'The points applied to the cart are no longer on the balance.', ['cartId']);
    }
    // Limited offers are counted here, under the promotion's row lock (see recordUsage).
    const usage = await pricingService.recordUsage(tx, prices.discounts.filter((d) => d.limited), customerId);
    if (usage) return usage;

    const orderRow = {
      id: orderId,
      // Drawn from the sequence inside the insert itself.
      number: new Sql(`? || nextval('order_number_seq')`, [`${NUMBER_PREFIX[tx.channel]}-`]),
      cart_id: cart.id,
      customer_id: customerId ?? null,
      channel: tx.channel,
      status: atCounter ? OrderStatus.COMPLETED : OrderStatus.PLACED,
      fulfillment_method: method,
      location_id: locationId,
      shipping_address: cart.shippingAddress ?? null,
      pickup_code: method === FulfillmentMethod.PICKUP ? newPickupCode() : null,
      completed_at: atCounter ? now : null,
      subtotal,
      loyalty_discount: loyaltyDiscount,
      discount_total: prices.discountTotal,
      tax_total: prices.taxTotal,
      taxes_included: prices.taxesIncluded,
      discounts: prices.discounts.map(({ promotionId, title, code, amount }) => ({ promotionId, title, code, amount })),
      tax_lines: prices.taxLines,
      total,
      loyalty_points_redeemed: redeemed,
      loyalty_points_earned: 0,
      pickup_code_failures: 0,
      created_at: now,
      updated_at: now,
    };
    const priceOf = new Map(variants.map((v) => [v.id, v]));
    const lineRows = lines.map((line, i) => {
      const variant = priceOf.get(line.variant.id)!;
      const priced = prices.lines.find((l) => l.key === line.id)!;
      return {
        id: randomUUID(),
        order_id: orderId,
        customer_id: customerId ?? null,
        variant_id: variant.id,
        sku: variant.sku,
        title: variant.title,
        quantity: line.quantity,
        returned_quantity: 0,
        unit_price: variant.priceAmount,
        discount_total: priced.discountTotal,
        loyalty_discount: priced.loyaltyDiscount,
        tax_total: priced.taxTotal,
        total: priced.total,
        channel: line.channel,
        created_at: new Date(now.getTime() + i),
      };
    });
    const event = { id: randomUUID(), order_id: orderId, kind: atCounter ? 'SOLD_AT_COUNTER' : 'PLACED', channel: tx.channel, location_id: locationId, at: now };

    // Authorize last, so a refusal above never leaves an authorization to undo.
    let status = PaymentStatus.PENDING;
    let reference: string | undefined;
    if (input.paymentMethod === PaymentMethod.CARD) {
      const authorization = await paymentProvider().authorize({ amount: total, currencyCode: tx.config.currencyCode, token: input.paymentToken, orderId });
      if (!authorization.ok) return fail(ErrorCode.PAYMENT_DECLINED, authorization.reason, ['paymentToken']);
      authorized(authorization.reference);
      reference = authorization.reference;
      status = PaymentStatus.AUTHORIZED;
    }
    if (atCounter) {
      if (reference) await paymentProvider().capture(reference, total);
      status = PaymentStatus.CAPTURED;
    }
    const captured = atCounter ? total : 0;
    const payment = {
      id: randomUUID(),
      order_id: orderId,
      method: input.paymentMethod,
      status,
      amount: total,
      captured_amount: captured,
      refunded_amount: 0,
      provider_captured_amount: reference ? captured : 0,
      provider_refunded_amount: 0,
      provider_reference: reference ?? null,
      created_at: now,
    };
    const { order, lines: orderLines } = await insertPlacedOrder(tx, { order: orderRow, lines: lineRows, payment, event });

    if (atCounter && customerId) {
      order.loyaltyPointsEarned = await loyaltyService.earnForOrder(tx, customerId, orderId, total);
      await tx.em.flush();
    }
    written(orderLines, location?.id === locationId ? location : undefined, prices.discounts);
    return ok(order);
  }

  /** The first warehouse (by code) that can ship every line now, else a store allowed to ship. */
  private async warehouseFor(tx: TxContext, lines: CartLine[]): Promise<string | undefined> {
    const candidates = await tx.em.execute<{ location_id: string }[]>(
      `select s.location_id
         from stock_level s
         join location l on l.id = s.location_id and (l.kind = 'WAREHOUSE' or l.ship_enabled)
         join (values ${lines.map(() => '(?::uuid, ?::int)').join(', ')}) as want(variant_id, quantity) on want.variant_id = s.variant_id
        where s.on_hand - s.reserved >= want.quantity
        group by s.location_id, l.kind, l.code
       having count(*) = ?
        order by l.kind <> 'WAREHOUSE', l.code
        limit 1`,
      [...lines.flatMap((l) => [l.variant.id, l.quantity]), lines.length],
    );
    return candidates[0]?.location_id;
  }

}

export const checkoutService = new CheckoutService();
