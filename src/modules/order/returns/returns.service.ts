import { LockMode } from '@mikro-orm/core';
import { requireStaff } from '../../../core/auth/guards';
import type { ServiceContext } from '../../../core/context';
import { transactional } from '../../../core/db/transaction';
import { ErrorCode, fail, ok, type Result } from '../../../core/errors';
import { isUuid } from '../../../core/loader';
import { inventoryService, MovementKind } from '../../inventory';
import { loyaltyService } from '../../loyalty';
import { claimKey, checkKey, fingerprint } from '../order.idempotency';
import { Order, OrderEvent, OrderLine, OrderStatus, Payment, PaymentStatus } from '../order.entity';
import { orderNotifier } from '../order.notifier';
import { outbox } from '../../outbox';
import { orderEvent, TOPIC_OF_TIMELINE_EVENT } from '../order.outbox';
import { PaymentCallKind, recordPaymentCall } from '../payment/payment.calls';

export interface ReturnLineInput {
  lineId: string;
  quantity: number;
}

/** floor(whole × part / of), 0 when there is nothing to share. */
const share = (whole: number, part: number, of: number) => (of > 0 ? Math.floor((whole * part) / of) : 0);

export class ReturnsService {
  /**
   * Staff of any store take back lines of a completed order, from any channel. Money and points
   * move in proportion to the value returned, computed on the running total of everything
   * returned so far, so that returning an order in parts gives back exactly what returning it
   * whole would. If the customer already spent the points the return takes back, the balance
   * stops at zero and the event notes the shortfall.
   */
  async returnLines(ctx: ServiceContext, orderId: string, lines: ReturnLineInput[], restock: boolean, idempotencyKey: string): Promise<Result<Order>> {
    const staff = requireStaff(ctx);
    const validKey = checkKey(idempotencyKey);
    if (!validKey.ok) return validKey;
    if (!isUuid(orderId)) return fail(ErrorCode.NOT_FOUND, 'No order has this id.', ['orderId']);
    if (lines.length === 0) return fail(ErrorCode.INVALID_INPUT, 'Name at least one line to return.', ['lines']);
    let replay = false;
    const result = await transactional(ctx, async (tx) => {
      const claim = await claimKey(tx, idempotencyKey, fingerprint('return', orderId, lines, restock), orderId);
      if (!claim.ok) return claim;
      const order = await tx.em.findOne(Order, { id: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!order) return fail(ErrorCode.NOT_FOUND, 'No order has this id.', ['orderId']);
      if (claim.value.replayOf) {
        replay = true;
        return ok(order);
      }
      if (order.status !== OrderStatus.COMPLETED)
        return fail(ErrorCode.INVALID_STATE, `Order ${order.number} is ${order.status}: only completed orders take returns.`, ['orderId']);

      const orderLines = await tx.em.find(OrderLine, { order: order.id });
      // What each line paid (after its discounts and points, with its tax) and the points it
      // redeemed, in shares of the units returned so far: running totals, so that returning a
      // line in parts gives back exactly what returning it at once would.
      const returned = () => ({
        paid: orderLines.reduce((sum, l) => sum + share(l.total, l.returnedQuantity, l.quantity), 0),
        points: orderLines.reduce((sum, l) => sum + share(l.loyaltyDiscount, l.returnedQuantity, l.quantity), 0),
      });
      const returnedBefore = returned();
      for (const [i, input] of lines.entries()) {
        const line = orderLines.find((l) => l.id === input.lineId);
        if (!line) return fail(ErrorCode.NOT_FOUND, 'This order has no line with this id.', ['lines', i, 'lineId']);
        const left = line.quantity - line.returnedQuantity;
        if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > left) {
          return fail(ErrorCode.INVALID_QUANTITY, `Between 1 and ${left} of this line can be returned.`, ['lines', i, 'quantity']);
        }
        line.returnedQuantity += input.quantity;
      }
      const returnedAfter = returned();

      // Restock where the goods are handed back: the staff member's store (ADMIN: the order's).
      const restockAt = staff.locationId ?? order.location.id;
      if (restock) {
        const changes = lines.map((input) => {
          const line = orderLines.find((l) => l.id === input.lineId)!;
          return { locationId: restockAt, variantId: line.variant.id, kind: MovementKind.RETURN, onHandDelta: input.quantity, reservedDelta: 0, orderId };
        });
        const stock = await inventoryService.apply(tx, changes, { create: true });
        if (!stock.ok) throw new Error('a return could not be restocked');
      }

      const payment = await tx.em.findOneOrFail(Payment, { order: order.id });
      const refundAmount = returnedAfter.paid - returnedBefore.paid;
      payment.refundedAmount = Math.min(payment.capturedAmount, payment.refundedAmount + refundAmount);
      payment.status = payment.refundedAmount >= payment.capturedAmount ? PaymentStatus.REFUNDED : PaymentStatus.PARTIALLY_REFUNDED;
      // Back to the card at most what the card paid; the rest (lines paid at the counter) in store.
      const toCard = Math.min(refundAmount, payment.providerCapturedAmount - payment.providerRefundedAmount);
      payment.providerRefundedAmount += toCard;
      const reference = payment.providerReference;
      // Money leaves only for a return that is recorded: refunded after commit by the outbox, retried until the provider has it.
      if (reference && toCard > 0) recordPaymentCall(tx, { orderId: order.id, paymentId: payment.id, kind: PaymentCallKind.REFUND, reference, amount: toCard });
      const inStore = refundAmount - toCard;

      let shortfall = 0;
      if (order.customer) {
        const customerId = order.customer.id;
        const redeemedBack =
          share(order.loyaltyPointsRedeemed, returnedAfter.points, order.loyaltyDiscount) -
          share(order.loyaltyPointsRedeemed, returnedBefore.points, order.loyaltyDiscount);
        // Points were earned on what was paid: the same share of them goes.
        const earnedBack =
          share(order.loyaltyPointsEarned, returnedAfter.paid, order.total) - share(order.loyaltyPointsEarned, returnedBefore.paid, order.total);
        // Give back first, then take: the balance is as large as it can be when points are taken.
        if (redeemedBack > 0) await loyaltyService.reverse(tx, { customerId, orderId, points: redeemedBack });
        if (earnedBack > 0) shortfall = await loyaltyService.reverse(tx, { customerId, orderId, points: -earnedBack, countsForTier: true });
      }
      const units = lines.reduce((sum, l) => sum + l.quantity, 0);
      const refunded = inStore && toCard ? `${toCard} to the card and ${inStore} in store` : `${refundAmount}${inStore ? ' in store' : ''}`;
      const message = `${units} unit(s) returned, ${refunded} refunded${restock ? ', restocked' : ''}${shortfall ? `; ${shortfall} points already spent were not taken back` : ''}.`;
      order.updatedAt = new Date();
      tx.em.create(OrderEvent, { order, kind: 'RETURNED', channel: tx.channel, locationId: restockAt, message, at: order.updatedAt });
      outbox.record(
        tx,
        orderEvent(TOPIC_OF_TIMELINE_EVENT.RETURNED!, order, tx.config, { refunded: { amount: refundAmount, currencyCode: tx.config.currencyCode }, units }),
      );
      await tx.em.flush();
      return ok(order);
    });
    if (result.ok && !replay) orderNotifier.changed(ctx, result.value);
    return result;
  }
}

export const returnsService = new ReturnsService();
