import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { StaffRole } from '../../src/core/auth/actor';
import { MAX_AMOUNT, MAX_PRICE } from '../../src/core/money';
import { aCustomer, anAdmin, aPickupCart, aProduct, aStaff, aStore, sqlNumber, stock } from '../support/fixtures';
import {
  CartDocument,
  CartCreateDocument,
  CartLinesAddDocument,
  CartLinesUpdateDocument,
  CheckoutCompleteDocument,
  MeDocument,
  ProductCreateDocument,
} from '../support/generated/graphql';
import { TestApp, errorCodes, unique } from '../support/harness';

/**
 * Smaller defects a hostile tester found: idempotency keys shared by every caller, totals that
 * outgrow a GraphQL Int, and the POS channel claimed without a staff token.
 */
let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const checkout = (cartId: string, idempotencyKey: string, token?: string) =>
  t.data(CheckoutCompleteDocument, { cartId, idempotencyKey, paymentMethod: 'PAY_IN_STORE' }, { token });

describe('idempotency keys are scoped by caller', () => {
  it("one customer's key does not block another's, and still replays for its owner", async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    await stock(t, store, variant, 10);
    const [ann, bob] = [await aCustomer(t), await aCustomer(t)];
    const key = 'order-1';
    const annCart = await aPickupCart(t, store, [{ sku: variant.sku, quantity: 1 }], ann.token);
    const bobCart = await aPickupCart(t, store, [{ sku: variant.sku, quantity: 1 }], bob.token);

    const first = await checkout(annCart, key, ann.token);
    expect(first.checkoutComplete.userErrors).toEqual([]);
    const second = await checkout(bobCart, key, bob.token);
    expect(second.checkoutComplete.userErrors).toEqual([]);
    expect(second.checkoutComplete.order!.id).not.toBe(first.checkoutComplete.order!.id);

    const retry = await checkout(annCart, key, ann.token);
    expect(retry.checkoutComplete.order!.id).toBe(first.checkoutComplete.order!.id);
    expect(await sqlNumber(t, 'select count(*) n from orders where cart_id in (?, ?)', [annCart, bobCart])).toBe(2);
  });

  it("two guests' carts with the same key make two orders", async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    await stock(t, store, variant, 10);
    const key = unique('guest-key');
    const carts = [await aPickupCart(t, store, [{ sku: variant.sku, quantity: 1 }]), await aPickupCart(t, store, [{ sku: variant.sku, quantity: 1 }])];
    const orders = [];
    for (const cartId of carts) {
      const res = await checkout(cartId, key);
      expect(res.checkoutComplete.userErrors).toEqual([]);
      orders.push(res.checkoutComplete.order!.id);
    }
    expect(new Set(orders).size).toBe(2);
  });
});

describe('money totals fit a GraphQL Int', () => {
  it('refuses a price above the maximum (1.5 billion minor units)', async () => {
    const admin = await anAdmin(t);
    const sku = unique('BIG');
    const res = await t.data(
      ProductCreateDocument,
      { input: { title: 'Too dear', variants: [{ sku, title: 'Too dear', priceAmount: 1_500_000_000 }] } },
      { token: admin.token },
    );
    expect(res.productCreate.userErrors).toEqual([
      { code: 'INVALID_INPUT', message: expect.stringContaining(String(MAX_PRICE)), field: ['input', 'variants', '0', 'priceAmount'] },
    ]);
  });

  it('refuses quantities that would take a cart past the largest amount; the cart stays readable and can be checked out', async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t, [MAX_PRICE]);
    await stock(t, store, variant, 10);
    const customer = await aCustomer(t);
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: variant.sku, quantity: 3 }] } }, { token: customer.token });
    expect(cartCreate.userErrors).toEqual([{ code: 'INVALID_QUANTITY', message: expect.stringContaining(String(MAX_AMOUNT)), field: ['input', 'lines'] }]);

    const cartId = await aPickupCart(t, store, [{ sku: variant.sku, quantity: 2 }], customer.token);
    const more = await t.data(CartLinesAddDocument, { cartId, lines: [{ sku: variant.sku, quantity: 1 }] }, { token: customer.token });
    expect(more.cartLinesAdd.userErrors.map((e) => e.code)).toEqual(['INVALID_QUANTITY']);
    const { cart } = await t.data(CartDocument, { id: cartId }, { token: customer.token });
    const update = await t.data(CartLinesUpdateDocument, { cartId, lines: [{ lineId: cart!.lines[0].id, quantity: 3 }] }, { token: customer.token });
    expect(update.cartLinesUpdate.userErrors.map((e) => e.code)).toEqual(['INVALID_QUANTITY']);

    const read = await t.gql(CartDocument, { id: cartId }, { token: customer.token });
    expect(read.errors).toBeUndefined();
    expect(read.data!.cart!.total.amount).toBe(2 * MAX_PRICE);
    const placed = await checkout(cartId, unique('key'), customer.token);
    expect(placed.checkoutComplete.userErrors).toEqual([]);
    expect(placed.checkoutComplete.order!.total.amount).toBe(2 * MAX_PRICE);
  });
});

describe('the POS channel needs a staff token', () => {
  it('answers a guest or customer claiming POS over HTTP with 400; staff are served', async () => {
    const customer = await aCustomer(t);
    for (const [token, channel] of [
      [undefined, 'POS'],
      [customer.token, 'POS'],
      [undefined, ' pos '],
    ] as const) {
      const res = await t.gql(MeDocument, {}, { token, headers: { 'x-channel': channel } });
      expect([res.status, errorCodes(res)]).toEqual([400, ['BAD_REQUEST']]);
    }
    const staff = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    const served = await t.gql(MeDocument, {}, { token: staff.token, channel: 'POS' });
    expect([served.status, served.errors]).toEqual([200, undefined]);
    const web = await t.gql(MeDocument, {}, { token: customer.token, channel: 'WEB' });
    expect(web.data!.me!.id).toBe(customer.account.id);
  });

  it('refuses a WebSocket whose connection parameters claim POS without a staff token', async () => {
    const customer = await aCustomer(t);
    const staff = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    const run = async (params: Record<string, string>) => {
      const client = createClient({ url: t.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: params, retryAttempts: 0 });
      try {
        return await new Promise<{ data?: unknown; closeCode?: number }>((resolve) => {
          client.subscribe(
            { query: '{ __typename }' },
            {
              next: (result) => resolve({ data: result.data }),
              error: (err) => resolve({ closeCode: (err as { code?: number }).code }),
              complete: () => undefined,
            },
          );
        });
      } finally {
        await client.dispose();
      }
    };
    expect(await run({ 'x-channel': 'POS' })).toEqual({ closeCode: 4403 });
    expect(await run({ channel: 'pos', authorization: `Bearer ${customer.token}` })).toEqual({ closeCode: 4403 });
    expect(await run({ channel: 'POS', authorization: `Bearer ${staff.token}` })).toEqual({ data: { __typename: 'Query' } });
    expect(await run({ channel: 'WEB' })).toEqual({ data: { __typename: 'Query' } });
  });
});
