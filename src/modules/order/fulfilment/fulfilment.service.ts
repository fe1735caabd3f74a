import { timingSafeEqual } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { StaffActor } from '../../../core/auth/actor';
import { requireStaff } from '../../../core/auth/guards';
import type { ServiceContext } from '../../../core/context';
import { transactional } from '../../../core/db/transaction';
import { ErrorCode, fail, forbidden, ok, unauthenticated, type Result } from '../../../core/errors';
import { isUuid } from '../../../core/loader';
import { FulfillmentMethod } from '../../cart/cart.entity';
import { resolveLineInputs, type CartLineInput } from '../../cart';
import { inventoryService, MovementKind, type StockChange } from '../../inventory';
import { loyaltyService } from '../../loyalty';
import { groupTaxLines, pricingService } from '../../pricing';
import { claimKey, checkKey, fingerprint } from '../order.idempotency';
import { Order, OrderEvent, OrderLine, OrderStatus, Payment, PaymentStatus } from '../order.entity';
import { orderNotifier } from '../order.notifier';
import { outbox } from '../../outbox';
import { InternalEventType, orderEvent, TOPIC_OF_TIMELINE_EVENT } from '../order.outbox';
import { lockOverduePickups, lockPickupsToRemind } from '../order.sql';
import { PaymentCallKind, recordPaymentCall } from '../payment/payment.calls';
import { pickupCodeUnlocked, recordWrongPickupCode } from './pickup-code';
import { MAX_AMOUNT } from '../../../core/money';

/** Who may move an order, checked with the order locked; throws the auth error. */
type Authorize = (tx: ServiceContext, order: Order) => void;
/**
 * A failure rolls back; REPLAYED says an idempotent request already happened (nothing to record);
 * AMENDED says a detail changed without a new step in the order's life (no timeline event, but
 * subscribers hear of it).
 */
type Change = (tx: ServiceContext, order: Order) => Promise<Result<Step>>;
type Step = 'changed' | 'amended' | 'replayed';
const CHANGED = ok<Step>('changed');
const AMENDED = ok<Step>('amended');
const REPLAYED = ok<Step>('replayed');

/** Long enough for "blue estate car, bay 4, with a dog"; short enough for a queue card. */
export const CHECK_IN_NOTE_MAX = 200;

/** The customer who placed the order, and no one else (staff do not arrive for a customer). */
const orderOwner: Authorize = (tx, order) => {
  const { actor } = tx;
  if (actor.kind === 'customer' && order.customer?.id === actor.customerId) return;
  if (actor.kind === 'guest') throw unauthenticated('Sign in to check in for your order.');
  throw forbidden('Only the customer who placed the order can check in for it.');
};

const staffOfOrderStore: Authorize = (tx, order) => void requireStaff(tx, { locationId: order.location.id });

/** What happens to the units an open order holds: FULFILL takes them off the shelf, RELEASE gives them back. */
const heldUnits = (order: Order, lines: OrderLine[], kind: MovementKind.FULFILL | MovementKind.RELEASE): StockChange[] =>
  lines.map((l) => ({
    locationId: order.location.id,
    variantId: l.variant.id,
    kind,
    onHandDelta: kind === MovementKind.FULFILL ? -l.quantity : 0,
    reservedDelta: -l.quantity,
    orderId: order.id,
  }));

const invalidState = (order: Order, action: string) =>
  fail(ErrorCode.INVALID_STATE, `Order ${order.number} is ${order.status}: it cannot be ${action}.`, ['orderId']);

export class FulfilmentService {
  /** Staff of the pickup store: packed and waiting. The hold period starts now. */
  markReady(ctx: ServiceContext, orderId: string): Promise<Result<Order>> {
    return this.transition(ctx, orderId, 'READY', staffOfOrderStore, async (tx, order) => {
      if (order.fulfillmentMethod !== FulfillmentMethod.PICKUP || order.status !== OrderStatus.PLACED) return invalidState(order, 'marked ready');
      order.status = OrderStatus.READY_FOR_PICKUP;
      order.readyAt = new Date();
      order.expiresAt = new Date(order.readyAt.getTime() + tx.config.pickupHoldHours * 3600_000);
      return CHANGED;
    });
  }

  /**
   * The owner has arrived to collect a pickup order that is PLACED or READY_FOR_PICKUP: the time
   * and their note are recorded, the order goes to the top of the store's queue and the store
   * hears of it at once (pickupQueueChanged). Checking in again only replaces the note.
   */
  checkIn(ctx: ServiceContext, orderId: string, note?: string | null): Promise<Result<Order>> {
    const text = note?.trim() || undefined;
    if (text && text.length > CHECK_IN_NOTE_MAX)
      return Promise.resolve(fail(ErrorCode.INVALID_INPUT, `A check-in note is at most ${CHECK_IN_NOTE_MAX} characters.`, ['note']));
    return this.transition(
      ctx,
      orderId,
      'CHECKED_IN',
      orderOwner,
      async (_tx, order) => {
        const open = order.status === OrderStatus.PLACED || order.status === OrderStatus.READY_FOR_PICKUP;
        if (order.fulfillmentMethod !== FulfillmentMethod.PICKUP || !open) return invalidState(order, 'checked in for');
        order.checkInNote = text;
        if (order.checkedInAt) return AMENDED;
        order.checkedInAt = new Date();
        return CHANGED;
      },
      text,
    );
  }

  /**
   * Staff of the pickup store hand the order over against the customer's code. Reserved units
   * leave the store, extra lines bought at the counter are sold from its shelf and paid there,
   * payment is captured and points are earned. The same idempotency key returns the same result.
   */
  async completePickup(
    ctx: ServiceContext,
    orderId: string,
    pickupCode: string,
    idempotencyKey: string,
    addLines: CartLineInput[] = [],
  ): Promise<Result<Order>> {
    const validKey = checkKey(idempotencyKey);
    if (!validKey.ok) return validKey;
    let wrongCode = false;
    const result = await this.transition(ctx, orderId, 'PICKED_UP', staffOfOrderStore, async (tx, order) => {
      // Before the key is claimed: a locked attempt writes nothing. Only READY orders count wrong
      // codes, so a completed order (whose retries replay below) is never locked.
      const unlocked = pickupCodeUnlocked(order);
      if (!unlocked.ok) return unlocked;
      const claim = await claimKey(tx, idempotencyKey, fingerprint('pickup', orderId, pickupCode, addLines), orderId);
      if (!claim.ok) return claim;
      if (claim.value.replayOf) return REPLAYED;
      if (order.status !== OrderStatus.READY_FOR_PICKUP) return invalidState(order, 'picked up');
      if (!sameCode(order.pickupCode, pickupCode)) {
        wrongCode = true;
        return fail(ErrorCode.INVALID_PICKUP_CODE, 'The pickup code does not match this order.', ['pickupCode']);
      }

      const extra = await resolveLineInputs(tx, addLines, ['addLines']);
      if (!extra.ok) return extra;
      const lines = await tx.em.find(OrderLine, { order: order.id });
      const changes: StockChange[] = [
        ...heldUnits(order, lines, MovementKind.FULFILL),
        ...extra.value.map((l) => ({
          locationId: order.location.id,
          variantId: l.variant.id,
          kind: MovementKind.SALE,
          onHandDelta: -l.quantity,
          reservedDelta: 0,
          orderId,
        })),
      ];
      const stock = await inventoryService.apply(tx, changes);
      if (!stock.ok) {
        const index = stock.details!.index - lines.length;
        return fail(ErrorCode.OUT_OF_STOCK, `Only ${stock.details!.available} of this item are on the shelf.`, index >= 0 ? ['addLines', index] : ['orderId']);
      }
      const now = Date.now();
      const added = await pricingService.priceCounterLines(
        tx,
        extra.value.map((l, i) => ({ key: String(i), quantity: l.quantity, variant: l.variant })),
        order.location.id,
      );
      const extraAmount = added.total;
      // The order's total must stay readable (a GraphQL Int) with what is added at the counter.
      if (order.total + extraAmount > MAX_AMOUNT) {
        return fail(ErrorCode.INVALID_QUANTITY, `An order comes to at most ${MAX_AMOUNT} minor units.`, ['addLines']);
      }
      extra.value.forEach((l, i) =>
        tx.em.create(OrderLine, {
          order,
          customer: order.customer,
          variant: l.variant,
          sku: l.variant.sku,
          title: l.variant.title,
          quantity: l.quantity,
          unitPrice: l.variant.priceAmount,
          taxTotal: added.lines[i].taxTotal,
          total: added.lines[i].total,
          channel: tx.channel,
          createdAt: new Date(now + i),
        }),
      );
      order.subtotal += added.subtotal;
      order.taxTotal += added.taxTotal;
      order.taxLines = groupTaxLines([...order.taxLines, ...added.taxLines]);
      order.total += extraAmount;
      const payment = await tx.em.findOneOrFail(Payment, { order: order.id });
      this.captureAfterCommit(tx, payment);
      payment.amount += extraAmount;
      payment.capturedAmount = payment.amount;
      payment.status = PaymentStatus.CAPTURED;
      await this.complete(tx, order);
      return CHANGED;
    });
    if (wrongCode) return recordWrongPickupCode(ctx, orderId);
    return result;
  }

  /** Staff of the location that sends it (a warehouse or a shipping store): reserved units leave, the card is captured (after commit). */
  markShipped(ctx: ServiceContext, orderId: string): Promise<Result<Order>> {
    return this.transition(ctx, orderId, 'SHIPPED', staffOfOrderStore, async (tx, order) => {
      if (order.fulfillmentMethod !== FulfillmentMethod.SHIP || order.status !== OrderStatus.PLACED) return invalidState(order, 'shipped');
      const lines = await tx.em.find(OrderLine, { order: order.id });
      const stock = await inventoryService.apply(tx, heldUnits(order, lines, MovementKind.FULFILL));
      if (!stock.ok) throw new Error(`order ${order.id} has no reservation to ship`);
      const payment = await tx.em.findOneOrFail(Payment, { order: order.id });
      this.captureAfterCommit(tx, payment);
      payment.capturedAmount = payment.amount;
      payment.status = PaymentStatus.CAPTURED;
      order.status = OrderStatus.SHIPPED;
      return CHANGED;
    });
  }

  /**
   * The card's authorized amount is captured once the change commits (the authorization stays
   * valid if it does not): recorded here, made and retried by the outbox. Extra lines added at
   * the counter are paid there, not by card.
   */
  private captureAfterCommit(tx: ServiceContext, payment: Payment): void {
    const reference = payment.providerReference;
    if (!reference) return;
    payment.providerCapturedAmount = payment.amount;
    recordPaymentCall(tx, { orderId: payment.order.id, paymentId: payment.id, kind: PaymentCallKind.CAPTURE, reference, amount: payment.amount });
  }

  markDelivered(ctx: ServiceContext, orderId: string): Promise<Result<Order>> {
    return this.transition(ctx, orderId, 'DELIVERED', staffOfOrderStore, async (tx, order) => {
      if (order.status !== OrderStatus.SHIPPED) return invalidState(order, 'delivered');
      await this.complete(tx, order);
      return CHANGED;
    });
  }

  /** The owner before the order is ready, or staff of its store: stock back, payment voided, points back. */
  async cancel(ctx: ServiceContext, orderId: string, reason?: string | null): Promise<Result<Order>> {
    const authorize: Authorize = (tx, order) => {
      const { actor } = tx;
      if (actor.kind === 'customer' && order.customer?.id === actor.customerId) return;
      if (actor.kind === 'guest') throw unauthenticated();
      if (actor.kind !== 'staff') throw forbidden('Only the customer who placed the order or store staff can cancel it.');
      requireStaff(tx, { locationId: order.location.id });
    };
    return this.transition(
      ctx,
      orderId,
      'CANCELLED',
      authorize,
      async (tx, order) => {
        const cancellable = order.status === OrderStatus.PLACED || (order.status === OrderStatus.READY_FOR_PICKUP && tx.actor.kind === 'staff');
        if (!cancellable) return invalidState(order, tx.actor.kind === 'customer' ? 'cancelled by the customer any more' : 'cancelled');
        await this.release(tx, order, OrderStatus.CANCELLED);
        return CHANGED;
      },
      reason ?? undefined,
    );
  }

  /**
   * Pickups past their hold, released like a cancellation: uncollected READY orders after
   * PICKUP_HOLD_HOURS, and orders never readied (PLACED) after PICKUP_PLACED_HOLD_HOURS, so that
   * no one holds a store's stock for ever by ordering and never coming. Claims a batch with
   * FOR UPDATE SKIP LOCKED, so any number of instances can run it together.
   */
  async expireOverdue(ctx: ServiceContext, now = new Date(), batch = 100): Promise<number> {
    const expired: { order: Order; message: string }[] = [];
    const placedBefore = new Date(now.getTime() - ctx.config.pickupPlacedHoldHours * 3600_000);
    await transactional(ctx, async (tx) => {
      for (const id of await lockOverduePickups(tx.em, now, placedBefore, batch)) {
        const order = await tx.em.findOneOrFail(Order, { id });
        const message =
          order.status === OrderStatus.PLACED
            ? `Not made ready for pickup within ${ctx.config.pickupPlacedHoldHours} hours.`
            : `Not collected within ${ctx.config.pickupHoldHours} hours.`;
        await this.release(tx, order, OrderStatus.EXPIRED);
        this.record(tx, order, 'EXPIRED', message);
        expired.push({ order, message });
      }
      await tx.em.flush();
      return ok();
    });
    for (const { order, message } of expired) {
      orderNotifier.changed(ctx, order);
      orderNotifier.tellCustomer(ctx, order, 'ORDER_EXPIRED', message);
    }
    return expired.length;
  }

  /** Gives back what an open order holds: its reservation, its payment authorization, its points. */
  private async release(tx: ServiceContext, order: Order, status: OrderStatus.CANCELLED | OrderStatus.EXPIRED): Promise<void> {
    const lines = await tx.em.find(OrderLine, { order: order.id });
    const stock = await inventoryService.apply(tx, heldUnits(order, lines, MovementKind.RELEASE));
    if (!stock.ok) throw new Error(`order ${order.id} has no reservation to release`);
    const payment = await tx.em.findOneOrFail(Payment, { order: order.id });
    const reference = payment.providerReference;
    // Voided after commit by the outbox, retried until the provider has it.
    if (reference) recordPaymentCall(tx, { orderId: order.id, paymentId: payment.id, kind: PaymentCallKind.VOID, reference, amount: 0 });
    payment.status = PaymentStatus.VOIDED;
    if (order.customer && order.loyaltyPointsRedeemed > 0) {
      await loyaltyService.reverse(tx, { customerId: order.customer.id, orderId: order.id, points: order.loyaltyPointsRedeemed });
    }
    // An order that will never be paid gives its use of a limited offer back.
    await pricingService.releaseUsage(
      tx,
      order.discounts.map((d) => d.promotionId),
      order.customer?.id,
    );
    order.status = status;
  }

  /** COMPLETED, with the points earned on what was paid. */
  private async complete(tx: ServiceContext, order: Order): Promise<void> {
    order.status = OrderStatus.COMPLETED;
    order.completedAt = new Date();
    if (order.customer) order.loyaltyPointsEarned = await loyaltyService.earnForOrder(tx, order.customer.id, order.id, order.total);
  }

  /**
   * Every order change: lock the order, check who asks, apply, add a timeline event, commit,
   * then tell subscribers. A replayed idempotent request returns the order as it is.
   */
  private async transition(
    ctx: ServiceContext,
    orderId: string,
    event: string,
    authorize: Authorize,
    change: Change,
    message?: string,
  ): Promise<Result<Order>> {
    if (!isUuid(orderId)) return fail(ErrorCode.NOT_FOUND, 'No order has this id.', ['orderId']);
    let replay = false;
    const result = await transactional(ctx, async (tx) => {
      const order = await tx.em.findOne(Order, { id: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!order) return fail(ErrorCode.NOT_FOUND, 'No order has this id.', ['orderId']);
      authorize(tx, order);
      const step = await change(tx, order);
      if (!step.ok) return step;
      if (step.value === 'replayed') {
        replay = true;
        return ok(order);
      }
      if (step.value === 'amended') order.updatedAt = new Date();
      else this.record(tx, order, event, message);
      await tx.em.flush();
      return ok(order);
    });
    if (result.ok && !replay) orderNotifier.changed(ctx, result.value);
    return result;
  }

  private record(tx: ServiceContext, order: Order, kind: string, message?: string): void {
    order.updatedAt = new Date();
    const staff = tx.actor.kind === 'staff' ? (tx.actor as StaffActor) : undefined;
    tx.em.create(OrderEvent, { order, kind, channel: tx.channel, locationId: staff?.locationId ?? order.location.id, message, at: order.updatedAt });
    const topic = TOPIC_OF_TIMELINE_EVENT[kind];
    if (topic) outbox.record(tx, orderEvent(topic, order, tx.config));
  }

  /**
   * Ready pickups that expire within PICKUP_REMINDER_HOURS and were not reminded yet: one
   * reminder each, recorded as an event in the same transaction that marks the order reminded.
   * Claims with FOR UPDATE SKIP LOCKED, so any number of instances can run it together.
   */
  async remindUncollected(ctx: ServiceContext, now = new Date(), batch = 100): Promise<number> {
    const hours = ctx.config.outbox.pickupReminderHours;
    if (hours <= 0) return 0;
    let reminded = 0;
    await transactional(ctx, async (tx) => {
      const ids = await lockPickupsToRemind(tx.em, now, new Date(now.getTime() + hours * 3600_000), batch);
      if (!ids.length) return ok();
      for (const order of await tx.em.find(Order, { id: { $in: ids } })) {
        order.pickupRemindedAt = now;
        outbox.record(tx, orderEvent(InternalEventType.PICKUP_REMINDER, order, tx.config));
        reminded++;
      }
      await tx.em.flush();
      return ok();
    });
    return reminded;
  }
}

function sameCode(expected: string | undefined, given: string): boolean {
  const a = Buffer.from((expected ?? '').toUpperCase());
  const b = Buffer.from(given.trim().toUpperCase());
  return a.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

export const fulfilmentService = new FulfilmentService();
