import { Channel } from '../../core/channel';
import { LoyaltyTier } from '../loyalty';
import { StaffRole } from '../../core/auth/actor';
import { aCustomer, anAdmin, aProduct, aStaff, PASSWORD, stock } from '../../../test/support/fixtures';
import {
  CartApplyDiscountCodeDocument,
  CartRemoveDiscountCodeDocument,
  CustomerActiveCartDocument,
  PricedCartCreateDocument,
  PricedCartDocument,
  PricedCartSetFulfillmentDocument,
  PricedCheckoutDocument,
  PricedOrderDocument,
  PromotionCreateDocument,
  PromotionDeactivateDocument,
  SignInWithCartDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, unique } from '../../../test/support/harness';
import { aCodePromotion, anAddress, aPromotion, aStoreAt, aTaxRate, testCountry, totalsIdentities } from '../../../test/support/pricing.fixtures';

/**
 * One engine prices every channel: the same cart shows the same discounts, tax and total on the
 * web, in the app and at the till, and a code entered on one channel stays with the cart.
 */
let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const COUNTRY = testCountry('A');

/** A store in region R1 of COUNTRY (20 %, the country 10 %), a product of two variants stocked there, one automatic offer and one code. */
async function aPricedWorld() {
  await aTaxRate(t, COUNTRY, null, 1000);
  await aTaxRate(t, COUNTRY, 'R1', 2000);
  const store = await aStoreAt(t, anAddress(COUNTRY, 'R1'));
  const [a, b] = await aProduct(t, [10_00, 25_00]);
  await stock(t, store, a, 100);
  await stock(t, store, b, 100);
  const automatic = await aPromotion(t, { percentOff: 10, skus: [a.sku] });
  const { promotion: coded, code } = await aCodePromotion(t, { amountOff: 3_00, skus: [a.sku, b.sku] });
  return { store, a, b, automatic, coded, code };
}

describe('the same prices on every channel', () => {
  it('shows identical discounts, tax and total for one cart on WEB, APP and by POS staff', async () => {
    const { store, a, b, automatic, coded, code } = await aPricedWorld();
    const customer = await aCustomer(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const web = { token: customer.token, channel: 'WEB' as const };
    const { cartCreate } = await t.data(
      PricedCartCreateDocument,
      {
        input: {
          lines: [
            { sku: a.sku, quantity: 2 },
            { sku: b.sku, quantity: 1 },
          ],
        },
      },
      web,
    );
    const cartId = cartCreate.cart!.id;
    // Lower case: codes are entered in any case.
    const applied = await t.data(CartApplyDiscountCodeDocument, { cartId, code: code.toLowerCase() }, web);
    expect(applied.cartApplyDiscountCode.userErrors).toEqual([]);
    // No tax before the cart has a fulfilment.
    expect(applied.cartApplyDiscountCode.cart!.taxTotal.amount).toBe(0);
    expect(applied.cartApplyDiscountCode.cart!.taxLines).toEqual([]);
    await t.data(PricedCartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: store.id } }, web);

    const onWeb = (await t.data(PricedCartDocument, { id: cartId }, web)).cart!;
    const onApp = (await t.data(PricedCartDocument, { id: cartId }, { token: customer.token, channel: 'APP' })).cart!;
    const atTill = (await t.data(PricedCartDocument, { id: cartId }, { token: associate.token })).cart!;
    expect(onApp).toEqual(onWeb);
    expect(atTill).toEqual(onWeb);

    // 2 × 10.00 + 25.00; 10 % off the first line (2.00), then 3.00 off both lines in proportion
    // to what is left of them (18.00 : 25.00 → 1.26 + 1.74); 20 % tax of the region on what is paid.
    expect(onWeb.discountCodes).toEqual([code]);
    expect(onWeb.subtotal.amount).toBe(45_00);
    expect(onWeb.discounts).toEqual([
      { promotionId: automatic.id, title: automatic.title, code: null, amount: { amount: 2_00 } },
      { promotionId: coded.id, title: coded.title, code, amount: { amount: 3_00 } },
    ]);
    expect(onWeb.lines.map((l) => [l.discountTotal.amount, l.taxTotal.amount, l.total.amount])).toEqual([
      [3_26, 3_35, 20_09],
      [1_74, 4_65, 27_91],
    ]);
    expect(onWeb.taxLines).toEqual([{ name: `Tax ${COUNTRY}-R1`, rateBasisPoints: 2000, amount: { amount: 8_00 } }]);
    expect([onWeb.discountTotal.amount, onWeb.taxTotal.amount, onWeb.total.amount, onWeb.taxesIncluded]).toEqual([5_00, 8_00, 48_00, false]);
    expect(totalsIdentities(onWeb)).toEqual([]);
  });

  it('applies a code entered on the web when the cart is checked out at the till, and the order keeps it', async () => {
    const { store, a, b, automatic, coded, code } = await aPricedWorld();
    const customer = await aCustomer(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const web = { token: customer.token, channel: 'WEB' as const };
    const { cartCreate } = await t.data(
      PricedCartCreateDocument,
      {
        input: {
          lines: [
            { sku: a.sku, quantity: 2 },
            { sku: b.sku, quantity: 1 },
          ],
        },
      },
      web,
    );
    const cartId = cartCreate.cart!.id;
    await t.data(CartApplyDiscountCodeDocument, { cartId, code }, web);

    // At the till: staff find the customer's cart, with the code on it.
    const found = await t.data(CustomerActiveCartDocument, { email: customer.account.email }, { token: associate.token });
    expect(found.customerByEmail!.activeCart!.discountCodes).toEqual([code]);
    const counter = await t.data(PricedCartSetFulfillmentDocument, { cartId, input: { method: 'IN_STORE' } }, { token: associate.token });
    expect(counter.cartSetFulfillment.userErrors).toEqual([]);
    const { checkoutComplete } = await t.data(
      PricedCheckoutDocument,
      { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' },
      { token: associate.token },
    );
    expect(checkoutComplete.userErrors).toEqual([]);
    const order = checkoutComplete.order!;
    expect(order.discounts.map((d) => [d.promotionId, d.code, d.amount.amount])).toEqual([
      [automatic.id, null, 2_00],
      [coded.id, code, 3_00],
    ]);
    expect([order.discountTotal.amount, order.taxTotal.amount, order.total.amount, order.payment.amount.amount]).toEqual([5_00, 8_00, 48_00, 48_00]);
    expect(totalsIdentities(order)).toEqual([]);
    // Points are earned on what was paid.
    expect(order.loyaltyPointsEarned).toBe(48);

    // Promotions end later: the order keeps its discounts and taxes exactly.
    const admin = await anAdmin(t);
    for (const id of [automatic.id, coded.id]) await t.data(PromotionDeactivateDocument, { id }, { token: admin.token });
    const later = (await t.data(PricedOrderDocument, { id: order.id }, { token: customer.token })).order!;
    expect(later).toEqual(order);
  });

  it('takes the best automatic promotion and one code, and forgets an automatic promotion as soon as it ends', async () => {
    const [x] = await aProduct(t, [100_00]);
    const small = await aPromotion(t, { percentOff: 10, skus: [x.sku] });
    const best = await aPromotion(t, { percentOff: 15, skus: [x.sku] });
    const { code } = await aCodePromotion(t, { percentOff: 5, skus: [x.sku] });
    const { cartCreate } = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: x.sku, quantity: 1 }] } });
    const cartId = cartCreate.cart!.id;
    expect(cartCreate.cart!.discounts.map((d) => d.promotionId)).toEqual([best.id]);
    const { cartApplyDiscountCode } = await t.data(CartApplyDiscountCodeDocument, { cartId, code });
    // 15 % of 100.00, then 5 % of the 85.00 left.
    expect(cartApplyDiscountCode.cart!.discounts.map((d) => d.amount.amount)).toEqual([15_00, 4_25]);
    expect(cartApplyDiscountCode.cart!.total.amount).toBe(80_75);

    const admin = await anAdmin(t);
    await t.data(PromotionDeactivateDocument, { id: best.id }, { token: admin.token });
    const after = (await t.data(PricedCartDocument, { id: cartId })).cart!;
    expect(after.discounts.map((d) => [d.promotionId, d.amount.amount])).toEqual([
      [small.id, 10_00],
      [expect.any(String), 4_50],
    ]);
    // Removing the code: only the automatic promotion is left.
    const removed = await t.data(CartRemoveDiscountCodeDocument, { cartId, code: code.toLowerCase() });
    expect(removed.cartRemoveDiscountCode.cart!.discountCodes).toEqual([]);
    expect(removed.cartRemoveDiscountCode.cart!.total.amount).toBe(90_00);
  });
});

describe('a code entered by a guest', () => {
  it("goes with the guest cart into the customer's cart at sign-in", async () => {
    const [x, y] = await aProduct(t, [30_00, 10_00]);
    const { code } = await aCodePromotion(t, { amountOff: 5_00, skus: [x.sku] });
    const customer = await aCustomer(t);
    await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: y.sku, quantity: 1 }] } }, { token: customer.token, channel: 'APP' });
    const guest = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: x.sku, quantity: 1 }] } });
    await t.data(CartApplyDiscountCodeDocument, { cartId: guest.cartCreate.cart!.id, code });
    const { customerSignIn } = await t.data(SignInWithCartDocument, { email: customer.account.email, password: PASSWORD, cartId: guest.cartCreate.cart!.id });
    expect(customerSignIn.userErrors).toEqual([]);
    const merged = (await t.data(PricedCartCreateDocument, {}, { token: customer.token, channel: 'APP' })).cartCreate.cart!;
    expect(merged.discountCodes).toEqual([code]);
    expect([merged.subtotal.amount, merged.discountTotal.amount, merged.total.amount]).toEqual([40_00, 5_00, 35_00]);
  });
});

describe('codes that do not apply', () => {
  const day = 24 * 3600_000;
  it.each([
    ['an unknown code', 'DISCOUNT_CODE_INVALID', null],
    ['an expired code', 'DISCOUNT_CODE_INVALID', { startsAt: new Date(Date.now() - 2 * day), endsAt: new Date(Date.now() - day) }],
    ['a code not yet started', 'DISCOUNT_CODE_INVALID', { startsAt: new Date(Date.now() + day) }],
    ['a code for another channel', 'DISCOUNT_NOT_APPLICABLE', { channels: [Channel.APP] }],
    ['a code for a higher tier', 'DISCOUNT_NOT_APPLICABLE', { minTier: LoyaltyTier.GOLD }],
    ['a code whose lines do not reach its minimum', 'DISCOUNT_NOT_APPLICABLE', { minSubtotal: 1_000_00 }],
    ['a code for other products', 'DISCOUNT_NOT_APPLICABLE', { skus: ['NOT-IN-THIS-CART'] }],
  ])('refuses %s with %s and a reason, leaving the cart unchanged', async (_case, expected, conditions) => {
    const [x] = await aProduct(t, [20_00]);
    const [other] = await aProduct(t, [5_00]);
    const customer = await aCustomer(t);
    const options = { token: customer.token, channel: 'WEB' as const };
    let code = unique('NOPE');
    if (conditions) {
      const skus = 'skus' in conditions ? [other.sku] : [x.sku];
      code = (await aCodePromotion(t, { percentOff: 10, ...conditions, skus })).code;
    }
    const { cartCreate } = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: x.sku, quantity: 1 }] } }, options);
    const before = cartCreate.cart!;
    const { cartApplyDiscountCode } = await t.data(CartApplyDiscountCodeDocument, { cartId: before.id, code }, options);
    expect(cartApplyDiscountCode.cart).toBeNull();
    expect(cartApplyDiscountCode.userErrors).toEqual([{ code: expected, message: expect.any(String), field: ['code'] }]);
    expect(cartApplyDiscountCode.userErrors[0].message.length).toBeGreaterThan(10);
    expect((await t.data(PricedCartDocument, { id: before.id }, options)).cart).toEqual(before);
  });
});

describe('several instances', () => {
  it('a promotion created through one instance prices carts on another at once', async () => {
    const other = await TestApp.start();
    try {
      const [x] = await aProduct(t, [40_00]);
      const { cartCreate } = await other.data(PricedCartCreateDocument, { input: { lines: [{ sku: x.sku, quantity: 1 }] } });
      const cartId = cartCreate.cart!.id;
      expect(cartCreate.cart!.discountTotal.amount).toBe(0);
      const admin = await anAdmin(t);
      const created = await t.data(PromotionCreateDocument, { input: { title: 'Flash', percentOff: 25, skus: [x.sku] } }, { token: admin.token });
      expect(created.promotionCreate.userErrors).toEqual([]);
      // The other instance hears the database's notification: its next read prices with the new rule.
      let seen = 0;
      for (let i = 0; i < 50 && seen === 0; i++) {
        seen = (await other.data(PricedCartDocument, { id: cartId })).cart!.discountTotal.amount;
        if (!seen) await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen).toBe(10_00);
      await t.data(PromotionDeactivateDocument, { id: created.promotionCreate.promotion!.id }, { token: admin.token });
      for (let i = 0; i < 50 && seen !== 0; i++) {
        seen = (await other.data(PricedCartDocument, { id: cartId })).cart!.discountTotal.amount;
        if (seen) await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen).toBe(0);
    } finally {
      await other.close();
    }
  });
});
