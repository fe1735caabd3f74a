import { StaffRole } from '../../core/auth/actor';
import { aCustomer, aGuestContact, anAdmin, aProduct, aStaff, aStore, sqlNumber, stock } from '../../../test/support/fixtures';
import {
  CollectionAddProductsDocument,
  CollectionByCodeDocument,
  CollectionCreateDocument,
  CollectionsDocument,
  PricedCartCreateDocument,
  PricedCartDocument,
  PricedCartLinesAddDocument,
  PricedCartSetFulfillmentDocument,
  PricedCheckoutDocument,
  PricedOrderDocument,
  ProductCreateDocument,
  ProductUpdateDocument,
  ProductsFilteredDocument,
  VariantSetPriceDocument,
} from '../../../test/support/generated/graphql';
import { errorCodes, TestApp, unique } from '../../../test/support/harness';
import { aPromotion } from '../../../test/support/pricing.fixtures';

/** Catalog management: products change, leave the shelf, get new prices and join collections. */
let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await TestApp.start();
  admin = (await anAdmin(t)).token;
});
afterAll(() => t.close());

describe('variantSetPrice', () => {
  it('reprices open carts at once and leaves placed orders at the price they were placed at', async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t, [20_00]);
    await stock(t, store, variant, 10);
    const customer = await aCustomer(t);
    const options = { token: customer.token };
    const placed = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: variant.sku, quantity: 2 }] } }, options);
    await t.data(PricedCartSetFulfillmentDocument, { cartId: placed.cartCreate.cart!.id, input: { method: 'PICKUP', locationId: store.id } }, options);
    const { checkoutComplete } = await t.data(
      PricedCheckoutDocument,
      { cartId: placed.cartCreate.cart!.id, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' },
      options,
    );
    const orderId = checkoutComplete.order!.id;
    const open = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: variant.sku, quantity: 2 }] } });

    const { variantSetPrice } = await t.data(VariantSetPriceDocument, { sku: variant.sku, priceAmount: 25_00 }, { token: admin });
    expect(variantSetPrice).toEqual({ variant: { id: variant.id, sku: variant.sku, price: { amount: 25_00 } }, userErrors: [] });

    const cart = (await t.data(PricedCartDocument, { id: open.cartCreate.cart!.id })).cart!;
    expect([cart.lines[0].unitPrice.amount, cart.total.amount]).toEqual([25_00, 50_00]);
    const order = (await t.data(PricedOrderDocument, { id: orderId }, options)).order!;
    expect([order.lines[0].unitPrice.amount, order.total.amount, order.payment.amount.amount]).toEqual([20_00, 40_00, 40_00]);
  });

  it.each([
    ['zero', 0],
    ['a negative price', -100],
    ['a price above the maximum', 2_000_000_000],
  ])('refuses %s with INVALID_INPUT and changes nothing', async (_case, priceAmount) => {
    const [variant] = await aProduct(t, [20_00]);
    const { variantSetPrice } = await t.data(VariantSetPriceDocument, { sku: variant.sku, priceAmount }, { token: admin });
    expect(variantSetPrice.userErrors).toEqual([{ code: 'INVALID_INPUT', message: expect.any(String), field: ['priceAmount'] }]);
    expect(await sqlNumber(t, 'select price_amount n from product_variant where id = ?', [variant.id])).toBe(20_00);
  });

  it('answers NOT_FOUND for an unknown SKU, and is for admins only', async () => {
    const { variantSetPrice } = await t.data(VariantSetPriceDocument, { sku: unique('NONE'), priceAmount: 100 }, { token: admin });
    expect(variantSetPrice.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    const store = await aStore(t);
    const manager = await aStaff(t, StaffRole.MANAGER, store);
    expect(errorCodes(await t.gql(VariantSetPriceDocument, { sku: 'X', priceAmount: 100 }, { token: manager.token }))).toEqual(['FORBIDDEN']);
  });
});

describe('productUpdate and archiving', () => {
  it('changes title and description; an archived product leaves browse for customers, cannot be added, and blocks checkout until its line is removed', async () => {
    const store = await aStore(t);
    const [variant, other] = await aProduct(t, [10_00, 12_00]);
    await stock(t, store, variant, 10);
    const word = unique('ARCH');
    const { productUpdate } = await t.data(
      ProductUpdateDocument,
      { id: variant.product.id, input: { title: `${word} tee`, description: 'Soft cotton.' } },
      { token: admin },
    );
    expect(productUpdate.product).toMatchObject({ title: `${word} tee`, description: 'Soft cotton.', status: 'ACTIVE' });

    // A cart holding it before it is archived.
    const { cartCreate } = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: variant.sku, quantity: 1 }] } });
    const cartId = cartCreate.cart!.id;
    await t.data(PricedCartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: store.id } });
    await aGuestContact(t, cartId);

    const archived = await t.data(ProductUpdateDocument, { id: variant.product.id, input: { status: 'ARCHIVED' } }, { token: admin });
    expect(archived.productUpdate.product!.status).toBe('ARCHIVED');

    expect((await t.data(ProductsFilteredDocument, { query: word })).products.edges).toEqual([]);
    const staffView = await t.data(ProductsFilteredDocument, { query: word, status: 'ARCHIVED' }, { token: admin });
    expect(staffView.products.edges.map((e) => e.node.status)).toEqual(['ARCHIVED']);
    // A customer asking for archived products still gets the active ones only.
    expect((await t.data(ProductsFilteredDocument, { query: word, status: 'ARCHIVED' })).products.edges).toEqual([]);

    const add = await t.data(PricedCartLinesAddDocument, { cartId, lines: [{ sku: other.sku, quantity: 1 }] });
    expect(add.cartLinesAdd.userErrors).toEqual([{ code: 'PRODUCT_ARCHIVED', message: expect.any(String), field: ['lines', '0'] }]);
    const fresh = await t.data(PricedCartCreateDocument, { input: { lines: [{ sku: variant.sku, quantity: 1 }] } });
    expect(fresh.cartCreate.userErrors.map((e) => e.code)).toEqual(['PRODUCT_ARCHIVED']);

    const refused = await t.data(PricedCheckoutDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' });
    expect(refused.checkoutComplete.userErrors).toEqual([{ code: 'PRODUCT_ARCHIVED', message: expect.any(String), field: ['lines', '0'] }]);
    expect(await sqlNumber(t, 'select count(*) n from orders where cart_id = ?', [cartId])).toBe(0);
    expect(await sqlNumber(t, 'select reserved n from stock_level where variant_id = ?', [variant.id])).toBe(0);

    // Back on sale: the same cart checks out.
    await t.data(ProductUpdateDocument, { id: variant.product.id, input: { status: 'ACTIVE' } }, { token: admin });
    const again = await t.data(PricedCheckoutDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' });
    expect(again.checkoutComplete.userErrors).toEqual([]);
  });

  it('refuses an empty title with INVALID_INPUT', async () => {
    const [variant] = await aProduct(t);
    const { productUpdate } = await t.data(ProductUpdateDocument, { id: variant.product.id, input: { title: '  ' } }, { token: admin });
    expect(productUpdate.userErrors).toEqual([{ code: 'INVALID_INPUT', message: expect.any(String), field: ['input', 'title'] }]);
  });

  it('takes a description of a few paragraphs, and refuses a longer one before anything runs', async () => {
    const [variant] = await aProduct(t);
    const { productUpdate } = await t.data(ProductUpdateDocument, { id: variant.product.id, input: { description: 'x'.repeat(5_000) } }, { token: admin });
    expect(productUpdate.product!.description).toHaveLength(5_000);
    const tooLong = await t.gql(ProductUpdateDocument, { id: variant.product.id, input: { description: 'y'.repeat(10_001) } }, { token: admin });
    expect(errorCodes(tooLong)).toEqual(['BAD_USER_INPUT']);
    expect(await sqlNumber(t, 'select length(description) n from product where id = ?', [variant.product.id])).toBe(5_000);
  });
});

describe('collections', () => {
  it('groups products, lists them, filters browse and is named by promotions', async () => {
    const [a] = await aProduct(t, [10_00]);
    const [b] = await aProduct(t, [30_00]);
    const code = unique('SUMMER')
      .replace(/[^A-Z0-9_-]/g, '')
      .slice(0, 60);
    const created = await t.data(
      CollectionCreateDocument,
      { input: { code: code.toLowerCase(), title: 'Summer', productIds: [a.product.id] } },
      { token: admin },
    );
    expect(created.collectionCreate.userErrors).toEqual([]);
    expect(created.collectionCreate.collection!.code).toBe(code);
    const added = await t.data(CollectionAddProductsDocument, { code, productIds: [b.product.id, a.product.id] }, { token: admin });
    expect(added.collectionAddProducts.collection!.products.edges.map((e) => e.node.id).sort()).toEqual([a.product.id, b.product.id].sort());

    const { collection } = await t.data(CollectionByCodeDocument, { code });
    expect(collection!.products.edges).toHaveLength(2);
    expect((await t.data(CollectionsDocument)).collections.map((c) => c.code)).toContain(code);
    const browse = await t.data(ProductsFilteredDocument, { collectionCode: code, first: 10 });
    expect(browse.products.edges.map((e) => e.node.collections.map((c) => c.code))).toEqual([[code], [code]]);

    // A product created into the collection, and a promotion on the collection.
    const sku = unique('COL');
    const made = await t.data(
      ProductCreateDocument,
      { input: { title: 'Summer hat', collectionCodes: [code], variants: [{ sku, title: 'One size', priceAmount: 20_00 }] } },
      { token: admin },
    );
    expect(made.productCreate.userErrors).toEqual([]);
    await aPromotion(t, { percentOff: 50, skus: [], collectionCodes: [code], minSubtotal: 25_00 });
    const { cartCreate } = await t.data(PricedCartCreateDocument, {
      input: {
        lines: [
          { sku, quantity: 1 },
          { sku: b.sku, quantity: 1 },
        ],
      },
    });
    // 50 % of the two lines of the collection (20.00 + 30.00).
    expect(cartCreate.cart!.discountTotal.amount).toBe(25_00);
  });

  it.each([
    ['a malformed code', { code: '!', title: 'x' }, ['input', 'code']],
    ['an empty title', { code: 'OKCODE', title: ' ' }, ['input', 'title']],
    ['an unknown product', { code: 'OKCODE2', title: 'x', productIds: ['00000000-0000-4000-8000-000000000000'] }, ['input', 'productIds', '0']],
  ])('refuses %s, saving nothing', async (_case, input, field) => {
    const { collectionCreate } = await t.data(CollectionCreateDocument, { input }, { token: admin });
    expect(collectionCreate.userErrors).toEqual([{ code: expect.stringMatching(/INVALID_INPUT|NOT_FOUND/), message: expect.any(String), field }]);
    expect(await sqlNumber(t, 'select count(*) n from collection where code = ?', [input.code])).toBe(0);
  });

  it('refuses a code that is taken', async () => {
    const code = unique('DUPC')
      .replace(/[^A-Z0-9_-]/g, '')
      .slice(0, 60);
    await t.data(CollectionCreateDocument, { input: { code, title: 'First' } }, { token: admin });
    const { collectionCreate } = await t.data(CollectionCreateDocument, { input: { code, title: 'Second' } }, { token: admin });
    expect(collectionCreate.userErrors.map((e) => e.code)).toEqual(['INVALID_INPUT']);
  });
});
