import { Socket } from 'node:net';
import Redis from 'ioredis';
import { StaffRole } from '../../core/auth/actor';
import { aCustomer, aPickupCart, aProduct, aStaff, aStore, stock } from '../../../test/support/fixtures';
import {
  CheckoutCompleteDocument,
  OrderCompletePickupDocument,
  OrderMarkReadyDocument,
  OrderUpdatedDocument,
  PickupQueueChangedDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, unique } from '../../../test/support/harness';
import { invariantViolations } from '../../../test/support/invariants';
import { closeSubscriptions, subscribe } from '../../../test/support/live';
import type { Location } from '../location';

const REDIS_URL = 'redis://127.0.0.1:6379';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterEach(async () => {
  await closeSubscriptions();
  expect(await invariantViolations(t)).toEqual([]);
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A guest's pickup order at `store`, placed over `app`'s HTTP. */
async function placeOrder(app: TestApp, store: Location, sku: string, token?: string) {
  const cartId = await aPickupCart(app, store, [{ sku, quantity: 1 }], token);
  const variables = { cartId, idempotencyKey: unique('k'), paymentMethod: 'PAY_IN_STORE' as const };
  const { checkoutComplete } = await app.data(CheckoutCompleteDocument, variables, { token });
  expect(checkoutComplete.userErrors).toEqual([]);
  const order = checkoutComplete.order!;
  /** The client sending the same checkout again: the same order comes back, nothing changes. */
  const retry = async () => expect((await app.data(CheckoutCompleteDocument, variables, { token })).checkoutComplete.order!.id).toBe(order.id);
  return { order, retry };
}

describe('live order updates', () => {
  it('streams a pickup order through the store queue and to its owner, and keeps everyone else out', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    await stock(t, store, v, 3);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const [owner, stranger] = [await aCustomer(t), await aCustomer(t)];

    const queue = subscribe(t, PickupQueueChangedDocument, { locationId: store.id }, { token: associate.token });
    const notStaff = subscribe(t, PickupQueueChangedDocument, { locationId: store.id }, { token: owner.token });
    expect(await notStaff.rejection()).toEqual(['FORBIDDEN']);
    await sleep(300);

    const { order } = await placeOrder(t, store, v.sku, owner.token);
    expect(await queue.take()).toEqual([{ pickupQueueChanged: { id: order.id, number: order.number, status: 'PLACED' } }]);

    const mine = subscribe(t, OrderUpdatedDocument, { orderId: order.id }, { token: owner.token });
    const notMine = subscribe(t, OrderUpdatedDocument, { orderId: order.id }, { token: stranger.token });
    expect(await notMine.rejection()).toEqual(['FORBIDDEN']);
    await sleep(300);

    await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: associate.token });
    expect(await queue.take()).toEqual([{ pickupQueueChanged: { id: order.id, number: order.number, status: 'READY_FOR_PICKUP' } }]);
    expect(await mine.take()).toEqual([{ orderUpdated: { id: order.id, number: order.number, status: 'READY_FOR_PICKUP' } }]);

    const { orderCompletePickup } = await t.data(
      OrderCompletePickupDocument,
      { orderId: order.id, pickupCode: order.fulfillment.pickupCode!, idempotencyKey: unique('handover') },
      { token: associate.token },
    );
    expect(orderCompletePickup.userErrors).toEqual([]);
    expect(await queue.take()).toEqual([{ pickupQueueChanged: { id: order.id, number: order.number, status: 'COMPLETED' } }]);
    expect(await mine.take()).toEqual([{ orderUpdated: { id: order.id, number: order.number, status: 'COMPLETED' } }]);
  });

  it('tells nobody anything about a retried checkout, which changes nothing', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    await stock(t, store, v, 3);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const queue = subscribe(t, PickupQueueChangedDocument, { locationId: store.id }, { token: associate.token });
    await sleep(300);
    const { order, retry } = await placeOrder(t, store, v.sku);
    expect(await queue.take()).toEqual([{ pickupQueueChanged: { id: order.id, number: order.number, status: 'PLACED' } }]);

    await retry();
    await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: associate.token });

    expect(await queue.take()).toEqual([{ pickupQueueChanged: { id: order.id, number: order.number, status: 'READY_FOR_PICKUP' } }]);
  });
});

const redisReachable = () =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket();
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(6379, '127.0.0.1', () => done(true));
  });

/** Skips (or, on CI, fails) a Redis test when no Redis is running. */
async function redisOrSkip(): Promise<boolean> {
  if (await redisReachable()) return true;
  if (process.env.CI) throw new Error(`Redis is not reachable at ${REDIS_URL}`);
  console.warn(`Redis is not reachable at ${REDIS_URL}: this test is skipped.`);
  return false;
}

describe('live updates across instances', () => {
  it('tells a POS connected to instance B about an order placed through instance A', async () => {
    if (!(await redisOrSkip())) return;
    const a = await TestApp.start({ REDIS_URL });
    const b = await TestApp.start({ REDIS_URL });
    try {
      const [v] = await aProduct(a);
      const store = await aStore(a);
      await stock(a, store, v, 2);
      const pos = await aStaff(a, StaffRole.ASSOCIATE, store);

      const queueOnB = subscribe(b, PickupQueueChangedDocument, { locationId: store.id }, { token: pos.token });
      await sleep(300);
      const { order } = await placeOrder(a, store, v.sku);

      expect(await queueOnB.take()).toEqual([{ pickupQueueChanged: { id: order.id, number: order.number, status: 'PLACED' } }]);
    } finally {
      await closeSubscriptions();
      await a.close();
      await b.close();
    }
  });

  it('gives up the Redis channel when the last subscriber goes away, without waiting for another event', async () => {
    if (!(await redisOrSkip())) return;
    const a = await TestApp.start({ REDIS_URL });
    const redis = new Redis(REDIS_URL);
    try {
      const store = await aStore(a);
      const pos = await aStaff(a, StaffRole.ASSOCIATE, store);
      const channel = `commerce:pickup-queue:${store.id}`;
      const subscribers = async () => Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]);
      const queue = subscribe(a, PickupQueueChangedDocument, { locationId: store.id }, { token: pos.token });
      await sleep(300);
      expect(await subscribers()).toBe(1);

      await queue.close();

      const deadline = Date.now() + 5_000;
      while ((await subscribers()) > 0 && Date.now() < deadline) await sleep(100);
      expect(await subscribers()).toBe(0);
    } finally {
      redis.disconnect();
      await closeSubscriptions();
      await a.close();
    }
  });
});
