import { StaffRole } from '../../src/core/auth/actor';
import { aCustomer, aPickupOrder, aProduct, aStaff, aStore, stock } from '../support/fixtures';
import { OrderMarkReadyDocument, SignOutDocument } from '../support/generated/graphql';
import { TestApp } from '../support/harness';
import { disposeWires, eventually, wire } from './wire';

/**
 * A live subscription lasts only as long as its session: revoking the session (signing out, a
 * staff member's role or store changing, any revocation of the session row) closes its sockets on
 * every instance, and no event is sent for a session that is no longer live.
 */
afterEach(() => disposeWires());

const ORDER_UPDATED = 'subscription($id: ID!) { orderUpdated(orderId: $id) { id status fulfillment { pickupCode } } }';
const PICKUP_QUEUE = 'subscription($locationId: ID!) { pickupQueueChanged(locationId: $locationId) { id status customer { email } } }';
const settle = () => new Promise((r) => setTimeout(r, 300));

async function aScene(t: TestApp) {
  const store = await aStore(t);
  const [variant] = await aProduct(t);
  await stock(t, store, variant, 10);
  const customer = await aCustomer(t);
  const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
  const order = await aPickupOrder(t, store, customer.token, variant.sku);
  return { store, variant, customer, associate, order };
}

describe.each([
  ['with the session cache', '30'],
  ['without the session cache', '0'],
])('signing out, %s', (_label, cacheSeconds) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ SESSION_CACHE_SECONDS: cacheSeconds });
  });
  afterAll(() => t.close());

  it("closes the customer's socket (4403): the order's later changes, pickup code included, never reach it", async () => {
    const { customer, associate, order } = await aScene(t);
    const connection = wire(t, { token: customer.token });
    const live = connection.listen(ORDER_UPDATED, { id: order.id });
    await settle();
    expect(live.errors).toEqual([]);
    await t.data(SignOutDocument, {}, { token: customer.token });
    expect((await connection.closed()).code).toBe(4403);
    await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: associate.token });
    await settle();
    expect(live.events).toEqual([]);
  });

  it("closes a staff member's socket when the staff member is moved to another store or given another role", async () => {
    const { store, associate } = await aScene(t);
    const other = await aStore(t);
    const moved = wire(t, { token: associate.token });
    const queue = moved.listen(PICKUP_QUEUE, { locationId: store.id });
    const manager = await aStaff(t, StaffRole.ASSOCIATE, store);
    const promoted = wire(t, { token: manager.token });
    promoted.listen(PICKUP_QUEUE, { locationId: store.id });
    await settle();
    expect(queue.errors).toEqual([]);
    const sql = t.app.orm.em.fork().getConnection();
    await sql.execute('update staff set location_id = ? where id = ?', [other.id, associate.account.id]);
    await sql.execute(`update staff set role = 'MANAGER' where id = ?`, [manager.account.id]);
    expect((await moved.closed()).code).toBe(4403);
    expect((await promoted.closed()).code).toBe(4403);
  });

  it('leaves the sockets of other sessions open', async () => {
    const { customer, order } = await aScene(t);
    const stranger = await aCustomer(t);
    const connection = wire(t, { token: customer.token });
    connection.listen(ORDER_UPDATED, { id: order.id });
    await settle();
    await t.data(SignOutDocument, {}, { token: stranger.token });
    await settle();
    expect(connection.isClosed()).toBe(false);
  });
});

describe('on every instance', () => {
  it('closes the socket held on another instance than the one signed out on', async () => {
    const [one, two] = [await TestApp.start(), await TestApp.start()];
    try {
      const { customer, order } = await aScene(one);
      const onTwo = wire(two, { token: customer.token });
      const live = onTwo.listen(ORDER_UPDATED, { id: order.id });
      await settle();
      expect(live.errors).toEqual([]);
      await one.data(SignOutDocument, {}, { token: customer.token });
      expect((await onTwo.closed()).code).toBe(4403);
    } finally {
      await disposeWires();
      await one.close();
      await two.close();
    }
  });
});

describe('each event', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('is sent only while the session is live: one that expired since the last check gets no event, and its socket is closed', async () => {
    const { customer, associate, order } = await aScene(t);
    const connection = wire(t, { token: customer.token });
    const live = connection.listen(ORDER_UPDATED, { id: order.id });
    await settle();
    // Expires in a moment: the change is heard and checked now (still live), nothing tells when it lapses.
    await t.app.orm.em
      .fork()
      .getConnection()
      .execute(`update session set expires_at = now() + interval '1500 milliseconds' where subject_id = ?`, [customer.account.id]);
    await settle();
    expect(connection.isClosed()).toBe(false);
    await eventually(async () => {
      const res = await t.post({ query: '{ me { id } }' }, { token: customer.token });
      return JSON.stringify(await res.json()).includes('UNAUTHENTICATED');
    }, 'the session to lapse');
    await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: associate.token });
    expect((await connection.closed()).code).toBe(4403);
    expect(live.events).toEqual([]);
  });
});
