import { StaffRole } from '../../core/auth/actor';
import { transactional } from '../../core/db/transaction';
import { ok } from '../../core/errors';
import { fulfilmentService } from '../order';
import { aCustomer, aGuestContact, aProduct, aStaff, aStore, sqlNumber, stock, systemContext } from '../../../test/support/fixtures';
import {
  CartApplyDiscountCodeDocument,
  CartRemoveDiscountCodeDocument,
  OrderMarkReadyDocument,
  PricedCancelDocument,
  PricedCartCreateDocument,
  PricedCartSetFulfillmentDocument,
  PricedCheckoutDocument,
  PricedReturnDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, unique } from '../../../test/support/harness';
import { aCodePromotion } from '../../../test/support/pricing.fixtures';
import { pricingService } from './pricing.service';

/**
 * Limited offers are never oversold: the usage limits are counted by the database in the checkout
 * transaction, so racing checkouts cannot all take the last uses. A cancelled or expired order
 * gives its use back; a return does not.
 */
let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const timesUsed = (promotionId: string) => sqlNumber(t, 'select times_used n from promotion where id = ?', [promotionId]);

/** A cart (a guest's, or the token holder's) of one unit of `sku` for pickup at `storeId`, with the code on it. */
async function aCartWithCode(sku: string, storeId: string, code: string, token?: string): Promise<string> {
  const { cartCreate } = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku, quantity: 1 }] } }, { token });
  const cartId = cartCreate.cart!.id;
  await t.data(PricedCartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: storeId } }, { token });
  if (!token) await aGuestContact(t, cartId);
  const { cartApplyDiscountCode } = await t.data(CartApplyDiscountCodeDocument, { cartId, code }, { token });
  if (cartApplyDiscountCode.userErrors.length) throw new Error(JSON.stringify(cartApplyDiscountCode.userErrors));
  return cartId;
}

const checkout = (cartId: string, token?: string) =>
  t.data(PricedCheckoutDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' }, { token });

describe('usage limits', () => {
  it('gives exactly 5 discounted orders to 50 racing checkouts against a limit of 5; the others change nothing and may check out without the code', async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t, [10_00]);
    await stock(t, store, variant, 1000);
    const { promotion, code } = await aCodePromotion(t, { percentOff: 20, skus: [variant.sku], usageLimit: 5 });
    const carts: string[] = [];
    for (let i = 0; i < 50; i++) carts.push(await aCartWithCode(variant.sku, store.id, code, undefined));

    const results = await Promise.all(carts.map((cartId) => checkout(cartId)));
    const placed = results.filter((r) => r.checkoutComplete.order);
    const refused = results.filter((r) => !r.checkoutComplete.order);
    expect(placed).toHaveLength(5);
    for (const { checkoutComplete } of placed) expect(checkoutComplete.order!.discounts.map((d) => [d.code, d.amount.amount])).toEqual([[code, 2_00]]);
    expect(refused.map((r) => r.checkoutComplete.userErrors.map((e) => e.code))).toEqual(Array(45).fill(['DISCOUNT_USAGE_LIMIT_REACHED']));
    expect(await timesUsed(promotion.id)).toBe(5);
    // Nothing of a refused checkout survives: no order, no reservation, the cart still open.
    expect(await sqlNumber(t, 'select count(*) n from orders o join order_line l on l.order_id = o.id where l.variant_id = ?', [variant.id])).toBe(5);
    expect(await sqlNumber(t, 'select reserved n from stock_level where variant_id = ? and location_id = ?', [variant.id, store.id])).toBe(5);
    expect(await sqlNumber(t, `select count(*) n from cart where id in (${carts.map(() => '?').join(', ')}) and status = 'ACTIVE'`, carts)).toBe(45);

    // A refused customer removes the code and checks out at the full price.
    const refusedCart = carts[results.findIndex((r) => !r.checkoutComplete.order)];
    await t.data(CartRemoveDiscountCodeDocument, { cartId: refusedCart, code });
    const again = await checkout(refusedCart);
    expect(again.checkoutComplete.userErrors).toEqual([]);
    expect([again.checkoutComplete.order!.discountTotal.amount, again.checkoutComplete.order!.total.amount]).toEqual([0, 10_00]);
    expect(await timesUsed(promotion.id)).toBe(5);
  });

  it('holds a per-customer limit when uses of one customer race in separate transactions', async () => {
    const [variant] = await aProduct(t, [10_00]);
    const { promotion } = await aCodePromotion(t, { percentOff: 10, skus: [variant.sku], perCustomerLimit: 2, usageLimit: 100 });
    const customer = await aCustomer(t);
    // A customer has one open cart at a time, so the API alone cannot make their checkouts
    // overlap; several instances could. This is checkout's own counting step, raced directly.
    const discount = { promotionId: promotion.id, title: promotion.title, code: promotion.code ?? null, amount: 1_00, version: 1, limited: true };
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () =>
        transactional(systemContext(t), async (tx) => (await pricingService.recordUsage(tx, [discount], customer.account.id)) ?? ok(true)),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2);
    expect(outcomes.filter((o) => !o.ok).map((o) => (o.ok ? '' : o.errors[0].code))).toEqual(Array(10).fill('DISCOUNT_USAGE_LIMIT_REACHED'));
    expect(await timesUsed(promotion.id)).toBe(2);
    expect(await sqlNumber(t, 'select times_used n from promotion_usage where promotion_id = ? and customer_id = ?', [promotion.id, customer.account.id])).toBe(
      2,
    );
  });

  it('refuses a customer who has used an offer as often as it allows, on every channel, until an order of theirs is cancelled', async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t, [10_00]);
    await stock(t, store, variant, 100);
    const { promotion, code } = await aCodePromotion(t, { amountOff: 1_00, skus: [variant.sku], perCustomerLimit: 1 });
    const customer = await aCustomer(t);
    const first = await checkout(await aCartWithCode(variant.sku, store.id, code, customer.token), customer.token);
    expect(first.checkoutComplete.order!.discountTotal.amount).toBe(1_00);

    const { cartCreate } = await t.data(
      PricedCartCreateDocument,
      { input: { lines: [{ sku: variant.sku, quantity: 1 }] } },
      { token: customer.token, channel: 'APP' },
    );
    const refused = await t.data(CartApplyDiscountCodeDocument, { cartId: cartCreate.cart!.id, code }, { token: customer.token, channel: 'APP' });
    expect(refused.cartApplyDiscountCode.userErrors.map((e) => e.code)).toEqual(['DISCOUNT_USAGE_LIMIT_REACHED']);

    await t.data(PricedCancelDocument, { orderId: first.checkoutComplete.order!.id }, { token: customer.token });
    expect(await timesUsed(promotion.id)).toBe(0);
    const accepted = await t.data(CartApplyDiscountCodeDocument, { cartId: cartCreate.cart!.id, code }, { token: customer.token, channel: 'APP' });
    expect(accepted.cartApplyDiscountCode.userErrors).toEqual([]);
  });

  it('gives a use back when an order is cancelled or expires, and not when it is returned', async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t, [10_00]);
    await stock(t, store, variant, 100);
    const { promotion, code } = await aCodePromotion(t, { percentOff: 50, skus: [variant.sku], usageLimit: 1 });
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);

    // Used up: the next cart is told so.
    const placed = await checkout(await aCartWithCode(variant.sku, store.id, code));
    expect(await timesUsed(promotion.id)).toBe(1);
    const { cartCreate } = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: variant.sku, quantity: 1 }] } });
    const usedUp = await t.data(CartApplyDiscountCodeDocument, { cartId: cartCreate.cart!.id, code });
    expect(usedUp.cartApplyDiscountCode.userErrors.map((e) => e.code)).toEqual(['DISCOUNT_USAGE_LIMIT_REACHED']);

    // Cancelled: the use comes back.
    await t.data(PricedCancelDocument, { orderId: placed.checkoutComplete.order!.id }, { token: associate.token });
    expect(await timesUsed(promotion.id)).toBe(0);

    // Expired: the use comes back.
    const toExpire = await checkout(await aCartWithCode(variant.sku, store.id, code));
    await t.data(OrderMarkReadyDocument, { orderId: toExpire.checkoutComplete.order!.id }, { token: associate.token });
    expect(await timesUsed(promotion.id)).toBe(1);
    // Overdue long ago, and the job told it is just after: no other test's order is in its reach.
    const expiresAt = new Date(Date.UTC(1995, 0, 1) + Math.floor(Math.random() * 86_400_000));
    await t.app.orm.em.fork().getConnection().execute('update orders set expires_at = ? where id = ?', [expiresAt, toExpire.checkoutComplete.order!.id]);
    await fulfilmentService.expireOverdue(systemContext(t), new Date(expiresAt.getTime() + 1000));
    expect(await sqlNumber(t, `select count(*) n from orders where id = ? and status = 'EXPIRED'`, [toExpire.checkoutComplete.order!.id])).toBe(1);
    expect(await timesUsed(promotion.id)).toBe(0);

    // Sold at the counter and returned: the use stays taken.
    const cartId = await aCartWithCode(variant.sku, store.id, code, associate.token);
    await t.data(PricedCartSetFulfillmentDocument, { cartId, input: { method: 'IN_STORE' } }, { token: associate.token });
    const sold = await checkout(cartId, associate.token);
    const order = sold.checkoutComplete.order!;
    expect(order.status).toBe('COMPLETED');
    const { orderReturnLines } = await t.data(
      PricedReturnDocument,
      { orderId: order.id, lines: [{ lineId: order.lines[0].id, quantity: 1 }], idempotencyKey: unique('ret') },
      { token: associate.token },
    );
    expect(orderReturnLines.userErrors).toEqual([]);
    expect(await timesUsed(promotion.id)).toBe(1);
  });
});
