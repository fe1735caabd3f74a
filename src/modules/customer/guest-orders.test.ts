import { StaffRole } from '../../core/auth/actor';
import { aCustomer, aGuestContact, aPickupCart, aProduct, aStaff, aStore, PASSWORD, sqlNumber, stock } from '../../../test/support/fixtures';
import {
  CartCreateDocument,
  CartSetContactDocument,
  CartSetFulfillmentDocument,
  CheckoutCompleteDocument,
  CustomerSignUpDocument,
  MyOrdersDocument,
  OrderByPickupCodeDocument,
  OrderCompletePickupDocument,
  OrderDocument,
  OrderLookupDocument,
  OrderMarkReadyDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../test/support/harness';
import { invariantViolations } from '../../../test/support/invariants';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterEach(async () => expect(await invariantViolations(t)).toEqual([]));
afterAll(() => t.close());

const guestEmail = () => `${unique('guest')}@guest.test`.toLowerCase();

/** A guest's pickup order of one unit, placed over HTTP with a contact email; the checkout's answer. */
async function aGuestPickupOrder(email: string) {
  const [v] = await aProduct(t, [30_00]);
  const store = await aStore(t);
  await stock(t, store, v, 5);
  const cartId = await aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }]);
  await aGuestContact(t, cartId, email);
  const { checkoutComplete } = await t.data(
    CheckoutCompleteDocument,
    { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' },
    { channel: 'WEB' },
  );
  expect(checkoutComplete.userErrors).toEqual([]);
  return { store, v, cartId, order: checkoutComplete.order! };
}

describe('a guest who picks up in store', () => {
  it('sees the pickup code in the checkout answer, collects with it at the till, finds the order by number and email, and sees it in me.orders after signing up', async () => {
    const email = guestEmail();
    const { store, order } = await aGuestPickupOrder(email);
    const code = order.fulfillment.pickupCode!;
    expect(code).toMatch(/^[A-Z2-9]{6}$/);
    expect(order.customer).toBeNull();

    // Later, on the order status page: number and email give the order with its code.
    const { orderLookup } = await t.data(OrderLookupDocument, { number: order.number, email: ` ${email.toUpperCase()} ` });
    expect(orderLookup).toMatchObject({ id: order.id, number: order.number, status: 'PLACED', fulfillment: { pickupCode: code } });

    // At the till the associate verifies the code the guest shows, and hands over.
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const { orderByPickupCode } = await t.data(OrderByPickupCodeDocument, { locationId: store.id, code: code.toLowerCase() }, { token: associate.token });
    expect(orderByPickupCode!.id).toBe(order.id);
    // Staff verify the code; they never read it.
    expect(orderByPickupCode!.fulfillment.pickupCode).toBeNull();
    await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: associate.token });
    const { orderCompletePickup } = await t.data(
      OrderCompletePickupDocument,
      { orderId: order.id, pickupCode: code, idempotencyKey: unique('handover') },
      { token: associate.token },
    );
    expect(orderCompletePickup.userErrors).toEqual([]);
    expect(orderCompletePickup.order!.status).toBe('COMPLETED');

    // The guest signs up with the same email: the order is theirs, on every channel.
    const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: { email, password: PASSWORD } }, { channel: 'APP' });
    expect(customerSignUp.userErrors).toEqual([]);
    const { me } = await t.data(MyOrdersDocument, { first: 10 }, { token: customerSignUp.token!, channel: 'APP' });
    expect(me!.orders.edges.map((e) => e.node.id)).toEqual([order.id]);
    const { order: owned } = await t.data(OrderDocument, { id: order.id }, { token: customerSignUp.token! });
    expect(owned).toMatchObject({ customer: { id: customerSignUp.customer!.id, email }, fulfillment: { pickupCode: code } });
    expect(await sqlNumber(t, 'select count(*) n from order_line where order_id = ? and customer_id = ?', [order.id, customerSignUp.customer!.id])).toBe(1);
    // Attached once: it is no longer a guest order, so the status page no longer answers for it.
    expect((await t.data(OrderLookupDocument, { number: order.number, email })).orderLookup).toBeNull();
  });

  it('shows the code to nobody else later: order(id) refuses a guest, staff of the store read null, another customer is refused', async () => {
    const { order, store } = await aGuestPickupOrder(guestEmail());
    expect(errorCodes(await t.gql(OrderDocument, { id: order.id }))).toEqual(['UNAUTHENTICATED']);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const { order: seen } = await t.data(OrderDocument, { id: order.id }, { token: associate.token });
    expect(seen!.fulfillment.pickupCode).toBeNull();
    const stranger = await aCustomer(t);
    expect(errorCodes(await t.gql(OrderDocument, { id: order.id }, { token: stranger.token }))).toEqual(['FORBIDDEN']);
  });

  it('cannot check out a guest pickup cart without an email (CONTACT_REQUIRED), changing nothing', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    await stock(t, store, v, 5);
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } });
    const cartId = cartCreate.cart!.id;
    await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: store.id } });
    // A phone alone is not enough: the confirmation is an e-mail.
    await t.data(CartSetContactDocument, { cartId, input: { phone: '+34 600 123 456' } });
    const { checkoutComplete } = await t.data(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' });
    expect(checkoutComplete).toEqual({ order: null, userErrors: [{ code: 'CONTACT_REQUIRED', message: expect.any(String), field: ['cartId'] }] });
    expect(await sqlNumber(t, `select count(*) n from cart where id = ? and status = 'ACTIVE'`, [cartId])).toBe(1);
    expect(await sqlNumber(t, 'select reserved n from stock_level where location_id = ? and variant_id = ?', [store.id, v.id])).toBe(0);
  });
});

describe('cartSetContact', () => {
  it('keeps a normalised email and an E.164 phone; an empty value clears it', async () => {
    const { cartCreate } = await t.data(CartCreateDocument, {});
    const cartId = cartCreate.cart!.id;
    const set = await t.data(CartSetContactDocument, { cartId, input: { email: ' Ada@Shop.TEST ', phone: '0034 (600) 12-34-56' } });
    expect(set.cartSetContact.cart!.contact).toEqual({ email: 'ada@shop.test', phone: '+34600123456' });
    const cleared = await t.data(CartSetContactDocument, { cartId, input: { phone: '' } });
    expect(cleared.cartSetContact.cart!.contact).toEqual({ email: 'ada@shop.test', phone: null });
  });

  it.each([
    ['a malformed email', { email: 'not-an-email' }, ['input', 'email']],
    ['an email of 255 characters', { email: `${'a'.repeat(64)}@${'d'.repeat(186)}.test` }, ['input', 'email']],
    ['a phone without its country code', { phone: '600 123 456' }, ['input', 'phone']],
    ['a phone with letters', { phone: '+34 600 CALL ME' }, ['input', 'phone']],
  ])('refuses %s with INVALID_INPUT, changing nothing', async (_case, input, field) => {
    const { cartCreate } = await t.data(CartCreateDocument, {});
    const cartId = cartCreate.cart!.id;
    const { cartSetContact } = await t.data(CartSetContactDocument, { cartId, input, expectedVersion: cartCreate.cart!.version });
    expect(cartSetContact).toEqual({ cart: null, userErrors: [{ code: 'INVALID_INPUT', message: expect.any(String), field }] });
    expect(await sqlNumber(t, 'select version n from cart where id = ?', [cartId])).toBe(cartCreate.cart!.version);
  });
});

describe('orderLookup', () => {
  it('answers the same null for a wrong email, a wrong number and a malformed email', async () => {
    const email = guestEmail();
    const { order } = await aGuestPickupOrder(email);
    for (const [number, address] of [
      [order.number, guestEmail()],
      [`${order.number}9`, email],
      [order.number, 'nonsense'],
    ]) {
      const res = await t.gql(OrderLookupDocument, { number, email: address });
      expect(res).toEqual({ status: 200, data: { orderLookup: null } });
    }
  });

  it('is throttled per order number with the sign-in counters, before any SQL, even for the right email', async () => {
    const limited = await TestApp.start({ SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT: '3', SIGNIN_MAX_ATTEMPTS_PER_ADDRESS: '1000' });
    try {
      const email = guestEmail();
      const { order } = await aGuestPickupOrder(email);
      for (let i = 0; i < 3; i++) expect((await limited.data(OrderLookupDocument, { number: order.number, email: guestEmail() })).orderLookup).toBeNull();
      const { result: refused, statements } = await limited.statementsDuring(() => limited.gql(OrderLookupDocument, { number: order.number, email }));
      expect(errorCodes(refused)).toEqual(['TOO_MANY_ATTEMPTS']);
      expect(refused.errors![0].message).toMatch(/try again/i);
      expect(statements).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it('is throttled per client address across order numbers', async () => {
    const limited = await TestApp.start({ SIGNIN_MAX_ATTEMPTS_PER_ADDRESS: '4' });
    try {
      for (let i = 0; i < 4; i++) await limited.data(OrderLookupDocument, { number: `W-${900000 + i}`, email: guestEmail() });
      expect(errorCodes(await limited.gql(OrderLookupDocument, { number: 'W-999999', email: guestEmail() }))).toEqual(['TOO_MANY_ATTEMPTS']);
    } finally {
      await limited.close();
    }
  });

  it("does not find a customer's order by its number and the customer's email", async () => {
    const email = guestEmail();
    const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: { email, password: PASSWORD } });
    const [v] = await aProduct(t);
    const store = await aStore(t);
    await stock(t, store, v, 5);
    const token = customerSignUp.token!;
    const cartId = await aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }], token);
    const { checkoutComplete } = await t.data(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' }, { token });
    expect((await t.data(OrderLookupDocument, { number: checkoutComplete.order!.number, email })).orderLookup).toBeNull();
  });
});
