import { StaffRole } from '../../core/auth/actor';
import { aCustomer, aGuestContact, anAdmin, aProduct, aStaff, aStore, aWarehouse, givePoints, sqlNumber, stock } from '../../../test/support/fixtures';
import {
  LocationUpdateDocument,
  PricedCartCreateDocument,
  OrderMarkReadyDocument,
  PricedCompletePickupDocument,
  PricedOrderDocument,
  PricedPickupQueueDocument,
  PricedCartApplyPointsDocument,
  PricedCartSetFulfillmentDocument,
  PricedCheckoutDocument,
  PricedReturnDocument,
  TaxRateSetDocument,
  TaxRatesDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, unique } from '../../../test/support/harness';
import { anAddress, aPromotion, aStoreAt, aTaxRate, testCountry, totalsIdentities } from '../../../test/support/pricing.fixtures';

/**
 * Tax comes from where the goods are handed over (the pickup or counter store's address) or sent
 * (the shipping address); a region's rate wins over its country's; none before a fulfilment.
 */
let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await TestApp.start();
  admin = (await anAdmin(t)).token;
});
afterAll(() => t.close());

const COUNTRY = testCountry('B');

async function twoRegions() {
  await aTaxRate(t, COUNTRY, null, 1000, 'Country tax');
  await aTaxRate(t, COUNTRY, 'R1', 725, 'Region tax');
  const inRegion = await aStoreAt(t, anAddress(COUNTRY, 'R1'));
  const elsewhere = await aStoreAt(t, anAddress(COUNTRY, 'R2'));
  const [variant] = await aProduct(t, [19_99]);
  for (const store of [inRegion, elsewhere]) await stock(t, store, variant, 10);
  return { inRegion, elsewhere, variant };
}

describe('tax', () => {
  it('differs between pickup stores in two tax regions, and none is charged before a fulfilment', async () => {
    const { inRegion, elsewhere, variant } = await twoRegions();
    const { cartCreate } = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: variant.sku, quantity: 1 }] } });
    const cartId = cartCreate.cart!.id;
    expect([cartCreate.cart!.taxTotal.amount, cartCreate.cart!.taxLines]).toEqual([0, []]);

    const atRegion = (await t.data(PricedCartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: inRegion.id } })).cartSetFulfillment
      .cart!;
    // 7.25 % of 19.99 = 1.449…: rounded half-up per line.
    expect(atRegion.taxLines).toEqual([{ name: 'Region tax', rateBasisPoints: 725, amount: { amount: 1_45 } }]);
    expect(atRegion.total.amount).toBe(21_44);
    const atOther = (await t.data(PricedCartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: elsewhere.id } })).cartSetFulfillment
      .cart!;
    expect(atOther.taxLines).toEqual([{ name: 'Country tax', rateBasisPoints: 1000, amount: { amount: 2_00 } }]);
    expect(atOther.total.amount).toBe(21_99);

    // The order keeps the tax of its checkout, whatever rates change later.
    await aGuestContact(t, cartId);
    const { checkoutComplete } = await t.data(PricedCheckoutDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' });
    const order = checkoutComplete.order!;
    expect([order.taxTotal.amount, order.total.amount, order.payment.amount.amount]).toEqual([2_00, 21_99, 21_99]);
    expect(totalsIdentities(order)).toEqual([]);
    await aTaxRate(t, COUNTRY, null, 1500, 'Country tax');
    // The pickup code is the buyer's alone: staff read the order without it.
    const asStaff = { ...order, fulfillment: { ...order.fulfillment, pickupCode: null } };
    expect((await t.data(PricedOrderDocument, { id: order.id }, { token: admin })).order).toEqual(asStaff);
    await aTaxRate(t, COUNTRY, null, 1000, 'Country tax');
  });

  it('comes from the shipping address, region first', async () => {
    await aTaxRate(t, COUNTRY, null, 1000, 'Country tax');
    await aTaxRate(t, COUNTRY, 'R1', 725, 'Region tax');
    const warehouse = await aWarehouse(t);
    const [variant] = await aProduct(t, [100_00]);
    await stock(t, warehouse, variant, 5);
    const { cartCreate } = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: variant.sku, quantity: 1 }] } });
    const cartId = cartCreate.cart!.id;
    const ship = (regionCode?: string) =>
      t.data(PricedCartSetFulfillmentDocument, { cartId, input: { method: 'SHIP', shippingAddress: anAddress(COUNTRY.toLowerCase(), regionCode) } });
    expect((await ship('r1')).cartSetFulfillment.cart!.taxTotal.amount).toBe(7_25);
    expect((await ship()).cartSetFulfillment.cart!.taxTotal.amount).toBe(10_00);
    expect((await ship('R9')).cartSetFulfillment.cart!.taxTotal.amount).toBe(10_00);
    const bad = await t.data(PricedCartSetFulfillmentDocument, { cartId, input: { method: 'SHIP', shippingAddress: anAddress(COUNTRY, 'NOT A REGION') } });
    expect(bad.cartSetFulfillment.userErrors.map((e) => e.field)).toEqual([['input', 'shippingAddress', 'regionCode']]);
  });

  it('is the part of the price that is tax when PRICES_INCLUDE_TAX is true: the total does not change', async () => {
    const { inRegion, variant } = await twoRegions();
    const included = await TestApp.start({ PRICES_INCLUDE_TAX: 'true' });
    try {
      const { cartCreate } = await included.data(PricedCartCreateDocument, { input: { lines: [{ sku: variant.sku, quantity: 1 }] } });
      const { cartSetFulfillment } = await included.data(PricedCartSetFulfillmentDocument, {
        cartId: cartCreate.cart!.id,
        input: { method: 'PICKUP', locationId: inRegion.id },
      });
      const cart = cartSetFulfillment.cart!;
      // 19.99 × 725 / 10725 = 1.351…
      expect([cart.taxesIncluded, cart.subtotal.amount, cart.taxTotal.amount, cart.total.amount]).toEqual([true, 19_99, 1_35, 19_99]);
      expect(totalsIdentities(cart)).toEqual([]);
      await aGuestContact(included, cart.id);
      const { checkoutComplete } = await included.data(PricedCheckoutDocument, {
        cartId: cart.id,
        idempotencyKey: unique('key'),
        paymentMethod: 'PAY_IN_STORE',
      });
      expect([checkoutComplete.order!.taxesIncluded, checkoutComplete.order!.taxTotal.amount, checkoutComplete.order!.total.amount]).toEqual([
        true,
        1_35,
        19_99,
      ]);
    } finally {
      await included.close();
    }
  });
});

describe('pickup at a taxed store', () => {
  it("shows the queue with its tax, and taxes lines added at the counter at the store's rate", async () => {
    const country = testCountry('G');
    await aTaxRate(t, country, null, 500);
    const store = await aStoreAt(t, anAddress(country));
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const [online, extra] = await aProduct(t, [20_00, 3_00]);
    await stock(t, store, online, 10);
    await stock(t, store, extra, 10);
    const customer = await aCustomer(t);
    const { cartCreate } = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: online.sku, quantity: 1 }] } }, { token: customer.token });
    await t.data(
      PricedCartSetFulfillmentDocument,
      { cartId: cartCreate.cart!.id, input: { method: 'PICKUP', locationId: store.id } },
      { token: customer.token },
    );
    const { checkoutComplete } = await t.data(
      PricedCheckoutDocument,
      { cartId: cartCreate.cart!.id, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' },
      { token: customer.token },
    );
    const placed = checkoutComplete.order!;
    expect([placed.taxTotal.amount, placed.total.amount]).toEqual([1_00, 21_00]);

    const { pickupQueue } = await t.data(PricedPickupQueueDocument, { locationId: store.id }, { token: associate.token });
    const queued = pickupQueue.find((o) => o.id === placed.id)!;
    expect([queued.taxTotal.amount, queued.taxLines, queued.discounts, queued.total.amount]).toEqual([1_00, placed.taxLines, [], 21_00]);

    await t.data(OrderMarkReadyDocument, { orderId: placed.id }, { token: associate.token });
    const { orderCompletePickup } = await t.data(
      PricedCompletePickupDocument,
      { orderId: placed.id, pickupCode: placed.fulfillment.pickupCode!, idempotencyKey: unique('hand'), addLines: [{ sku: extra.sku, quantity: 1 }] },
      { token: associate.token },
    );
    const done = orderCompletePickup.order!;
    // 3.00 + 5 % = 3.15 more, paid in store.
    expect([done.subtotal.amount, done.taxTotal.amount, done.total.amount, done.payment.amount.amount]).toEqual([23_00, 1_15, 24_15, 24_15]);
    expect(done.taxLines.map((l) => l.amount.amount)).toEqual([1_15]);
    expect(totalsIdentities(done)).toEqual([]);
  });
});

describe('taxRateSet and locations', () => {
  it('sets one rate per place: setting it again replaces it', async () => {
    const country = testCountry('C');
    const first = await t.data(
      TaxRateSetDocument,
      { input: { countryCode: country.toLowerCase(), regionCode: 'ny', name: 'Sales tax', rateBasisPoints: 400 } },
      { token: admin },
    );
    expect(first.taxRateSet.taxRate).toMatchObject({ countryCode: country, regionCode: 'NY', rateBasisPoints: 400 });
    const second = await t.data(
      TaxRateSetDocument,
      { input: { countryCode: country, regionCode: 'NY', name: 'Sales tax', rateBasisPoints: 450 } },
      { token: admin },
    );
    expect(second.taxRateSet.taxRate!.id).toBe(first.taxRateSet.taxRate!.id);
    const rates = (await t.data(TaxRatesDocument)).taxRates.filter((r) => r.countryCode === country);
    expect(rates.map((r) => [r.regionCode, r.rateBasisPoints])).toEqual([['NY', 450]]);
  });

  it.each([
    ['a negative rate', { rateBasisPoints: -1 }, 'rateBasisPoints'],
    ['a rate above 100 %', { rateBasisPoints: 10_001 }, 'rateBasisPoints'],
    ['a malformed country', { countryCode: 'XYZ' }, 'countryCode'],
    ['an empty name', { name: ' ' }, 'name'],
  ])('refuses %s with INVALID_INPUT, saving nothing', async (_case, override, field) => {
    const countryCode = testCountry('D');
    const input = { countryCode, name: 'VAT', rateBasisPoints: 2000, ...override };
    const { taxRateSet } = await t.data(TaxRateSetDocument, { input }, { token: admin });
    expect(taxRateSet.userErrors).toEqual([{ code: 'INVALID_INPUT', message: expect.any(String), field: ['input', field] }]);
    expect(await sqlNumber(t, 'select count(*) n from tax_rate where country_code = ?', [countryCode])).toBe(0);
  });

  it('updates a location: address (codes upper-cased), shipping and pickup; a warehouse always ships and never offers pickup', async () => {
    const store = await aStore(t);
    const { locationUpdate } = await t.data(
      LocationUpdateDocument,
      { id: store.id, input: { name: 'Harbour', shipEnabled: true, address: { ...anAddress('xe', 'ab') } } },
      { token: admin },
    );
    expect(locationUpdate.location).toMatchObject({
      name: 'Harbour',
      shipEnabled: true,
      pickupEnabled: true,
      address: { countryCode: 'XE', regionCode: 'AB' },
    });
    const warehouse = await aWarehouse(t);
    expect(
      (await t.data(LocationUpdateDocument, { id: warehouse.id, input: { shipEnabled: false } }, { token: admin })).locationUpdate.userErrors.map(
        (e) => e.code,
      ),
    ).toEqual(['INVALID_INPUT']);
    expect(
      (await t.data(LocationUpdateDocument, { id: warehouse.id, input: { pickupEnabled: true } }, { token: admin })).locationUpdate.userErrors.map(
        (e) => e.code,
      ),
    ).toEqual(['INVALID_INPUT']);
    const badAddress = await t.data(LocationUpdateDocument, { id: store.id, input: { address: { ...anAddress('XE'), city: '' } } }, { token: admin });
    expect(badAddress.locationUpdate.userErrors.map((e) => e.field)).toEqual([['input', 'address', 'city']]);
  });
});

describe('returns', () => {
  it('refund exactly what was paid for the units returned (after discount and points, with tax), in parts as at once', async () => {
    const country = testCountry('F');
    await aTaxRate(t, country, null, 1000);
    const store = await aStoreAt(t, anAddress(country));
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const [variant] = await aProduct(t, [10_00]);
    await stock(t, store, variant, 100);
    await aPromotion(t, { percentOff: 10, skus: [variant.sku] });

    const sellThree = async () => {
      const customer = await aCustomer(t);
      await givePoints(t, customer.account.id, 500);
      const staff = { token: associate.token };
      const { cartCreate } = await t.data(
        PricedCartCreateDocument,
        { input: { customerId: customer.account.id, lines: [{ sku: variant.sku, quantity: 3 }] } },
        staff,
      );
      const cartId = cartCreate.cart!.id;
      await t.data(PricedCartApplyPointsDocument, { cartId, points: 500 }, staff);
      await t.data(PricedCartSetFulfillmentDocument, { cartId, input: { method: 'IN_STORE' } }, staff);
      const { checkoutComplete } = await t.data(PricedCheckoutDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' }, staff);
      return checkoutComplete.order!;
    };
    const refunded = (orderId: string) => sqlNumber(t, 'select refunded_amount n from payment where order_id = ?', [orderId]);
    const giveBack = (orderId: string, lineId: string, quantity: number) =>
      t.data(PricedReturnDocument, { orderId, lines: [{ lineId, quantity }], idempotencyKey: unique('ret') }, { token: associate.token });

    const order = await sellThree();
    // 30.00 − 3.00 (10 %) − 5.00 (points) = 22.00 paid before tax, + 10 % tax = 24.20.
    const line = order.lines[0];
    expect([line.discountTotal.amount, line.loyaltyDiscount.amount, line.taxTotal.amount, line.total.amount]).toEqual([3_00, 5_00, 2_20, 24_20]);
    expect(totalsIdentities(order)).toEqual([]);

    await giveBack(order.id, line.id, 1);
    expect(await refunded(order.id)).toBe(8_06);
    const rest = await giveBack(order.id, line.id, 2);
    expect(rest.orderReturnLines.userErrors).toEqual([]);
    expect(await refunded(order.id)).toBe(24_20);

    const twin = await sellThree();
    await giveBack(twin.id, twin.lines[0].id, 3);
    expect(await refunded(twin.id)).toBe(24_20);
  });
});
