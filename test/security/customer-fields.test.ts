import { aWarehouse, stock } from '../support/fixtures';
import { CartCreateDocument, CartSetFulfillmentDocument, CheckoutCompleteDocument } from '../support/generated/graphql';
import { TestApp, errorCodes, unique } from '../support/harness';
import { aWorld, type CallerName, type World } from './world';

/**
 * The new fields of a customer, reached through the till's lookup and through `me`: staff of any
 * store serve the customer (profile, preferences, address book, orders from every channel), but
 * an order's shipping address is for the staff of the order's location only (null for the
 * others), and the payment of an open order at another location is refused. ADMIN sees all.
 */
let t: TestApp;
let w: World;
let shippedId: string;
beforeAll(async () => {
  t = await TestApp.start();
  w = await aWorld(t);
  // Customer A also has an order shipped from a warehouse (no store's staff work there).
  const warehouse = await aWarehouse(t);
  const [variant] = await t.app.orm.em.fork().getConnection().execute<{ id: string }[]>('select id from product_variant where sku = ?', [w.sku]);
  await stock(t, warehouse, { id: variant.id, sku: w.sku } as never, 10);
  const options = { token: w.sides.A.ownerToken };
  const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: w.sku, quantity: 1 }] } }, options);
  const cartId = cartCreate.cart!.id;
  await t.data(
    CartSetFulfillmentDocument,
    { cartId, input: { method: 'SHIP', shippingAddress: { line1: '7 Private Lane', city: 'Springfield', postalCode: '12345', countryCode: 'US' } } },
    options,
  );
  const { checkoutComplete } = await t.data(
    CheckoutCompleteDocument,
    { cartId, idempotencyKey: unique('key'), paymentMethod: 'CARD', paymentToken: 'tok_visa' },
    options,
  );
  shippedId = checkoutComplete.order!.id;
});
afterAll(() => t.close());

const PROFILE =
  'id phone loyaltyNumber language preferredLocation { id } preferences { key value } addresses { id } consents { purpose } recommendations(first: 3) { id }';
const ORDERS = 'orders(first: 10) { edges { node { id fulfillment { location { id } shippingAddress { line1 } } } } }';

async function lookup(caller: CallerName, selection: string) {
  const query = `query($q: String!) { customerLookup(query: $q) { ${selection} } }`;
  const res = await t.post({ query, variables: { q: w.sides.A.ownerEmail } }, { token: w.tokens[caller] });
  return (await res.json()) as { data?: { customerLookup: Record<string, unknown>[] } | null; errors?: { extensions?: { code?: string } }[] };
}

const addressesSeen = (body: Awaited<ReturnType<typeof lookup>>) =>
  Object.fromEntries(
    (body.data!.customerLookup[0].orders as { edges: { node: { id: string; fulfillment: { shippingAddress: { line1: string } | null } } }[] }).edges.map(
      (e) => [e.node.id === shippedId ? 'shipped' : 'pickup', e.node.fulfillment.shippingAddress?.line1 ?? null],
    ),
  );

describe('customerLookup { ... } as each caller', () => {
  it('gives every staff member the profile fields; guests and customers nothing', async () => {
    for (const caller of ['associateA', 'associateB', 'managerA', 'admin'] as const) {
      const body = await lookup(caller, PROFILE);
      expect([caller, body.errors]).toEqual([caller, undefined]);
      expect(body.data!.customerLookup[0].id).toBe(w.sides.A.ownerId);
    }
    expect(errorCodes({ status: 200, ...(await lookup('guest', PROFILE)) } as never)).toEqual(['UNAUTHENTICATED']);
    for (const caller of ['customerA', 'customerB'] as const)
      expect(errorCodes({ status: 200, ...(await lookup(caller, PROFILE)) } as never)).toEqual(['FORBIDDEN']);
  });

  it('customerLookup { orders { shippingAddress } }: null for staff of other locations, shown to ADMIN and, through me, to the owner', async () => {
    expect(addressesSeen(await lookup('associateB', ORDERS))).toEqual({ shipped: null, pickup: null });
    expect(addressesSeen(await lookup('associateA', ORDERS))).toEqual({ shipped: null, pickup: null });
    expect(addressesSeen(await lookup('admin', ORDERS))).toEqual({ shipped: '7 Private Lane', pickup: null });
    const res = await t.post({ query: `{ me { ${ORDERS} } }` }, { token: w.sides.A.ownerToken });
    const body = (await res.json()) as { data: { me: Record<string, unknown> } };
    expect(addressesSeen({ data: { customerLookup: [body.data.me] } })).toEqual({ shipped: '7 Private Lane', pickup: null });
  });

  it("customerLookup { orders { payment } }: an open order's payment for its store's staff only", async () => {
    const payment = 'orders(first: 10) { edges { node { id payment { status } } } }';
    // Store A's open pickup order and the warehouse's open shipment: associate B is at neither.
    const refused = await lookup('associateB', payment);
    expect(new Set(errorCodes({ status: 200, ...refused } as never))).toEqual(new Set(['FORBIDDEN']));
    expect(refused.data ?? null).toBeNull();
    expect((await lookup('admin', payment)).errors).toBeUndefined();
  });
});
