import { StaffRole } from '../../../core/auth/actor';
import { aCustomer, aProduct, aStaff, aStore, givePoints, PASSWORD, sqlNumber, stock, stockLevel } from '../../../../test/support/fixtures';
import {
  CartApplyLoyaltyPointsDocument,
  CartCreateDocument,
  CartLinesAddDocument,
  CartSetFulfillmentDocument,
  CheckoutCompleteDocument,
  CustomerCartAtCounterDocument,
  MyOrdersDocument,
  OrderByPickupCodeDocument,
  OrderCompletePickupDocument,
  OrderDocument,
  OrderMarkReadyDocument,
  PickupQueueDocument,
  PickupQueueOrdersDocument,
  SignUpWithCartDocument,
} from '../../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../../test/support/harness';
import { invariantViolations } from '../../../../test/support/invariants';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterEach(async () => expect(await invariantViolations(t)).toEqual([]));
afterAll(() => t.close());

const levelOf = (locationId: string, variantId: string) => stockLevel(t, locationId, variantId);

describe('buy online, pick up in store', () => {
  it('goes from a guest cart on the web, through the app, to a handover at the counter with an extra item', async () => {
    const [jacket, socks] = await aProduct(t, [89_00, 12_00]);
    const store = await aStore(t);
    await stock(t, store, jacket, 3);
    await stock(t, store, socks, 10);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);

    // WEB, as a guest.
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: jacket.sku, quantity: 1 }] } }, { channel: 'WEB' });
    const cartId = cartCreate.cart!.id;
    // APP: sign up with the cart, choose pickup, use some points, pay by card.
    const email = `${unique('bopis')}@example.test`.toLowerCase();
    const { customerSignUp } = await t.data(SignUpWithCartDocument, { input: { email, password: PASSWORD }, cartId }, { channel: 'APP' });
    const token = customerSignUp.token!;
    await givePoints(t, customerSignUp.customer!.id, 500);
    await t.data(CartLinesAddDocument, { cartId, lines: [{ sku: jacket.sku, quantity: 1 }] }, { token, channel: 'APP' });
    await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: store.id } }, { token, channel: 'APP' });
    await t.data(CartApplyLoyaltyPointsDocument, { cartId, points: 300 }, { token, channel: 'APP' });
    const { checkoutComplete } = await t.data(
      CheckoutCompleteDocument,
      { cartId, idempotencyKey: unique('key'), paymentMethod: 'CARD', paymentToken: 'tok_visa' },
      { token, channel: 'APP' },
    );
    expect(checkoutComplete.userErrors).toEqual([]);
    const order = checkoutComplete.order!;
    expect(order).toMatchObject({
      status: 'PLACED',
      channel: 'APP',
      subtotal: { amount: 178_00 },
      loyaltyDiscount: { amount: 3_00 },
      total: { amount: 175_00 },
      payment: { method: 'CARD', status: 'AUTHORIZED', amount: { amount: 175_00 } },
      loyaltyPointsEarned: 0,
    });
    expect(order.number).toMatch(/^A-\d{6,}$/);
    expect(order.fulfillment.pickupCode).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(await levelOf(store.id, jacket.id)).toEqual({ on_hand: 3, reserved: 2 });

    // POS: the order is in the store's queue; staff never see the code.
    const { pickupQueue } = await t.data(PickupQueueDocument, { locationId: store.id }, { token: associate.token });
    expect(pickupQueue.map((o) => o.id)).toContain(order.id);
    const asStaff = await t.data(OrderDocument, { id: order.id }, { token: associate.token });
    expect(asStaff.order!.fulfillment.pickupCode).toBeNull();
    // The queue reads its orders as plain rows: every field answers as it does for the order itself.
    const queued = await t.data(PickupQueueOrdersDocument, { locationId: store.id }, { token: associate.token });
    expect(queued.pickupQueue.find((o) => o.id === order.id)).toEqual(asStaff.order);
    const code = order.fulfillment.pickupCode!;
    expect(
      (await t.data(OrderByPickupCodeDocument, { locationId: store.id, code: code.toLowerCase() }, { token: associate.token })).orderByPickupCode!.id,
    ).toBe(order.id);

    const ready = await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: associate.token });
    expect(ready.orderMarkReady.order).toMatchObject({ status: 'READY_FOR_PICKUP', fulfillment: { readyAt: expect.any(String) } });

    const wrong = await t.data(
      OrderCompletePickupDocument,
      { orderId: order.id, pickupCode: code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA', idempotencyKey: unique('k') },
      { token: associate.token },
    );
    expect(wrong.orderCompletePickup.userErrors).toEqual([{ code: 'INVALID_PICKUP_CODE', message: expect.any(String), field: ['pickupCode'] }]);

    const key = unique('handover');
    const handover = () =>
      t.data(
        OrderCompletePickupDocument,
        { orderId: order.id, pickupCode: code, idempotencyKey: key, addLines: [{ sku: socks.sku, quantity: 2 }] },
        { token: associate.token },
      );
    const [first, retry] = [await handover(), await handover()];
    expect(first.orderCompletePickup.userErrors).toEqual([]);
    const done = first.orderCompletePickup.order!;
    expect(retry.orderCompletePickup.order!.lines).toHaveLength(2);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      subtotal: { amount: 202_00 },
      total: { amount: 199_00 },
      payment: { status: 'CAPTURED', amount: { amount: 199_00 } },
      loyaltyPointsEarned: 199,
    });
    expect(done.lines.map((l) => [l.sku, l.quantity, l.channel])).toEqual([
      [jacket.sku, 2, 'WEB'],
      [socks.sku, 2, 'POS'],
    ]);
    expect(done.events.map((e) => [e.kind, e.channel])).toEqual([
      ['PLACED', 'APP'],
      ['READY', 'POS'],
      ['PICKED_UP', 'POS'],
    ]);
    expect(await levelOf(store.id, jacket.id)).toEqual({ on_hand: 1, reserved: 0 });
    expect(await levelOf(store.id, socks.id)).toEqual({ on_hand: 8, reserved: 0 });

    // WEB: the same history and balance.
    const { me } = await t.data(MyOrdersDocument, { first: 5 }, { token, channel: 'WEB' });
    expect(me!.orders.edges[0].node).toMatchObject({ id: order.id, status: 'COMPLETED' });
    expect(me!.loyalty).toMatchObject({ balance: 500 - 300 + 199, lifetimePoints: 199 });
    expect(me!.loyalty.transactions.edges.map((e) => [e.node.kind, e.node.points])).toEqual([
      ['EARN', 199],
      ['REDEEM', -300],
      ['ADJUSTMENT', 500],
    ]);
    expect((await t.data(CustomerCartAtCounterDocument, { email }, { token: associate.token })).customerByEmail!.activeCart).toBeNull();
  });

  it('keeps staff of another store out of the queue and the handover', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    const other = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    await stock(t, store, v, 2);
    const customer = await aCustomer(t);
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } }, { token: customer.token });
    await t.data(CartSetFulfillmentDocument, { cartId: cartCreate.cart!.id, input: { method: 'PICKUP', locationId: store.id } }, { token: customer.token });
    const { checkoutComplete } = await t.data(
      CheckoutCompleteDocument,
      { cartId: cartCreate.cart!.id, idempotencyKey: unique('k'), paymentMethod: 'PAY_IN_STORE' },
      { token: customer.token },
    );
    const orderId = checkoutComplete.order!.id;
    expect(checkoutComplete.order!.payment.status).toBe('PENDING');
    expect(errorCodes(await t.gql(PickupQueueDocument, { locationId: store.id }, { token: other.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.gql(OrderMarkReadyDocument, { orderId }, { token: other.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.gql(OrderDocument, { id: orderId }, { token: other.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.gql(OrderMarkReadyDocument, { orderId }, { token: customer.token }))).toEqual(['FORBIDDEN']);
    expect(await sqlNumber(t, `select count(*) n from order_event where order_id = ?`, [orderId])).toBe(1);
  });
});
