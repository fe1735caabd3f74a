import { randomBytes } from 'node:crypto';
import { StaffRole } from '../../src/core/auth/actor';
import { loadConfig } from '../../src/core/config';
import { createLogger } from '../../src/core/logger';
import { fulfilmentService } from '../../src/modules/order';
import type { Location } from '../../src/modules/location';
import type { ProductVariant } from '../../src/modules/catalog';
import { aCustomer, aProduct, aStaff, aStore, givePoints, pointsBalance, sqlNumber, stock, stockLevel, systemContext } from '../support/fixtures';
import {
  CartApplyLoyaltyPointsDocument,
  CartCreateDocument,
  CartSetContactDocument,
  CartSetFulfillmentDocument,
  CheckoutCompleteDocument,
  OrderCancelDocument,
  OrderDocument,
} from '../support/generated/graphql';
import { TestApp, unique } from '../support/harness';

/**
 * Guests must not hold a store's stock hostage: pickup orders never readied expire, orders paid in
 * store are capped per order, per customer and per client address, and guests' carts and checkout
 * attempts are rate-limited per address before any SQL.
 */
const REDIS_URL = 'redis://127.0.0.1:6379';
const CAPS = {
  TRUST_PROXY_HOPS: '1',
  PICKUP_PLACED_HOLD_HOURS: '48',
  PAY_IN_STORE_MAX_UNITS_PER_ORDER: '3',
  PAY_IN_STORE_MAX_OPEN_ORDERS_PER_CUSTOMER: '2',
  PAY_IN_STORE_MAX_OPEN_ORDERS_PER_ADDRESS: '3',
  GUEST_CARTS_PER_ADDRESS: '4',
  GUEST_CHECKOUTS_PER_ADDRESS: '5',
};

const lines: string[] = [];
let t: TestApp;
let store: Location;
let variant: ProductVariant;
beforeAll(async () => {
  t = await TestApp.start(CAPS, { logger: createLogger('info', (line) => lines.push(line)) });
  store = await aStore(t);
  [variant] = await aProduct(t, [10_00]);
  await stock(t, store, variant, 1000);
});
afterAll(() => t.close());

/** An address of its own for each test (a random /64 of the documentation prefix), so counts never mix, in Redis either. */
const anAddress = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;
const from = (address: string, token?: string) => ({ token, headers: { 'x-forwarded-for': address } });

async function checkout(
  app: TestApp,
  cartId: string,
  options: { token?: string; headers?: Record<string, string> },
  paymentMethod: 'PAY_IN_STORE' | 'CARD' = 'PAY_IN_STORE',
) {
  const { checkoutComplete } = await app.data(
    CheckoutCompleteDocument,
    { cartId, idempotencyKey: unique('key'), paymentMethod, paymentToken: 'tok_visa' },
    options,
  );
  return checkoutComplete;
}

/** A cart of `quantity` units for pickup at the store, made from `address` (a guest's without a token). */
async function cartFor(address: string, token?: string, quantity = 1): Promise<string> {
  const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: variant.sku, quantity }] } }, from(address, token));
  expect(cartCreate.userErrors).toEqual([]);
  const cartId = cartCreate.cart!.id;
  await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: store.id } }, from(address, token));
  // A guest gives the email the order is confirmed to.
  if (!token) await t.data(CartSetContactDocument, { cartId, input: { email: `${unique('guest')}@guest.test`.toLowerCase() } }, from(address));
  return cartId;
}

/** A pickup order paid in store, placed from an address of its own (the per-address cap counts every order from one address). */
async function pickupOrder(token?: string, quantity = 1, address = anAddress()) {
  const placed = await checkout(t, await cartFor(address, token, quantity), from(address, token));
  expect(placed.userErrors).toEqual([]);
  return placed.order!;
}

describe('defaults', () => {
  it('hold a never-readied pickup 48 hours and cap orders paid in store at 20 units, 3 open per customer, 10 per address', () => {
    const config = loadConfig({});
    expect([config.pickupPlacedHoldHours, config.payInStore]).toEqual([48, { maxUnitsPerOrder: 20, maxOpenOrdersPerCustomer: 3, maxOpenOrdersPerAddress: 10 }]);
  });
});

describe('pickup orders never readied', () => {
  it('expire after PICKUP_PLACED_HOLD_HOURS: stock released, payment voided, points returned, on the timeline, the customer told', async () => {
    const customer = await aCustomer(t);
    await givePoints(t, customer.account.id, 500);
    const address = anAddress();
    const cartId = await cartFor(address, customer.token, 2);
    await t.data(CartApplyLoyaltyPointsDocument, { cartId, points: 300 }, { token: customer.token });
    const placed = await checkout(t, cartId, from(address, customer.token));
    expect(placed.userErrors).toEqual([]);
    const order = placed.order!;
    const young = await pickupOrder((await aCustomer(t)).token);
    const held = await stockLevel(t, store.id, variant.id);
    expect(await pointsBalance(t, customer.account.id)).toBe(200);

    // Placed long ago, and the job told it is just past the hold: no other test's order is in
    // its reach (the young order, placed now, is not either).
    const ctx = { ...systemContext(t), log: createLogger('info', (line) => lines.push(line)) };
    const placedAt = new Date(Date.UTC(1980, 0, 1) + Math.floor(Math.random() * 86_400_000));
    await t.app.orm.em.fork().getConnection().execute(`update orders set created_at = ? where id = ?`, [placedAt, order.id]);
    lines.length = 0;
    expect(await fulfilmentService.expireOverdue(ctx, new Date(placedAt.getTime() + 47 * 3600_000))).toBe(0);
    expect(await fulfilmentService.expireOverdue(ctx, new Date(placedAt.getTime() + 48 * 3600_000 + 1000))).toBe(1);

    const { order: expired } = await t.data(OrderDocument, { id: order.id }, { token: customer.token });
    expect(expired).toMatchObject({ status: 'EXPIRED', payment: { status: 'VOIDED' } });
    expect(expired!.events.at(-1)).toMatchObject({ kind: 'EXPIRED', message: 'Not made ready for pickup within 48 hours.' });
    expect(await stockLevel(t, store.id, variant.id)).toEqual({ ...held, reserved: held.reserved - 2 });
    expect(await pointsBalance(t, customer.account.id)).toBe(500);
    const told = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'customer message');
    expect(told).toContainEqual(expect.objectContaining({ kind: 'ORDER_EXPIRED', orderId: order.id, customerId: customer.account.id }));
    const { order: still } = await t.data(OrderDocument, { id: young.id }, { token: (await aStaff(t, StaffRole.ASSOCIATE, store)).token });
    expect(still!.status).toBe('PLACED');
  });
});

describe('orders paid in store', () => {
  it('hold at most PAY_IN_STORE_MAX_UNITS_PER_ORDER units; a card pays for more', async () => {
    const customer = await aCustomer(t);
    const address = anAddress();
    const cartId = await cartFor(address, customer.token, 4);
    const refused = await checkout(t, cartId, from(address, customer.token));
    expect(refused).toEqual({
      order: null,
      userErrors: [{ code: 'INVALID_INPUT', message: expect.stringContaining('At most 3 units'), field: ['paymentMethod'] }],
    });
    expect(await sqlNumber(t, `select count(*) n from orders where cart_id = ?`, [cartId])).toBe(0);
    expect((await checkout(t, cartId, from(address, customer.token), 'CARD')).userErrors).toEqual([]);
  });

  it('are at most PAY_IN_STORE_MAX_OPEN_ORDERS_PER_CUSTOMER open per customer; one cancelled makes room', async () => {
    const customer = await aCustomer(t);
    const orders = [await pickupOrder(customer.token), await pickupOrder(customer.token)];
    const address = anAddress();
    const cartId = await cartFor(address, customer.token);
    const refused = await checkout(t, cartId, from(address, customer.token));
    expect(refused.userErrors).toEqual([
      { code: 'INVALID_INPUT', message: expect.stringContaining('2 orders waiting to be paid in store'), field: ['paymentMethod'] },
    ]);
    await t.data(OrderCancelDocument, { orderId: orders[0].id }, { token: customer.token });
    expect((await checkout(t, cartId, from(anAddress(), customer.token))).userErrors).toEqual([]);
  });

  it('are at most PAY_IN_STORE_MAX_OPEN_ORDERS_PER_ADDRESS open per client address (IPv6 by /64); other addresses go on', async () => {
    const address = anAddress();
    for (let i = 0; i < 3; i++) await pickupOrder(undefined, 1, address);
    const sameNetwork = address.replace(/::1$/, '::abcd');
    const refused = await checkout(t, await cartFor(anAddress()), from(sameNetwork));
    expect(refused.userErrors).toEqual([{ code: 'INVALID_INPUT', message: expect.stringContaining('from your network'), field: ['paymentMethod'] }]);
    await pickupOrder();
  });

  it('placed by staff are not capped', async () => {
    const customer = await aCustomer(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    for (let i = 0; i < 3; i++) {
      const cartId = await cartFor(anAddress(), customer.token, 4);
      expect((await checkout(t, cartId, { token: associate.token })).userErrors).toEqual([]);
    }
  });
});

describe('guests, per client address', () => {
  it('create at most GUEST_CARTS_PER_ADDRESS carts per window, refused before any SQL; customers are not counted', async () => {
    const address = anAddress();
    for (let i = 0; i < 4; i++) await t.data(CartCreateDocument, {}, from(address));
    const { result, statements } = await t.stats.capture(() => t.data(CartCreateDocument, {}, from(address)));
    expect(result.cartCreate).toEqual({
      cart: null,
      userErrors: [{ code: 'TOO_MANY_ATTEMPTS', message: expect.stringMatching(/new carts.*Try again in \d+ (seconds|minutes)\./), field: null }],
    });
    expect(statements).toEqual([]);
    expect((await t.data(CartCreateDocument, {}, from(anAddress()))).cartCreate.userErrors).toEqual([]);
    expect((await t.data(CartCreateDocument, {}, from(address, (await aCustomer(t)).token))).cartCreate.userErrors).toEqual([]);
  });

  it('attempt at most GUEST_CHECKOUTS_PER_ADDRESS checkouts per window, refused before any SQL', async () => {
    const address = anAddress();
    for (let i = 0; i < 5; i++)
      await t.data(
        CheckoutCompleteDocument,
        { cartId: '00000000-0000-4000-8000-000000000000', idempotencyKey: unique('k'), paymentMethod: 'CARD' },
        from(address),
      );
    const { result, statements } = await t.stats.capture(() => checkout(t, '00000000-0000-4000-8000-000000000000', from(address)));
    expect(result.userErrors.map((e) => e.code)).toEqual(['TOO_MANY_ATTEMPTS']);
    expect(statements).toEqual([]);
  });

  it('are counted across instances through Redis when REDIS_URL is set', async () => {
    const env = { ...CAPS, REDIS_URL };
    const [one, two] = [await TestApp.start(env), await TestApp.start(env)];
    try {
      const address = anAddress();
      for (const app of [one, two, one, two]) expect((await app.data(CartCreateDocument, {}, from(address))).cartCreate.userErrors).toEqual([]);
      expect((await one.data(CartCreateDocument, {}, from(address))).cartCreate.userErrors.map((e) => e.code)).toEqual(['TOO_MANY_ATTEMPTS']);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
