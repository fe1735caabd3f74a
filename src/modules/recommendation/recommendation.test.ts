import { StaffRole } from '../../core/auth/actor';
import { aCustomer, anAdmin, aProduct, aStaff, aStore, aWarehouse, stock, systemContext } from '../../../test/support/fixtures';
import {
  CartCreateDocument,
  CartSetFulfillmentDocument,
  CheckoutCompleteDocument,
  ClientelingLookupDocument,
  CustomerSetConsentDocument,
  ProductUpdateDocument,
  RecommendationsDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, errorCodes, type ChannelName, unique } from '../../../test/support/harness';
import type { ProductVariant } from '../catalog';
import type { Location } from '../location';
import { recommendationService } from './recommendation.service';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const address = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'US' };

/** A customer's order of the variants given, shipped from a warehouse, placed on `channel`. */
async function buy(token: string, variants: ProductVariant[], channel: ChannelName = 'WEB'): Promise<void> {
  const options = { token, channel };
  const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: variants.map((v) => ({ sku: v.sku, quantity: 1 })) } }, options);
  const cartId = cartCreate.cart!.id;
  await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'SHIP', shippingAddress: address } }, options);
  const { checkoutComplete } = await t.data(
    CheckoutCompleteDocument,
    { cartId, idempotencyKey: unique('key'), paymentMethod: 'CARD', paymentToken: 'tok_visa' },
    options,
  );
  expect(checkoutComplete.userErrors).toEqual([]);
}

/** A sale at the counter of `store` to the customer, by one of its associates. */
async function buyAtCounter(store: Location, customerId: string, variants: ProductVariant[]): Promise<void> {
  const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
  const options = { token: associate.token };
  const { cartCreate } = await t.data(CartCreateDocument, { input: { customerId, lines: variants.map((v) => ({ sku: v.sku, quantity: 1 })) } }, options);
  const cartId = cartCreate.cart!.id;
  await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'IN_STORE' } }, options);
  const { checkoutComplete } = await t.data(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' }, options);
  expect(checkoutComplete.userErrors).toEqual([]);
}

const learn = () => recommendationService.learn(systemContext(t));

/**
 * A catalog of A, B, C, D in a warehouse; a store that has A, B and C but not D. Other customers
 * bought A with B three times, with D twice, with C once.
 */
async function aWorld() {
  const [a, b, c, d] = await aProduct(t, [10_00, 20_00, 30_00, 40_00]);
  const warehouse = await aWarehouse(t);
  for (const v of [a, b, c, d]) await stock(t, warehouse, v, 100);
  const store = await aStore(t);
  for (const v of [a, b, c]) await stock(t, store, v, 10);
  const together: ProductVariant[][] = [
    [a, b],
    [a, b],
    [a, b],
    [a, d],
    [a, d],
    [a, c],
  ];
  for (const [i, pair] of together.entries()) await buy((await aCustomer(t)).token, pair, (['WEB', 'APP', 'POS'] as const)[i % 2]);
  await learn();
  return { a, b, c, d, store };
}

describe('recommendations', () => {
  it('recommends at the till what is often bought with what the customer bought online, never what they bought, only what the store has', async () => {
    const { a, b, c, d, store } = await aWorld();
    const customer = await aCustomer(t);
    await buy(customer.token, [a], 'WEB');
    await learn();

    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const { customerLookup } = await t.data(ClientelingLookupDocument, { query: customer.account.email, locationId: store.id }, { token: associate.token });
    // Only A, B and C are in this store: A was bought, D is not there.
    expect(customerLookup[0].recommendations.map((v) => v.sku)).toEqual([b.sku, c.sku]);

    // Anywhere (no store): D, bought with A twice, comes before C.
    const { me } = await t.data(RecommendationsDocument, { first: 3 }, { token: customer.token, channel: 'APP' });
    expect(me!.recommendations.map((v) => v.sku)).toEqual([b.sku, d.sku, c.sku]);
  });

  it('never recommends a product that is no longer ACTIVE, however often it was bought', async () => {
    const { a, b, c, d } = await aWorld();
    // X, its own product, was bought with A more often than anything else.
    const [x] = await aProduct(t, [15_00]);
    const warehouse = await aWarehouse(t);
    for (const v of [a, x]) await stock(t, warehouse, v, 100);
    for (let i = 0; i < 4; i++) await buy((await aCustomer(t)).token, [a, x]);
    const customer = await aCustomer(t);
    await buy(customer.token, [a], 'WEB');
    await learn();
    const recommended = async () =>
      (await t.data(RecommendationsDocument, { first: 4 }, { token: customer.token, channel: 'APP' })).me!.recommendations.map((v) => v.sku);
    expect(await recommended()).toEqual([x.sku, b.sku, d.sku, c.sku]);

    const admin = (await anAdmin(t)).token;
    const { productUpdate } = await t.data(ProductUpdateDocument, { id: x.product.id, input: { status: 'ARCHIVED' } }, { token: admin });
    expect(productUpdate.userErrors).toEqual([]);
    expect((await recommended()).slice(0, 3)).toEqual([b.sku, d.sku, c.sku]);
    expect(await recommended()).not.toContain(x.sku);
  });

  it('learns from orders on every channel: a purchase at the till changes what the app recommends', async () => {
    const { a, b, c, d, store } = await aWorld();
    const customer = await aCustomer(t);
    await buyAtCounter(store, customer.account.id, [a, b]);
    await learn();
    const { me } = await t.data(RecommendationsDocument, { first: 2 }, { token: customer.token, channel: 'APP' });
    expect(me!.recommendations.map((v) => v.sku)).toEqual([d.sku, c.sku]);
  });

  it('after PERSONALIZATION is withdrawn, offers best-sellers, not learnt from the customer; granted again, personal ones', async () => {
    const { a, b, c, store } = await aWorld();
    const customer = await aCustomer(t);
    await buy(customer.token, [a], 'WEB');
    await learn();
    await t.data(CustomerSetConsentDocument, { purpose: 'PERSONALIZATION', granted: false }, { token: customer.token });
    // At the store: its variants by units sold (A: 7, B: 3, C: 1), whatever this customer bought.
    const withdrawn = await t.data(RecommendationsDocument, { first: 5, locationId: store.id }, { token: customer.token });
    expect(withdrawn.me!.recommendations.map((v) => v.sku)).toEqual([a.sku, b.sku, c.sku]);
    await t.data(CustomerSetConsentDocument, { purpose: 'PERSONALIZATION', granted: true }, { token: customer.token });
    const granted = await t.data(RecommendationsDocument, { first: 5, locationId: store.id }, { token: customer.token });
    expect(granted.me!.recommendations.map((v) => v.sku).slice(0, 2)).toEqual([b.sku, c.sku]);
  });

  it('counts each placed order once, even with two jobs learning at the same time', async () => {
    const [x, y] = await aProduct(t, [5_00, 6_00]);
    const warehouse = await aWarehouse(t);
    for (const v of [x, y]) await stock(t, warehouse, v, 100);
    for (let i = 0; i < 6; i++) await buy((await aCustomer(t)).token, [x, y]);
    await Promise.all([learn(), learn(), learn()]);
    const rows = await t.app.orm.em
      .fork()
      .getConnection()
      .execute<{ orders: number }[]>('select orders from co_purchase where variant_id = ? and other_variant_id = ?', [x.id, y.id]);
    expect(rows).toEqual([{ orders: 6 }]);
    expect(await learn()).toBe(0);
  });

  it('refuses a first outside 1–100 before any SQL', async () => {
    const customer = await aCustomer(t);
    expect(errorCodes(await t.gql(RecommendationsDocument, { first: 101 }, { token: customer.token }))).toEqual(['BAD_USER_INPUT']);
  });
});
