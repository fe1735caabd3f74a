import { randomUUID } from 'node:crypto';
import { StaffRole } from '../../../core/auth/actor';
import {
  aCustomer,
  aGuestContact,
  aPickupCart,
  aProduct,
  aStaff,
  aStore,
  aWarehouse,
  givePoints,
  inTransaction,
  sqlNumber,
  stock,
  systemContext,
  stockLevel,
  pointsBalance,
} from '../../../../test/support/fixtures';
import {
  CartApplyLoyaltyPointsDocument,
  CartCreateDocument,
  CartSetFulfillmentDocument,
  CheckoutCompleteDocument,
  type PaymentMethod,
} from '../../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../../test/support/harness';
import { invariantViolations } from '../../../../test/support/invariants';
import { LoyaltyTransactionKind, loyaltyService } from '../../loyalty';
import { usePaymentProvider, type PaymentProvider } from '..';
import { TestCardProvider } from '../payment/payment.provider';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterEach(async () => {
  usePaymentProvider(new TestCardProvider());
  expect(await invariantViolations(t)).toEqual([]);
});
afterAll(() => t.close());

const rowOf = async <T>(sql: string, params: unknown[]): Promise<T | undefined> => (await t.app.orm.em.fork().getConnection().execute<T[]>(sql, params))[0];

const levelOf = (locationId: string, variantId: string) => stockLevel(t, locationId, variantId);

const cartState = (cartId: string) => rowOf<{ status: string; version: number }>('select status, version from cart where id = ?', [cartId]);
const balanceOf = (customerId: string) => pointsBalance(t, customerId);
const ordersOfCart = (cartId: string) => sqlNumber(t, 'select count(*) n from orders where cart_id = ?', [cartId]);

const checkout = (cartId: string, options: { key?: string; method?: PaymentMethod; paymentToken?: string; token?: string } = {}) =>
  t.gql(
    CheckoutCompleteDocument,
    { cartId, idempotencyKey: options.key ?? unique('checkout'), paymentMethod: options.method ?? 'PAY_IN_STORE', paymentToken: options.paymentToken },
    { token: options.token },
  );

describe('checkout under contention', () => {
  it('gives 20 racing retries with the same key one order, one payment', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    await stock(t, store, v, 5);
    const cartId = await aPickupCart(t, store, [{ sku: v.sku, quantity: 2 }]);
    const key = unique('retry');

    const responses = await Promise.all(Array.from({ length: 20 }, () => checkout(cartId, { key, method: 'CARD', paymentToken: 'tok_visa' })));

    expect(responses.flatMap((r) => [...(r.errors ?? []), ...r.data!.checkoutComplete.userErrors])).toEqual([]);
    const ids = new Set(responses.map((r) => r.data!.checkoutComplete.order!.id));
    expect(ids.size).toBe(1);
    expect(await ordersOfCart(cartId)).toBe(1);
    expect(await sqlNumber(t, 'select count(*) n from payment p join orders o on o.id = p.order_id where o.cart_id = ?', [cartId])).toBe(1);
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 5, reserved: 2 });
  });

  it('makes one order of two checkouts of the same cart with different keys; the other gets CART_NOT_ACTIVE', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    await stock(t, store, v, 5);
    const cartId = await aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }]);

    const responses = await Promise.all([checkout(cartId), checkout(cartId)]);

    expect(responses.flatMap((r) => r.errors ?? [])).toEqual([]);
    const payloads = responses.map((r) => r.data!.checkoutComplete);
    expect(payloads.filter((p) => p.order)).toHaveLength(1);
    expect(payloads.flatMap((p) => p.userErrors)).toEqual([{ code: 'CART_NOT_ACTIVE', message: expect.any(String), field: ['cartId'] }]);
    expect(await ordersOfCart(cartId)).toBe(1);
  });

  it('refuses a key the same customer already used for another cart, and leaves that cart alone', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    await stock(t, store, v, 5);
    const { token } = await aCustomer(t);
    const key = unique('shared');
    const first = await aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }], token);
    expect((await checkout(first, { key, token })).data!.checkoutComplete.userErrors).toEqual([]);
    const second = await aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }], token);
    const before = await cartState(second);

    const reused = await checkout(second, { key, token });

    expect(reused.data!.checkoutComplete).toEqual({
      order: null,
      userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String), field: ['idempotencyKey'] }],
    });
    expect(await cartState(second)).toEqual({ ...before, status: 'ACTIVE' });
    expect(await ordersOfCart(second)).toBe(0);
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 5, reserved: 1 });
  });
});

describe('checkout that fails leaves nothing behind', () => {
  it('keeps cart, stock, points and key untouched when the card is declined; the same key then succeeds', async () => {
    const [v] = await aProduct(t, [20_00]);
    const store = await aStore(t);
    await stock(t, store, v, 5);
    const customer = await aCustomer(t);
    await givePoints(t, customer.account.id, 500);
    const cartId = await aPickupCart(t, store, [{ sku: v.sku, quantity: 2 }], customer.token);
    expect((await t.data(CartApplyLoyaltyPointsDocument, { cartId, points: 300 }, { token: customer.token })).cartApplyLoyaltyPoints.userErrors).toEqual([]);
    const before = await cartState(cartId);
    const key = unique('declined');

    const declined = await checkout(cartId, { key, method: 'CARD', paymentToken: 'tok_decline', token: customer.token });

    expect(declined.errors).toBeUndefined();
    expect(declined.data!.checkoutComplete).toEqual({
      order: null,
      userErrors: [{ code: 'PAYMENT_DECLINED', message: expect.any(String), field: ['paymentToken'] }],
    });
    expect(await ordersOfCart(cartId)).toBe(0);
    expect(await cartState(cartId)).toEqual({ status: 'ACTIVE', version: before!.version });
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 5, reserved: 0 });
    expect(await balanceOf(customer.account.id)).toBe(500);
    expect(await sqlNumber(t, 'select count(*) n from loyalty_transaction where customer_id = ?', [customer.account.id])).toBe(1);
    expect(await sqlNumber(t, 'select count(*) n from idempotency_record where key = ?', [key])).toBe(0);

    const paid = await checkout(cartId, { key, method: 'CARD', paymentToken: 'tok_visa', token: customer.token });
    expect(paid.data!.checkoutComplete.order).toMatchObject({ status: 'PLACED', payment: { status: 'AUTHORIZED', amount: { amount: 37_00 } } });
    expect(await balanceOf(customer.account.id)).toBe(200);
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 5, reserved: 2 });
  });

  it('voids the authorization when the provider fails after authorizing', async () => {
    // A counter sale by card is authorized, then captured in the same transaction: a capture
    // that throws fails the checkout after the authorization was given.
    const calls: [string, string][] = [];
    const failingCapture: PaymentProvider = {
      async authorize() {
        const reference = `rec_${randomUUID()}`;
        calls.push(['authorize', reference]);
        return { ok: true, reference };
      },
      async capture(reference) {
        calls.push(['capture', reference]);
        throw new Error('processor unavailable');
      },
      async void(reference) {
        calls.push(['void', reference]);
      },
      async refund(reference) {
        calls.push(['refund', reference]);
      },
    };
    const [v] = await aProduct(t, [30_00]);
    const store = await aStore(t);
    await stock(t, store, v, 4);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } }, { token: associate.token });
    const cartId = cartCreate.cart!.id;
    await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'IN_STORE' } }, { token: associate.token });
    const before = await cartState(cartId);
    const key = unique('capture-fails');
    usePaymentProvider(failingCapture);

    const res = await checkout(cartId, { key, method: 'CARD', paymentToken: 'tok_visa', token: associate.token });

    expect(errorCodes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(calls.map(([call]) => call)).toEqual(['authorize', 'capture', 'void']);
    expect(new Set(calls.map(([, reference]) => reference)).size).toBe(1);
    expect(await ordersOfCart(cartId)).toBe(0);
    expect(await cartState(cartId)).toEqual(before);
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 4, reserved: 0 });
    expect(await sqlNumber(t, 'select count(*) n from idempotency_record where key = ?', [key])).toBe(0);
  });

  it('lets only one channel spend the same points: a checkout racing a spend elsewhere', async () => {
    const [v] = await aProduct(t, [20_00]);
    const store = await aStore(t);
    await stock(t, store, v, 10);
    const customers = await Promise.all(Array.from({ length: 8 }, () => aCustomer(t)));
    const carts = await Promise.all(
      customers.map(async (c) => {
        await givePoints(t, c.account.id, 1000);
        const cartId = await aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }], c.token);
        expect((await t.data(CartApplyLoyaltyPointsDocument, { cartId, points: 1000 }, { token: c.token })).cartApplyLoyaltyPoints.userErrors).toEqual([]);
        return cartId;
      }),
    );
    // The other channel's spend starts a little later for each customer, so that both sides win some.
    const spendElsewhere = async (customerId: string, delayMs: number) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const ctx = systemContext(t);
      return inTransaction(ctx, (tx) => loyaltyService.post(tx, { customerId, kind: LoyaltyTransactionKind.REDEEM, points: -1000 }));
    };

    const outcomes = await Promise.all(
      customers.map((c, i) =>
        Promise.all([checkout(carts[i], { method: 'CARD', paymentToken: 'tok_visa', token: c.token }), spendElsewhere(c.account.id, i * 25)]),
      ),
    );

    for (const [i, [res, spent]] of outcomes.entries()) {
      expect(res.errors).toBeUndefined();
      const { order, userErrors } = res.data!.checkoutComplete;
      expect([Boolean(order), spent].filter(Boolean)).toHaveLength(1);
      if (spent) {
        expect(userErrors).toEqual([{ code: 'INSUFFICIENT_POINTS', message: expect.any(String), field: ['cartId'] }]);
        expect((await cartState(carts[i]))!.status).toBe('ACTIVE');
      } else {
        expect(order).toMatchObject({ loyaltyDiscount: { amount: 10_00 }, total: { amount: 10_00 } });
      }
      expect(await balanceOf(customers[i].account.id)).toBe(0);
    }
    const placed = outcomes.filter(([, spent]) => !spent).length;
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 10, reserved: placed });
  });
  it('debits the points once when web and POS check out the same cart at once', async () => {
    // One ACTIVE cart per customer: the counter sees the cart the customer filled online, so the
    // two channels race for the same cart and the same points.
    const [v] = await aProduct(t, [20_00]);
    const store = await aStore(t);
    await stock(t, store, v, 20);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const customers = await Promise.all(Array.from({ length: 6 }, () => aCustomer(t)));

    const outcomes = await Promise.all(
      customers.map(async (c) => {
        await givePoints(t, c.account.id, 1000);
        const cartId = await aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }], c.token);
        expect((await t.data(CartApplyLoyaltyPointsDocument, { cartId, points: 1000 }, { token: c.token })).cartApplyLoyaltyPoints.userErrors).toEqual([]);
        const [web, pos] = await Promise.all([
          checkout(cartId, { method: 'CARD', paymentToken: 'tok_visa', token: c.token }),
          checkout(cartId, { method: 'PAY_IN_STORE', token: associate.token }),
        ]);
        return { c, cartId, web, pos };
      }),
    );

    for (const { c, cartId, web, pos } of outcomes) {
      expect([...(web.errors ?? []), ...(pos.errors ?? [])]).toEqual([]);
      const payloads = [web.data!.checkoutComplete, pos.data!.checkoutComplete];
      expect(payloads.filter((p) => p.order)).toHaveLength(1);
      expect(payloads.flatMap((p) => p.userErrors.map((e) => e.code))).toEqual(['CART_NOT_ACTIVE']);
      expect(payloads.find((p) => p.order)!.order).toMatchObject({ loyaltyDiscount: { amount: 10_00 }, total: { amount: 10_00 } });
      expect(await ordersOfCart(cartId)).toBe(1);
      expect(await balanceOf(c.account.id)).toBe(0);
      expect(await sqlNumber(t, `select count(*) n from loyalty_transaction where customer_id = ? and kind = 'REDEEM'`, [c.account.id])).toBe(1);
    }
  });
});

describe('checkout refusals', () => {
  const expectRefused = async (cartId: string, variables: Parameters<typeof checkout>[1], code: string, field: string[]) => {
    const before = await cartState(cartId);
    const res = await checkout(cartId, variables);
    expect(res.errors).toBeUndefined();
    expect(res.data!.checkoutComplete).toEqual({ order: null, userErrors: [{ code, message: expect.any(String), field }] });
    expect(await cartState(cartId)).toEqual({ status: 'ACTIVE', version: before!.version });
    expect(await ordersOfCart(cartId)).toBe(0);
  };
  const address = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'us' };

  it('CART_EMPTY for a cart without lines', async () => {
    const store = await aStore(t);
    const cartId = await aPickupCart(t, store, []);
    await expectRefused(cartId, {}, 'CART_EMPTY', ['cartId']);
  });

  it('FULFILLMENT_REQUIRED before shipping, pickup or a counter sale is chosen', async () => {
    const [v] = await aProduct(t);
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } });
    await expectRefused(cartCreate.cart!.id, { method: 'CARD', paymentToken: 'tok_visa' }, 'FULFILLMENT_REQUIRED', ['cartId']);
  });

  it('OUT_OF_STOCK to ship when no single warehouse has every line, and INVALID_INPUT to pay in store for a shipment', async () => {
    const [a, b] = await aProduct(t, [10_00, 12_00]);
    const [north, south] = [await aWarehouse(t), await aWarehouse(t)];
    await stock(t, north, a, 5);
    await stock(t, south, b, 5);
    const { cartCreate } = await t.data(CartCreateDocument, {
      input: {
        lines: [
          { sku: a.sku, quantity: 1 },
          { sku: b.sku, quantity: 1 },
        ],
      },
    });
    const cartId = cartCreate.cart!.id;
    await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'SHIP', shippingAddress: address } });
    await aGuestContact(t, cartId);

    await expectRefused(cartId, { method: 'CARD', paymentToken: 'tok_visa' }, 'OUT_OF_STOCK', ['cartId']);
    await expectRefused(cartId, { method: 'PAY_IN_STORE' }, 'INVALID_INPUT', ['paymentMethod']);
    expect(await levelOf(north.id, a.id)).toEqual({ on_hand: 5, reserved: 0 });
  });

  it('NOT_FOUND for a cart id that does not exist', async () => {
    const res = await checkout(randomUUID());
    expect(res.data!.checkoutComplete).toEqual({ order: null, userErrors: [{ code: 'NOT_FOUND', message: expect.any(String), field: ['cartId'] }] });
  });
});
