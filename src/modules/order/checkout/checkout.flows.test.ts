import { StaffRole } from '../../../core/auth/actor';
import { dispatchingApp } from '../../../../test/support/dispatching';
import {
  aCustomer,
  aProduct,
  aStaff,
  aStore,
  aWarehouse,
  givePoints,
  inTransaction,
  sqlNumber,
  stock,
  systemContext,
  type SignedIn,
  stockLevel,
  pointsBalance,
} from '../../../../test/support/fixtures';
import {
  CartApplyLoyaltyPointsDocument,
  CartCreateDocument,
  CartSetFulfillmentDocument,
  CheckoutCompleteDocument,
  MyOrdersDocument,
  OrderCancelDocument,
  OrderCompletePickupDocument,
  OrderMarkDeliveredDocument,
  OrderMarkReadyDocument,
  OrderMarkShippedDocument,
  OrderReturnLinesDocument,
  type CartLineInput,
  type OrderFieldsFragment,
} from '../../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../../test/support/harness';
import { invariantViolations } from '../../../../test/support/invariants';
import type { Customer } from '../../customer';
import type { Location } from '../../location';
import { LoyaltyTransactionKind, loyaltyService } from '../../loyalty';
import { eventually } from '../../../../test/support/receivers';
import { fulfilmentService } from '../fulfilment/fulfilment.service';
import { TestCardProvider, usePaymentProvider } from '../payment/payment.provider';

let t: TestApp;
beforeAll(async () => {
  // Captures and refunds are made after commit by the outbox dispatcher.
  t = await dispatchingApp({ OUTBOX_DISPATCHER_ENABLED: 'true', OUTBOX_RETRY_BASE_MS: '50', OUTBOX_POLL_MS: '250' });
});
afterEach(async () => {
  usePaymentProvider(new TestCardProvider());
  expect(await invariantViolations(t)).toEqual([]);
});
afterAll(() => t.close());

const levelOf = (locationId: string, variantId: string) => stockLevel(t, locationId, variantId);
const balanceOf = (customerId: string) => pointsBalance(t, customerId);
const reversals = (orderId: string) =>
  sqlNumber(t, `select coalesce(sum(points), 0) n from loyalty_transaction where order_id = ? and kind = 'REVERSAL'`, [orderId]);
const paymentOf = async (orderId: string) =>
  (
    await t.app.orm.em
      .fork()
      .getConnection()
      .execute<{ status: string; captured_amount: number; refunded_amount: number }[]>(
        'select status, captured_amount, refunded_amount from payment where order_id = ?',
        [orderId],
      )
  )[0];

/** A customer's pickup order at `store`, placed over the APP, with `points` redeemed. */
async function pickupOrder(customer: SignedIn<Customer>, store: Location, lines: CartLineInput[], points = 0): Promise<OrderFieldsFragment> {
  const token = customer.token;
  const { cartCreate } = await t.data(CartCreateDocument, { input: { lines } }, { token, channel: 'APP' });
  const cartId = cartCreate.cart!.id;
  await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: store.id } }, { token });
  if (points) expect((await t.data(CartApplyLoyaltyPointsDocument, { cartId, points }, { token })).cartApplyLoyaltyPoints.userErrors).toEqual([]);
  const { checkoutComplete } = await t.data(
    CheckoutCompleteDocument,
    { cartId, idempotencyKey: unique('k'), paymentMethod: 'CARD', paymentToken: 'tok_visa' },
    { token, channel: 'APP' },
  );
  expect(checkoutComplete.userErrors).toEqual([]);
  return checkoutComplete.order!;
}

async function readyOrder(order: OrderFieldsFragment, staffToken: string): Promise<void> {
  expect((await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: staffToken })).orderMarkReady.userErrors).toEqual([]);
}

async function completedPickup(customer: SignedIn<Customer>, store: Location, staffToken: string, lines: CartLineInput[]): Promise<OrderFieldsFragment> {
  const order = await pickupOrder(customer, store, lines);
  await readyOrder(order, staffToken);
  const pickupCode = order.fulfillment.pickupCode!;
  const { orderCompletePickup } = await t.data(
    OrderCompletePickupDocument,
    { orderId: order.id, pickupCode, idempotencyKey: unique('handover') },
    { token: staffToken },
  );
  expect(orderCompletePickup.userErrors).toEqual([]);
  return orderCompletePickup.order!;
}

const userError = (code: string, field: string[]) => [{ code, message: expect.any(String), field }];

describe('ship from a warehouse', () => {
  it('reserves at the warehouse, ships, captures, delivers and earns points; delivering twice is INVALID_STATE', async () => {
    const [v] = await aProduct(t, [25_00]);
    const warehouse = await aWarehouse(t);
    await stock(t, warehouse, v, 5);
    const picker = await aStaff(t, StaffRole.ASSOCIATE, warehouse);
    const customer = await aCustomer(t);
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 2 }] } }, { token: customer.token });
    const cartId = cartCreate.cart!.id;
    const shippingAddress = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'us' };
    expect(
      (await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'SHIP', shippingAddress } }, { token: customer.token })).cartSetFulfillment
        .userErrors,
    ).toEqual([]);

    const { checkoutComplete } = await t.data(
      CheckoutCompleteDocument,
      { cartId, idempotencyKey: unique('ship'), paymentMethod: 'CARD', paymentToken: 'tok_visa' },
      { token: customer.token },
    );
    expect(checkoutComplete.userErrors).toEqual([]);
    const order = checkoutComplete.order!;
    expect(order).toMatchObject({
      status: 'PLACED',
      fulfillment: { method: 'SHIP', location: { id: warehouse.id }, shippingAddress: { line1: '1 Main St', countryCode: 'US' }, pickupCode: null },
      payment: { method: 'CARD', status: 'AUTHORIZED', amount: { amount: 50_00 } },
    });
    expect(await levelOf(warehouse.id, v.id)).toEqual({ on_hand: 5, reserved: 2 });

    const shipped = (await t.data(OrderMarkShippedDocument, { orderId: order.id }, { token: picker.token })).orderMarkShipped;
    expect(shipped.userErrors).toEqual([]);
    expect(shipped.order).toMatchObject({ status: 'SHIPPED', payment: { status: 'CAPTURED' } });
    expect(await levelOf(warehouse.id, v.id)).toEqual({ on_hand: 3, reserved: 0 });

    const delivered = (await t.data(OrderMarkDeliveredDocument, { orderId: order.id }, { token: picker.token })).orderMarkDelivered;
    expect(delivered.order).toMatchObject({ status: 'COMPLETED', loyaltyPointsEarned: 50, fulfillment: { completedAt: expect.any(String) } });
    expect(delivered.order!.events.map((e) => e.kind)).toEqual(['PLACED', 'SHIPPED', 'DELIVERED']);
    expect(await balanceOf(customer.account.id)).toBe(50);

    const again = (await t.data(OrderMarkDeliveredDocument, { orderId: order.id }, { token: picker.token })).orderMarkDelivered;
    expect(again).toEqual({ order: null, userErrors: userError('INVALID_STATE', ['orderId']) });
    expect(await balanceOf(customer.account.id)).toBe(50);
  });
});

describe('sale at the counter', () => {
  it('completes at once for a customer found at the POS, sells from the shelf, and the points show on the web', async () => {
    const [v] = await aProduct(t, [15_00]);
    const store = await aStore(t);
    await stock(t, store, v, 10);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const customer = await aCustomer(t);

    const { cartCreate } = await t.data(
      CartCreateDocument,
      { input: { customerId: customer.account.id, lines: [{ sku: v.sku, quantity: 3 }] } },
      { token: associate.token },
    );
    expect(cartCreate.cart).toMatchObject({ channel: 'POS', customer: { id: customer.account.id } });
    const cartId = cartCreate.cart!.id;
    const { cartSetFulfillment } = await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'IN_STORE' } }, { token: associate.token });
    expect(cartSetFulfillment.cart!.fulfillment).toMatchObject({ method: 'IN_STORE', location: { id: store.id } });

    const { checkoutComplete } = await t.data(
      CheckoutCompleteDocument,
      { cartId, idempotencyKey: unique('counter'), paymentMethod: 'PAY_IN_STORE' },
      { token: associate.token },
    );
    expect(checkoutComplete.userErrors).toEqual([]);
    const order = checkoutComplete.order!;
    expect(order).toMatchObject({
      status: 'COMPLETED',
      channel: 'POS',
      fulfillment: { method: 'IN_STORE', location: { id: store.id }, pickupCode: null, completedAt: expect.any(String) },
      payment: { method: 'PAY_IN_STORE', status: 'CAPTURED', amount: { amount: 45_00 } },
      total: { amount: 45_00 },
      loyaltyPointsEarned: 45,
    });
    expect(order.number).toMatch(/^P-\d+$/);
    expect(order.events.map((e) => [e.kind, e.channel])).toEqual([['SOLD_AT_COUNTER', 'POS']]);
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 7, reserved: 0 });

    const { me } = await t.data(MyOrdersDocument, { first: 5 }, { token: customer.token, channel: 'WEB' });
    expect(me!.orders.edges.map((e) => e.node)).toEqual([expect.objectContaining({ id: order.id, status: 'COMPLETED', channel: 'POS' })]);
    expect(me!.loyalty).toMatchObject({ balance: 45, lifetimePoints: 45 });
    expect(me!.loyalty.transactions.edges.map((e) => [e.node.kind, e.node.points, e.node.channel, e.node.order?.id])).toEqual([['EARN', 45, 'POS', order.id]]);
  });
});

describe('cancel', () => {
  it('lets the owner cancel a PLACED order: stock back, card voided, points back', async () => {
    const [v] = await aProduct(t, [20_00]);
    const store = await aStore(t);
    await stock(t, store, v, 5);
    const customer = await aCustomer(t);
    await givePoints(t, customer.account.id, 500);
    const order = await pickupOrder(customer, store, [{ sku: v.sku, quantity: 2 }], 200);
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 5, reserved: 2 });
    expect(await balanceOf(customer.account.id)).toBe(300);

    const { orderCancel } = await t.data(OrderCancelDocument, { orderId: order.id, reason: 'Changed my mind' }, { token: customer.token });

    expect(orderCancel.userErrors).toEqual([]);
    expect(orderCancel.order).toMatchObject({ status: 'CANCELLED', payment: { status: 'VOIDED' } });
    expect(orderCancel.order!.events.at(-1)).toMatchObject({ kind: 'CANCELLED', message: 'Changed my mind' });
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 5, reserved: 0 });
    expect(await balanceOf(customer.account.id)).toBe(500);
    expect(await reversals(order.id)).toBe(200);
  });

  it('keeps a READY order from its owner and from other customers, lets store staff cancel it once', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    await stock(t, store, v, 5);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const [customer, stranger] = [await aCustomer(t), await aCustomer(t)];
    const order = await pickupOrder(customer, store, [{ sku: v.sku, quantity: 1 }]);
    await readyOrder(order, associate.token);

    const byOwner = await t.data(OrderCancelDocument, { orderId: order.id }, { token: customer.token });
    expect(byOwner.orderCancel).toEqual({ order: null, userErrors: userError('INVALID_STATE', ['orderId']) });
    expect(errorCodes(await t.gql(OrderCancelDocument, { orderId: order.id }, { token: stranger.token }))).toEqual(['FORBIDDEN']);
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 5, reserved: 1 });

    const byStaff = await t.data(OrderCancelDocument, { orderId: order.id, reason: 'Customer called' }, { token: associate.token });
    expect(byStaff.orderCancel.order).toMatchObject({ status: 'CANCELLED', payment: { status: 'VOIDED' } });
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 5, reserved: 0 });

    const twice = await t.data(OrderCancelDocument, { orderId: order.id }, { token: associate.token });
    expect(twice.orderCancel).toEqual({ order: null, userErrors: userError('INVALID_STATE', ['orderId']) });
    expect(await sqlNumber(t, `select count(*) n from order_event where order_id = ? and kind = 'CANCELLED'`, [order.id])).toBe(1);
  });
});

describe('expiry of uncollected pickups', () => {
  it('expires an overdue READY order exactly once when three instances run the job together', async () => {
    const [v] = await aProduct(t, [20_00]);
    const store = await aStore(t);
    await stock(t, store, v, 3);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const customer = await aCustomer(t);
    await givePoints(t, customer.account.id, 300);
    const order = await pickupOrder(customer, store, [{ sku: v.sku, quantity: 2 }], 100);
    await readyOrder(order, associate.token);
    // Overdue long ago, and the job told it is just after: no other test's order is in its reach.
    const expiresAt = new Date(Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 86_400_000));
    await t.app.orm.em.fork().getConnection().execute('update orders set expires_at = ? where id = ?', [expiresAt, order.id]);
    const now = new Date(expiresAt.getTime() + 1000);

    const counts = await Promise.all([1, 2, 3].map(() => fulfilmentService.expireOverdue(systemContext(t), now)));

    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await sqlNumber(t, `select count(*) n from order_event where order_id = ? and kind = 'EXPIRED'`, [order.id])).toBe(1);
    expect(await sqlNumber(t, `select count(*) n from orders where id = ? and status = 'EXPIRED'`, [order.id])).toBe(1);
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 3, reserved: 0 });
    expect((await paymentOf(order.id))!.status).toBe('VOIDED');
    expect(await balanceOf(customer.account.id)).toBe(300);
    expect(await reversals(order.id)).toBe(100);
  });
});

describe('returns at any store', () => {
  it('takes back part of a pickup order at another store, then the rest, with money, points and stock in proportion', async () => {
    const [shirt, belt] = await aProduct(t, [30_00, 40_00]);
    const [storeA, storeB] = [await aStore(t), await aStore(t)];
    await stock(t, storeA, shirt, 5);
    await stock(t, storeA, belt, 5);
    const [staffA, staffB] = [await aStaff(t, StaffRole.ASSOCIATE, storeA), await aStaff(t, StaffRole.ASSOCIATE, storeB)];
    const customer = await aCustomer(t);
    const order = await completedPickup(customer, storeA, staffA.token, [
      { sku: shirt.sku, quantity: 2 },
      { sku: belt.sku, quantity: 1 },
    ]);
    expect(order).toMatchObject({ status: 'COMPLETED', total: { amount: 100_00 }, loyaltyPointsEarned: 100 });
    const [shirtLine, beltLine] = order.lines;
    expect(await levelOf(storeA.id, shirt.id)).toEqual({ on_hand: 3, reserved: 0 });

    const partKey = unique('return');
    const returnPart = () =>
      t.data(
        OrderReturnLinesDocument,
        { orderId: order.id, lines: [{ lineId: shirtLine.id, quantity: 1 }], restock: true, idempotencyKey: partKey },
        { token: staffB.token },
      );
    const part = (await returnPart()).orderReturnLines;
    expect(part.userErrors).toEqual([]);
    expect(part.order!.lines.map((l) => l.returnedQuantity)).toEqual([1, 0]);
    expect(part.order!.payment.status).toBe('PARTIALLY_REFUNDED');
    expect(part.order!.events.at(-1)).toMatchObject({ kind: 'RETURNED', channel: 'POS', message: '1 unit(s) returned, 3000 refunded, restocked.' });
    expect(await levelOf(storeB.id, shirt.id)).toEqual({ on_hand: 1, reserved: 0 });
    expect(await levelOf(storeA.id, shirt.id)).toEqual({ on_hand: 3, reserved: 0 });
    expect(await paymentOf(order.id)).toMatchObject({ captured_amount: 100_00, refunded_amount: 30_00 });
    expect(await reversals(order.id)).toBe(-30);
    expect(await balanceOf(customer.account.id)).toBe(70);

    // The same key again: the same order, nothing doubled.
    const replay = (await returnPart()).orderReturnLines;
    expect(replay.order!.id).toBe(order.id);
    expect(replay.order!.lines.map((l) => l.returnedQuantity)).toEqual([1, 0]);
    expect(await levelOf(storeB.id, shirt.id)).toEqual({ on_hand: 1, reserved: 0 });
    expect(await paymentOf(order.id)).toMatchObject({ refunded_amount: 30_00 });
    expect(await reversals(order.id)).toBe(-30);
    expect(await sqlNumber(t, `select count(*) n from order_event where order_id = ? and kind = 'RETURNED'`, [order.id])).toBe(1);

    const tooMany = await t.data(
      OrderReturnLinesDocument,
      { orderId: order.id, lines: [{ lineId: shirtLine.id, quantity: 2 }], restock: true, idempotencyKey: unique('return') },
      { token: staffB.token },
    );
    expect(tooMany.orderReturnLines).toEqual({ order: null, userErrors: userError('INVALID_QUANTITY', ['lines', '0', 'quantity']) });

    const rest = await t.data(
      OrderReturnLinesDocument,
      {
        orderId: order.id,
        lines: [
          { lineId: shirtLine.id, quantity: 1 },
          { lineId: beltLine.id, quantity: 1 },
        ],
        restock: true,
        idempotencyKey: unique('return'),
      },
      { token: staffB.token },
    );
    expect(rest.orderReturnLines.userErrors).toEqual([]);
    expect(rest.orderReturnLines.order!.lines.map((l) => l.returnedQuantity)).toEqual([2, 1]);
    expect(rest.orderReturnLines.order!.payment.status).toBe('REFUNDED');
    expect(await paymentOf(order.id)).toMatchObject({ refunded_amount: 100_00 });
    expect(await levelOf(storeB.id, shirt.id)).toEqual({ on_hand: 2, reserved: 0 });
    expect(await levelOf(storeB.id, belt.id)).toEqual({ on_hand: 1, reserved: 0 });
    expect(await levelOf(storeA.id, belt.id)).toEqual({ on_hand: 4, reserved: 0 });
    expect(await reversals(order.id)).toBe(-100);
    expect(await balanceOf(customer.account.id)).toBe(0);
  });

  it('refuses an order that is not completed, and a customer', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    await stock(t, store, v, 5);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const customer = await aCustomer(t);
    const placed = await pickupOrder(customer, store, [{ sku: v.sku, quantity: 1 }]);
    const variables = { orderId: placed.id, lines: [{ lineId: placed.lines[0].id, quantity: 1 }], restock: true };

    const early = await t.data(OrderReturnLinesDocument, { ...variables, idempotencyKey: unique('r') }, { token: associate.token });
    expect(early.orderReturnLines).toEqual({ order: null, userErrors: userError('INVALID_STATE', ['orderId']) });
    expect(errorCodes(await t.gql(OrderReturnLinesDocument, { ...variables, idempotencyKey: unique('r') }, { token: customer.token }))).toEqual(['FORBIDDEN']);
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 5, reserved: 1 });
  });

  it('stops the balance at zero when the earned points were already spent, and says so', async () => {
    const [v] = await aProduct(t, [50_00]);
    const store = await aStore(t);
    await stock(t, store, v, 2);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const customer = await aCustomer(t);
    const order = await completedPickup(customer, store, associate.token, [{ sku: v.sku, quantity: 1 }]);
    expect(order.loyaltyPointsEarned).toBe(50);
    const ctx = systemContext(t);
    const spent = await inTransaction(ctx, (tx) =>
      loyaltyService.post(tx, { customerId: customer.account.id, kind: LoyaltyTransactionKind.REDEEM, points: -50 }),
    );
    expect(spent).toBe(true);

    const { orderReturnLines } = await t.data(
      OrderReturnLinesDocument,
      { orderId: order.id, lines: [{ lineId: order.lines[0].id, quantity: 1 }], restock: false, idempotencyKey: unique('r') },
      { token: associate.token },
    );

    expect(orderReturnLines.userErrors).toEqual([]);
    expect(orderReturnLines.order!.payment.status).toBe('REFUNDED');
    expect(orderReturnLines.order!.events.at(-1)!.message).toMatch(/50 points already spent were not taken back/);
    expect(await balanceOf(customer.account.id)).toBe(0);
    expect(await reversals(order.id)).toBe(0);
    expect(await levelOf(store.id, v.id)).toEqual({ on_hand: 1, reserved: 0 });
  });

  it('never refunds to the card more than was captured on it when lines were added and paid at the counter', async () => {
    const card = { captured: 0, refunded: 0 };
    // The dispatcher also makes other test files' payment calls: only this card's are counted.
    const mine = new Set<string>();
    usePaymentProvider({
      authorize: async () => {
        const reference = unique('ref');
        mine.add(reference);
        return { ok: true, reference };
      },
      capture: async (reference, amount) => void (mine.has(reference) && (card.captured += amount)),
      void: async () => {},
      refund: async (reference, amount) => void (mine.has(reference) && (card.refunded += amount)),
    });
    const [jacket, socks] = await aProduct(t, [89_00, 12_00]);
    const store = await aStore(t);
    await stock(t, store, jacket, 2);
    await stock(t, store, socks, 4);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const customer = await aCustomer(t);
    const placed = await pickupOrder(customer, store, [{ sku: jacket.sku, quantity: 1 }]);
    await readyOrder(placed, associate.token);
    const { orderCompletePickup } = await t.data(
      OrderCompletePickupDocument,
      { orderId: placed.id, pickupCode: placed.fulfillment.pickupCode!, idempotencyKey: unique('handover'), addLines: [{ sku: socks.sku, quantity: 2 }] },
      { token: associate.token },
    );
    const order = orderCompletePickup.order!;
    expect(order.total.amount).toBe(113_00);
    await eventually(() => card.captured === 89_00, 10_000, 'the capture');

    const { orderReturnLines } = await t.data(
      OrderReturnLinesDocument,
      { orderId: order.id, lines: order.lines.map((l) => ({ lineId: l.id, quantity: l.quantity })), restock: true, idempotencyKey: unique('r') },
      { token: associate.token },
    );

    expect(orderReturnLines.userErrors).toEqual([]);
    await eventually(() => card.refunded === card.captured, 10_000, 'the refund');
    expect(orderReturnLines.order!.events.at(-1)!.message).toBe('3 unit(s) returned, 8900 to the card and 2400 in store refunded, restocked.');
  });
});
