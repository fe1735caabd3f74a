import { StaffRole } from '../../../core/auth/actor';
import { dispatchingApp } from '../../../../test/support/dispatching';
import { aCustomer, aPickupCart, aProduct, aStaff, aStore, sqlNumber, stock } from '../../../../test/support/fixtures';
import {
  CheckoutCompleteDocument,
  OrderCancelDocument,
  OrderCompletePickupDocument,
  OrderMarkReadyDocument,
  OrderNotificationsDocument,
} from '../../../../test/support/generated/graphql';
import { TestApp, unique } from '../../../../test/support/harness';
import { eventually, sleep } from '../../../../test/support/receivers';
import { TestCardProvider, usePaymentProvider, type PaymentProvider } from './payment.provider';

let t: TestApp;
beforeAll(async () => {
  t = await dispatchingApp({ OUTBOX_DISPATCHER_ENABLED: 'true', OUTBOX_RETRY_BASE_MS: '50', OUTBOX_POLL_MS: '250', WEBHOOK_MAX_ATTEMPTS: '4' });
});
afterEach(() => usePaymentProvider(new TestCardProvider()));
afterAll(() => t.close());

/** A card provider that fails the first `failures` captures of each idempotency key, and counts what it did. */
function flakyProvider(failures: number) {
  const calls: { reference: string; amount: number; key?: string; ok: boolean }[] = [];
  const voids: { reference: string; key?: string }[] = [];
  // Captures of other test files' orders may reach this provider too: only its own are counted.
  const mine = new Set<string>();
  const provider: PaymentProvider = {
    async authorize() {
      const reference = unique('auth');
      mine.add(reference);
      return { ok: true, reference };
    },
    async capture(reference, amount, key) {
      if (!mine.has(reference)) return;
      const ok = calls.filter((c) => c.key === key).length >= failures;
      calls.push({ reference, amount, key, ok });
      if (!ok) throw new Error('provider unavailable');
    },
    async void(reference, key) {
      if (mine.has(reference)) voids.push({ reference, key });
    },
    refund: async () => {},
  };
  return { provider, calls, voids };
}

async function aCardPickupReadyToHandOver() {
  const [variant] = await aProduct(t, [40_00]);
  const store = await aStore(t);
  await stock(t, store, variant, 3);
  const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
  const customer = await aCustomer(t);
  const cartId = await aPickupCart(t, store, [{ sku: variant.sku, quantity: 1 }], customer.token);
  const { checkoutComplete } = await t.data(
    CheckoutCompleteDocument,
    { cartId, idempotencyKey: unique('k'), paymentMethod: 'CARD', paymentToken: 'tok_visa' },
    { token: customer.token },
  );
  const order = checkoutComplete.order!;
  await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: associate.token });
  return { order, associate, customer };
}

describe('payment calls after commit', () => {
  it('retries a capture that fails twice at the provider, with one idempotency key, and it succeeds once', async () => {
    const { provider, calls } = flakyProvider(2);
    usePaymentProvider(provider);
    const { order, associate, customer } = await aCardPickupReadyToHandOver();
    const { orderCompletePickup } = await t.data(
      OrderCompletePickupDocument,
      { orderId: order.id, pickupCode: order.fulfillment.pickupCode!, idempotencyKey: unique('handover') },
      { token: associate.token },
    );
    // The handover does not wait for the provider: the order is COMPLETED and the capture recorded.
    expect(orderCompletePickup.order).toMatchObject({ status: 'COMPLETED', payment: { status: 'CAPTURED' } });

    await eventually(() => calls.some((c) => c.ok), 10_000, 'a successful capture');
    await sleep(500);
    expect(calls.map((c) => c.ok)).toEqual([false, false, true]);
    expect(new Set(calls.map((c) => c.key)).size).toBe(1);
    expect(calls.every((c) => c.amount === 40_00)).toBe(true);
    expect(await sqlNumber(t, `select count(*) as n from payment_call where order_id = ? and status = 'DONE' and attempts = 3`, [order.id])).toBe(1);

    const { order: seen } = await t.data(OrderNotificationsDocument, { id: order.id }, { token: customer.token });
    expect(seen!.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['PAYMENT_CAPTURE_RETRYING', 'PAYMENT_CAPTURE_DONE']));
  });

  it('shows a capture that keeps failing on the order’s timeline and gives it up after the last attempt', async () => {
    const { provider, calls } = flakyProvider(100);
    usePaymentProvider(provider);
    const { order, associate } = await aCardPickupReadyToHandOver();
    await t.data(
      OrderCompletePickupDocument,
      { orderId: order.id, pickupCode: order.fulfillment.pickupCode!, idempotencyKey: unique('handover') },
      { token: associate.token },
    );
    await eventually(
      async () => (await sqlNumber(t, `select count(*) as n from payment_call where order_id = ? and status = 'FAILED'`, [order.id])) === 1,
      15_000,
      'the capture to be given up',
    );
    expect(calls).toHaveLength(4);
    const { order: seen } = await t.data(OrderNotificationsDocument, { id: order.id }, { token: associate.token });
    const failed = seen!.events.find((e) => e.kind === 'PAYMENT_CAPTURE_FAILED');
    expect(failed?.message).toMatch(/failed 4 time\(s\) and was given up: provider unavailable/);
    // …and in the metrics, with the backlog of every queue.
    const metrics = await (await fetch(t.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/commerce_outbox_outcomes_total\{queue="payment",outcome="failed"\} [1-9]/);
    expect(metrics).toMatch(/commerce_outbox_attempts_total\{queue="payment",outcome="retry"\} [3-9]/);
    for (const queue of ['event', 'webhook', 'message', 'payment']) {
      expect(metrics).toMatch(new RegExp(`commerce_outbox_backlog\\{queue="${queue}"\\} \\d+`));
      expect(metrics).toMatch(new RegExp(`commerce_outbox_oldest_pending_seconds\\{queue="${queue}"\\} [\\d.e+-]+`));
    }
  });

  it('voids a cancelled order’s authorization after commit, once', async () => {
    const { provider, voids } = flakyProvider(0);
    usePaymentProvider(provider);
    const { order, associate } = await aCardPickupReadyToHandOver();
    const { orderCancel } = await t.data(OrderCancelDocument, { orderId: order.id, reason: 'changed mind' }, { token: associate.token });
    expect(orderCancel.order).toMatchObject({ status: 'CANCELLED', payment: { status: 'VOIDED' } });
    await eventually(() => voids.length === 1, 10_000, 'the void');
    await sleep(300);
    expect(voids).toHaveLength(1);
    expect(voids[0].key).toEqual(expect.any(String));
  });
});
