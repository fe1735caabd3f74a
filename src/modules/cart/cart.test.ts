import { randomUUID } from 'node:crypto';
import { StaffRole } from '../../core/auth/actor';
import { aCustomer, aProduct, aStaff, aStore, aWarehouse, givePoints, sqlNumber } from '../../../test/support/fixtures';
import {
  CartApplyLoyaltyPointsDocument,
  CartCreateDocument,
  CartDocument,
  CartLinesAddDocument,
  CartLinesRemoveDocument,
  CartLinesUpdateDocument,
  CartSetFulfillmentDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, errorCodes } from '../../../test/support/harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

async function guestCart(lines: { sku: string; quantity: number }[] = []) {
  const { cartCreate } = await t.data(CartCreateDocument, { input: { lines } });
  expect(cartCreate.userErrors).toEqual([]);
  return cartCreate.cart!;
}

const linesOf = (cart: { lines: { variant: { sku: string }; quantity: number }[] }) => cart.lines.map((l) => [l.variant.sku, l.quantity]);

describe('building a cart', () => {
  it('adds by id or sku, adds up a variant already in the cart, and prices it live', async () => {
    const [tee, cap] = await aProduct(t, [19_99, 5_00]);
    const cart = await guestCart([{ sku: tee.sku, quantity: 1 }]);
    expect(cart).toMatchObject({ status: 'ACTIVE', channel: 'WEB', version: 1, customer: null, fulfillment: null });

    const { cartLinesAdd } = await t.data(
      CartLinesAddDocument,
      {
        cartId: cart.id,
        lines: [
          { variantId: tee.id, quantity: 2 },
          { sku: cap.sku, quantity: 3 },
        ],
      },
      { channel: 'APP' },
    );
    const updated = cartLinesAdd.cart!;
    expect(linesOf(updated)).toEqual([
      [tee.sku, 3],
      [cap.sku, 3],
    ]);
    expect(updated.lines.map((l) => l.channel)).toEqual(['WEB', 'APP']);
    expect(updated).toMatchObject({ version: 2, totalQuantity: 6, subtotal: { amount: 3 * 19_99 + 3 * 5_00, currencyCode: 'USD' }, total: { amount: 74_97 } });
    expect(updated.lines[0]).toMatchObject({ unitPrice: { amount: 19_99 }, total: { amount: 59_97 } });

    // Prices are live: a price change shows in the cart at once.
    await sqlNumber(t, 'update product_variant set price_amount = 1000 where id = ? returning 1 as n', [cap.id]);
    const { cart: repriced } = await t.data(CartDocument, { id: cart.id });
    expect(repriced!.subtotal.amount).toBe(3 * 19_99 + 3 * 10_00);
  });

  it('updates quantities, removes a line at quantity 0 and by id', async () => {
    const [a, b, c] = await aProduct(t, [100, 200, 300]);
    const cart = await guestCart([
      { sku: a.sku, quantity: 1 },
      { sku: b.sku, quantity: 1 },
      { sku: c.sku, quantity: 1 },
    ]);
    const [la, lb, lc] = cart.lines;
    const { cartLinesUpdate } = await t.data(CartLinesUpdateDocument, {
      cartId: cart.id,
      lines: [
        { lineId: la.id, quantity: 5 },
        { lineId: lb.id, quantity: 0 },
      ],
    });
    expect(linesOf(cartLinesUpdate.cart!)).toEqual([
      [a.sku, 5],
      [c.sku, 1],
    ]);
    const { cartLinesRemove } = await t.data(CartLinesRemoveDocument, { cartId: cart.id, lineIds: [lc.id] });
    expect(linesOf(cartLinesRemove.cart!)).toEqual([[a.sku, 5]]);
    expect(cartLinesRemove.cart!.version).toBe(3);
  });

  it.each([
    ['quantity 0', { quantity: 0 }, 'INVALID_QUANTITY', ['lines', '0', 'quantity']],
    ['a negative quantity', { quantity: -2 }, 'INVALID_QUANTITY', ['lines', '0', 'quantity']],
    ['more than the line maximum', { quantity: 1000 }, 'INVALID_QUANTITY', ['lines', '0', 'quantity']],
    ['an unknown sku', { sku: 'NO-SUCH-SKU', variantId: undefined }, 'NOT_FOUND', ['lines', '0', 'sku']],
    ['an unknown variant id', { sku: undefined, variantId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND', ['lines', '0', 'variantId']],
    ['both variantId and sku', { variantId: '00000000-0000-4000-8000-000000000000' }, 'INVALID_INPUT', ['lines', '0']],
    ['neither variantId nor sku', { sku: undefined }, 'INVALID_INPUT', ['lines', '0']],
  ])('refuses %s with the field path and changes nothing', async (_case, override, code, field) => {
    const [v] = await aProduct(t);
    const cart = await guestCart([{ sku: v.sku, quantity: 1 }]);
    const line = { sku: v.sku as string | undefined, quantity: 1, ...override };
    const { cartLinesAdd } = await t.data(CartLinesAddDocument, { cartId: cart.id, lines: [line] });
    expect(cartLinesAdd.cart).toBeNull();
    expect(cartLinesAdd.userErrors).toEqual([{ code, message: expect.any(String), field }]);
    const { cart: after } = await t.data(CartDocument, { id: cart.id });
    expect(after).toMatchObject({ version: 1, totalQuantity: 1 });
  });

  it('refuses adding beyond the line maximum in total, and a second bad line rolls back the first', async () => {
    const [v, w] = await aProduct(t, [100, 100]);
    const cart = await guestCart([{ sku: v.sku, quantity: 998 }]);
    const over = await t.data(CartLinesAddDocument, {
      cartId: cart.id,
      lines: [
        { sku: w.sku, quantity: 1 },
        { sku: v.sku, quantity: 2 },
      ],
    });
    expect(over.cartLinesAdd.userErrors).toEqual([{ code: 'INVALID_QUANTITY', message: expect.any(String), field: ['lines', '1', 'quantity'] }]);
    expect(linesOf((await t.data(CartDocument, { id: cart.id })).cart!)).toEqual([[v.sku, 998]]);
  });

  it('answers NOT_FOUND for an unknown or malformed cart id', async () => {
    for (const cartId of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const { cartLinesAdd } = await t.data(CartLinesAddDocument, { cartId, lines: [{ sku: 'X', quantity: 1 }] });
      expect(cartLinesAdd.userErrors).toEqual([{ code: 'NOT_FOUND', message: expect.any(String), field: ['cartId'] }]);
      expect((await t.data(CartDocument, { id: cartId })).cart).toBeNull();
    }
  });

  it('refuses a stale expectedVersion with VERSION_CONFLICT and accepts the current one', async () => {
    const [v] = await aProduct(t);
    const cart = await guestCart([{ sku: v.sku, quantity: 1 }]);
    const stale = await t.data(CartLinesAddDocument, { cartId: cart.id, lines: [{ sku: v.sku, quantity: 1 }], expectedVersion: 0 });
    expect(stale.cartLinesAdd.userErrors).toEqual([{ code: 'VERSION_CONFLICT', message: expect.any(String), field: ['expectedVersion'] }]);
    const fresh = await t.data(CartLinesAddDocument, { cartId: cart.id, lines: [{ sku: v.sku, quantity: 1 }], expectedVersion: 1 });
    expect(fresh.cartLinesAdd.cart).toMatchObject({ version: 2, totalQuantity: 2 });
  });
});

describe('fulfilment', () => {
  const address = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'us' };

  it('ships to an address and picks up only at a pickup-enabled store', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    const noPickup = await aStore(t, { pickupEnabled: false });
    const warehouse = await aWarehouse(t);
    const cart = await guestCart([{ sku: v.sku, quantity: 1 }]);

    const ship = await t.data(CartSetFulfillmentDocument, { cartId: cart.id, input: { method: 'SHIP', shippingAddress: address } });
    expect(ship.cartSetFulfillment.cart!.fulfillment).toEqual({
      method: 'SHIP',
      location: null,
      shippingAddress: { ...address, line2: null, countryCode: 'US' },
    });

    const pickup = await t.data(CartSetFulfillmentDocument, { cartId: cart.id, input: { method: 'PICKUP', locationId: store.id } });
    expect(pickup.cartSetFulfillment.cart!.fulfillment).toEqual({ method: 'PICKUP', location: { id: store.id, code: store.code }, shippingAddress: null });

    for (const location of [warehouse, noPickup]) {
      const refused = await t.data(CartSetFulfillmentDocument, { cartId: cart.id, input: { method: 'PICKUP', locationId: location.id } });
      expect(refused.cartSetFulfillment.userErrors).toEqual([{ code: 'LOCATION_NOT_AVAILABLE', message: expect.any(String), field: ['input', 'locationId'] }]);
    }
    const missing = await t.data(CartSetFulfillmentDocument, { cartId: cart.id, input: { method: 'SHIP' } });
    expect(missing.cartSetFulfillment.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'shippingAddress'] });
    const badCountry = await t.data(CartSetFulfillmentDocument, {
      cartId: cart.id,
      input: { method: 'SHIP', shippingAddress: { ...address, countryCode: 'USA' } },
    });
    expect(badCountry.cartSetFulfillment.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'shippingAddress', 'countryCode'] });
    for (const locationId of [randomUUID(), 'not-an-id']) {
      const unknown = await t.data(CartSetFulfillmentDocument, { cartId: cart.id, input: { method: 'PICKUP', locationId } });
      expect(unknown.cartSetFulfillment.userErrors).toEqual([{ code: 'NOT_FOUND', message: expect.any(String), field: ['input', 'locationId'] }]);
    }
    // The refusals changed nothing: still the pickup at the store, at the version of that change.
    expect((await t.data(CartDocument, { id: cart.id })).cart).toMatchObject({
      version: 3,
      fulfillment: { method: 'PICKUP', location: { id: store.id }, shippingAddress: null },
    });
  });

  it('sells IN_STORE only through staff of that store (their own store by default)', async () => {
    const store = await aStore(t);
    const other = await aStore(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const cart = await guestCart();

    const guest = await t.gql(CartSetFulfillmentDocument, { cartId: cart.id, input: { method: 'IN_STORE', locationId: store.id } });
    expect(errorCodes(guest)).toEqual(['UNAUTHENTICATED']);
    const customer = await aCustomer(t);
    expect(
      errorCodes(await t.gql(CartSetFulfillmentDocument, { cartId: cart.id, input: { method: 'IN_STORE', locationId: store.id } }, { token: customer.token })),
    ).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(await t.gql(CartSetFulfillmentDocument, { cartId: cart.id, input: { method: 'IN_STORE', locationId: other.id } }, { token: associate.token })),
    ).toEqual(['FORBIDDEN']);

    const ok = await t.data(CartSetFulfillmentDocument, { cartId: cart.id, input: { method: 'IN_STORE' } }, { token: associate.token });
    expect(ok.cartSetFulfillment.cart!.fulfillment).toMatchObject({ method: 'IN_STORE', location: { id: store.id } });
    expect(ok.cartSetFulfillment.cart!.version).toBe(2);
  });
});

describe('loyalty points on the cart', () => {
  it('applies points up to the balance and the subtotal, and clears them with 0', async () => {
    const [v] = await aProduct(t, [10_00]);
    const customer = await aCustomer(t);
    await givePoints(t, customer.account.id, 1500);
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } }, { token: customer.token });
    const cartId = cartCreate.cart!.id;

    const applied = await t.data(CartApplyLoyaltyPointsDocument, { cartId, points: 250 }, { token: customer.token });
    expect(applied.cartApplyLoyaltyPoints.cart).toMatchObject({
      loyaltyPointsApplied: 250,
      subtotal: { amount: 10_00 },
      loyaltyDiscount: { amount: 2_50 },
      total: { amount: 7_50 },
    });

    const overSubtotal = await t.data(CartApplyLoyaltyPointsDocument, { cartId, points: 1001 }, { token: customer.token });
    expect(overSubtotal.cartApplyLoyaltyPoints.userErrors).toEqual([{ code: 'INSUFFICIENT_POINTS', message: expect.any(String), field: ['points'] }]);
    await t.data(CartLinesAddDocument, { cartId, lines: [{ sku: v.sku, quantity: 1 }] }, { token: customer.token });
    const overBalance = await t.data(CartApplyLoyaltyPointsDocument, { cartId, points: 1501 }, { token: customer.token });
    expect(overBalance.cartApplyLoyaltyPoints.userErrors).toEqual([{ code: 'INSUFFICIENT_POINTS', message: 'The balance is 1500 points.', field: ['points'] }]);

    const cleared = await t.data(CartApplyLoyaltyPointsDocument, { cartId, points: 0 }, { token: customer.token });
    expect(cleared.cartApplyLoyaltyPoints.cart).toMatchObject({ loyaltyPointsApplied: 0, total: { amount: 20_00 } });
  });

  it('refuses points on a guest cart and negative points', async () => {
    const [v] = await aProduct(t);
    const cart = await guestCart([{ sku: v.sku, quantity: 1 }]);
    expect((await t.data(CartApplyLoyaltyPointsDocument, { cartId: cart.id, points: 10 })).cartApplyLoyaltyPoints.userErrors[0].code).toBe(
      'INSUFFICIENT_POINTS',
    );
    expect((await t.data(CartApplyLoyaltyPointsDocument, { cartId: cart.id, points: -1 })).cartApplyLoyaltyPoints.userErrors[0].code).toBe('INVALID_INPUT');
  });
});

describe('access', () => {
  it("lets anyone with a guest cart's id use it, and a customer's cart only its owner and staff", async () => {
    const [v] = await aProduct(t);
    const owner = await aCustomer(t);
    const stranger = await aCustomer(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } }, { token: owner.token });
    const cartId = cartCreate.cart!.id;
    const add = (token?: string) => t.gql(CartLinesAddDocument, { cartId, lines: [{ sku: v.sku, quantity: 1 }] }, { token });

    expect(errorCodes(await add())).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await add(stranger.token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.gql(CartDocument, { id: cartId }, { token: stranger.token }))).toEqual(['FORBIDDEN']);
    expect((await add(owner.token)).data!.cartLinesAdd.cart!.totalQuantity).toBe(2);
    expect((await add(associate.token)).data!.cartLinesAdd.cart!.totalQuantity).toBe(3);
    expect((await t.data(CartDocument, { id: cartId }, { token: associate.token })).cart!.lines[0].quantity).toBe(3);
    // A stranger naming the owner in cartCreate is refused too.
    expect(errorCodes(await t.gql(CartCreateDocument, { input: { customerId: owner.account.id } }, { token: stranger.token }))).toEqual(['FORBIDDEN']);
  });

  it('lets staff open a cart for a customer found at the counter, and refuses an unknown customer', async () => {
    const [v] = await aProduct(t);
    const customer = await aCustomer(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    const { cartCreate } = await t.data(
      CartCreateDocument,
      { input: { customerId: customer.account.id, lines: [{ sku: v.sku, quantity: 1 }] } },
      { token: associate.token },
    );
    expect(cartCreate.cart).toMatchObject({ channel: 'POS', customer: { id: customer.account.id } });
    const unknown = await t.data(CartCreateDocument, { input: { customerId: '00000000-0000-4000-8000-000000000000' } }, { token: associate.token });
    expect(unknown.cartCreate.userErrors).toEqual([{ code: 'NOT_FOUND', message: expect.any(String), field: ['input', 'customerId'] }]);
    expect(errorCodes(await t.gql(CartCreateDocument, { input: { customerId: customer.account.id } }))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses every change to a cart that is no longer ACTIVE with CART_NOT_ACTIVE', async () => {
    const [v] = await aProduct(t);
    const cart = await guestCart([{ sku: v.sku, quantity: 1 }]);
    await sqlNumber(t, `update cart set status = 'COMPLETED' where id = ? returning 1 as n`, [cart.id]);
    const attempts = [
      t.data(CartLinesAddDocument, { cartId: cart.id, lines: [{ sku: v.sku, quantity: 1 }] }).then((d) => d.cartLinesAdd.userErrors),
      t.data(CartLinesUpdateDocument, { cartId: cart.id, lines: [{ lineId: cart.lines[0].id, quantity: 2 }] }).then((d) => d.cartLinesUpdate.userErrors),
      t.data(CartLinesRemoveDocument, { cartId: cart.id, lineIds: [cart.lines[0].id] }).then((d) => d.cartLinesRemove.userErrors),
      t
        .data(CartSetFulfillmentDocument, { cartId: cart.id, input: { method: 'PICKUP', locationId: (await aStore(t)).id } })
        .then((d) => d.cartSetFulfillment.userErrors),
      t.data(CartApplyLoyaltyPointsDocument, { cartId: cart.id, points: 0 }).then((d) => d.cartApplyLoyaltyPoints.userErrors),
    ];
    for (const errors of await Promise.all(attempts)) expect(errors.map((e) => e.code)).toEqual(['CART_NOT_ACTIVE']);
    expect((await t.data(CartDocument, { id: cart.id })).cart).toMatchObject({ status: 'COMPLETED', version: 1, totalQuantity: 1 });
  });
});
