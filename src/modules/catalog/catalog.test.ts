import { StaffRole } from '../../core/auth/actor';
import { aCustomer, anAdmin, aProduct, aStaff, aStore, sqlNumber, stock } from '../../../test/support/fixtures';
import { ProductCreateDocument, ProductDocument, ProductsDocument, VariantBySkuDocument } from '../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../test/support/harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const productInput = (base: string, prices = [12_50, 13_00]) => ({
  title: `Tee ${base}`,
  variants: prices.map((priceAmount, i) => ({ sku: `${base}-${i}`, title: `Size ${i}`, priceAmount })),
});

describe('productCreate', () => {
  it('lets an admin create a product whose variants are found by id and by sku', async () => {
    const admin = await anAdmin(t);
    const base = unique('TEE');
    const { productCreate } = await t.data(ProductCreateDocument, { input: productInput(base) }, { token: admin.token });
    expect(productCreate.userErrors).toEqual([]);
    expect(productCreate.product!.variants.map((v) => [v.sku, v.price])).toEqual([
      [`${base}-0`, { amount: 1250, currencyCode: 'USD' }],
      [`${base}-1`, { amount: 1300, currencyCode: 'USD' }],
    ]);
    const { product } = await t.data(ProductDocument, { id: productCreate.product!.id });
    expect(product!.title).toBe(`Tee ${base}`);
    const { variantBySku } = await t.data(VariantBySkuDocument, { sku: `${base}-1` });
    expect(variantBySku).toMatchObject({ sku: `${base}-1`, availableQuantity: 0, availability: [] });
  });

  it.each([
    ['an empty title', (b: string) => ({ ...productInput(b), title: '  ' }), ['input', 'title']],
    ['no variants', (b: string) => ({ ...productInput(b), variants: [] }), ['input', 'variants']],
    ['a negative price', (b: string) => productInput(b, [100, -1]), ['input', 'variants', '1', 'priceAmount']],
    [
      'a malformed sku',
      (b: string) => ({ ...productInput(b), variants: [{ sku: 'has space', title: 'x', priceAmount: 1 }] }),
      ['input', 'variants', '0', 'sku'],
    ],
    [
      'a sku twice',
      (b: string) => ({
        ...productInput(b),
        variants: [
          { sku: `${b}-0`, title: 'a', priceAmount: 1 },
          { sku: `${b}-0`, title: 'b', priceAmount: 1 },
        ],
      }),
      ['input', 'variants', '1', 'sku'],
    ],
  ])('refuses %s with INVALID_INPUT at the field, creating nothing', async (_case, input, field) => {
    const admin = await anAdmin(t);
    const base = unique('BAD');
    const { productCreate } = await t.data(ProductCreateDocument, { input: input(base) }, { token: admin.token });
    expect(productCreate.product).toBeNull();
    expect(productCreate.userErrors).toEqual([{ code: 'INVALID_INPUT', message: expect.any(String), field }]);
    expect(await sqlNumber(t, `select count(*) n from product_variant where sku like ?`, [`${base}%`])).toBe(0);
  });

  it('refuses a sku already in the catalog and rolls back the whole product', async () => {
    const admin = await anAdmin(t);
    const [existing] = await aProduct(t);
    const base = unique('DUP');
    const input = {
      title: `Dup ${base}`,
      variants: [
        { sku: `${base}-new`, title: 'new', priceAmount: 1 },
        { sku: existing.sku, title: 'old', priceAmount: 1 },
      ],
    };
    const { productCreate } = await t.data(ProductCreateDocument, { input }, { token: admin.token });
    expect(productCreate.userErrors).toEqual([
      { code: 'INVALID_INPUT', message: expect.stringContaining(existing.sku), field: ['input', 'variants', '1', 'sku'] },
    ]);
    expect(await sqlNumber(t, `select count(*) n from product where title = ?`, [`Dup ${base}`])).toBe(0);
    expect(await sqlNumber(t, `select count(*) n from product_variant where sku = ?`, [`${base}-new`])).toBe(0);
  });

  it('is for admins only: guests are UNAUTHENTICATED, customers and store staff FORBIDDEN', async () => {
    const store = await aStore(t);
    const callers = [
      [undefined, 'UNAUTHENTICATED'],
      [(await aCustomer(t)).token, 'FORBIDDEN'],
      [(await aStaff(t, StaffRole.ASSOCIATE, store)).token, 'FORBIDDEN'],
      [(await aStaff(t, StaffRole.MANAGER, store)).token, 'FORBIDDEN'],
    ] as const;
    for (const [token, code] of callers) {
      const base = unique('NOPE');
      const res = await t.gql(ProductCreateDocument, { input: productInput(base) }, { token });
      expect(errorCodes(res)).toEqual([code]);
      expect(await sqlNumber(t, `select count(*) n from product_variant where sku like ?`, [`${base}%`])).toBe(0);
    }
  });
});

describe('products', () => {
  it('pages through a search with stable cursors', async () => {
    const admin = await anAdmin(t);
    const word = unique('PAGE');
    for (let i = 0; i < 5; i++) {
      await t.data(
        ProductCreateDocument,
        { input: { title: `${word} ${i}`, variants: [{ sku: `${word}-${i}`, title: 'x', priceAmount: 100 + i }] } },
        { token: admin.token },
      );
    }
    const first = await t.data(ProductsDocument, { first: 2, query: word.toLowerCase() });
    expect(first.products.edges.map((e) => e.node.title)).toEqual([`${word} 0`, `${word} 1`]);
    expect(first.products.pageInfo.hasNextPage).toBe(true);
    const second = await t.data(ProductsDocument, { first: 2, query: word, after: first.products.pageInfo.endCursor });
    expect(second.products.edges.map((e) => e.node.title)).toEqual([`${word} 2`, `${word} 3`]);
    const last = await t.data(ProductsDocument, { first: 2, query: word, after: second.products.pageInfo.endCursor });
    expect(last.products.edges.map((e) => e.node.title)).toEqual([`${word} 4`]);
    expect(last.products.pageInfo.hasNextPage).toBe(false);
    // A search also finds products by SKU.
    const bySku = await t.data(ProductsDocument, { query: `${word}-3` });
    expect(bySku.products.edges.map((e) => e.node.title)).toEqual([`${word} 3`]);
  });

  it.each([0, -1, 101, 1_000_000_000])('refuses first: %d before touching the database', async (first) => {
    const before = t.stats.statements;
    const res = await t.gql(ProductsDocument, { first });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(t.stats.statements).toBe(before);
  });

  it('refuses a cursor it did not issue', async () => {
    const res = await t.gql(ProductsDocument, { first: 2, after: 'not-a-cursor' });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('answers a page with variants, prices, product and stock in a constant number of statements', async () => {
    const word = unique('BATCH');
    const store = await aStore(t);
    const admin = await anAdmin(t);
    for (let i = 0; i < 12; i++) {
      await t.data(
        ProductCreateDocument,
        { input: { title: `${word} ${i}`, variants: [0, 1, 2].map((v) => ({ sku: `${word}-${i}-${v}`, title: `v${v}`, priceAmount: 100 })) } },
        { token: admin.token },
      );
    }
    const [variant] = await aProduct(t);
    await stock(t, store, variant, 3);
    const small = await t.statementsOf(ProductsDocument, { first: 2, query: word });
    const large = await t.statementsOf(ProductsDocument, { first: 12, query: word });
    expect(small.data.products.edges).toHaveLength(2);
    expect(large.data.products.edges).toHaveLength(12);
    expect(large.data.products.edges.flatMap((e) => e.node.variants)).toHaveLength(36);
    expect(large.statements.length).toBe(small.statements.length);
    // sku search, page, variants, stock levels; products of variants come from the identity map.
    expect(large.statements.length).toBeLessThanOrEqual(5);
  });
});
