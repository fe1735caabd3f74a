// Every document in clients/ runs against the service, as the clients use them: one
// buy-online-pick-up-in-store journey from the storefront, through the app, to the POS, with a
// counter sale and a return. The suite fails when a document there was not run, so the
// documents client teams copy can never drift from the API.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, Kind, parse } from 'graphql';
import { StaffRole } from '../src/core/auth/actor';
import * as app from '../clients/generated/app';
import * as pos from '../clients/generated/pos';
import * as storefront from '../clients/generated/storefront';
import { aProduct, aStaff, aStore, givePoints, PASSWORD, stock, stockLevel } from './support/fixtures';
import { TestApp, unique, type ChannelName } from './support/harness';
import { invariantViolations } from './support/invariants';
import { closeSubscriptions, LIVE_WAIT_MS, subscribe, type Live } from './support/live';

const CLIENTS = join(__dirname, '..', 'clients');

/** Every operation defined in clients/<kind>/*.graphql, by name, with the file that defines it. */
function clientOperations(): Map<string, string> {
  const operations = new Map<string, string>();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? (e.name === 'generated' ? [] : walk(join(dir, e.name))) : e.name.endsWith('.graphql') ? [join(dir, e.name)] : [],
    );
  for (const file of walk(CLIENTS)) {
    for (const def of parse(readFileSync(file, 'utf8')).definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      const name = def.name?.value;
      if (!name) throw new Error(`${relative(CLIENTS, file)}: every client operation needs a name`);
      if (operations.has(name))
        throw new Error(`${name} is defined in ${operations.get(name)} and ${relative(CLIENTS, file)}: names must be unique across clients/`);
      operations.set(name, relative(CLIENTS, file));
    }
  }
  return operations;
}

let t: TestApp;
const executed = new Set<string>();
/** Topics the service's event bus has been asked to listen to: a subscription has started once its topic is here. */
const listening: string[] = [];
beforeAll(async () => {
  t = await TestApp.start();
  const bus = t.app.events;
  const subscribe = bus.subscribe.bind(bus);
  bus.subscribe = (topic) => {
    listening.push(topic);
    return subscribe(topic);
  };
});
afterAll(async () => {
  await closeSubscriptions();
  await t.close();
});

/** Runs a client document over HTTP; it must succeed without GraphQL errors. */
async function run<R, V>(document: TypedDocumentNode<R, V>, variables: V, options: { token?: string; channel?: ChannelName } = {}): Promise<R> {
  executed.add(getOperationAST(document)!.name!.value);
  return t.data(document, variables, options);
}

/** A client document's subscription over WebSocket, counted as run. */
function live<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables: V, token: string): Live<R> {
  executed.add(getOperationAST(document)!.name!.value);
  return subscribe(t, document, variables, { token });
}

/** Waits until the service listens for `count` subscriptions in all (graphql-ws does not confirm a subscribe). */
async function subscriptionsStarted(count: number): Promise<void> {
  const deadline = Date.now() + LIVE_WAIT_MS;
  while (listening.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${listening.length} of ${count} subscriptions started within ${LIVE_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the client documents in clients/', () => {
  it('run as one journey: browse, cart and checkout on the web, live updates in the app, pickup, counter sale and return at the POS', async () => {
    // The store's world: a jacket and socks on its shelves, an associate at its counter.
    const store = await aStore(t);
    const [jacket, jacketLarge] = await aProduct(t, [89_00, 92_00]);
    const [socks] = await aProduct(t, [12_00]);
    await stock(t, store, jacket, 5);
    await stock(t, store, jacketLarge, 5);
    await stock(t, store, socks, 20);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);

    // --- storefront (WEB): browse as a guest ---
    const web = { channel: 'WEB' as const };
    expect((await run(storefront.PickupStoresDocument, {}, web)).locations.map((l) => l.id)).toContain(store.id);
    const productQuery = jacket.sku.replace(/-0$/, '');
    const { products } = await run(storefront.ProductsDocument, { first: 10, query: productQuery }, web);
    expect(products.edges).toHaveLength(1);
    const productId = products.edges[0].node.id;
    const { product } = await run(storefront.ProductDocument, { id: productId }, web);
    expect(product!.variants.map((v) => v.sku)).toEqual([jacket.sku, jacketLarge.sku]);
    const { variantBySku } = await run(storefront.VariantAvailabilityDocument, { sku: jacket.sku, locationIds: [store.id] }, web);
    expect(variantBySku!.availability).toEqual([{ available: 5, location: { id: store.id, code: store.code, name: store.name, pickupEnabled: true } }]);

    // A guest cart: add, change, remove.
    const created = (await run(storefront.CreateCartDocument, { input: { lines: [{ sku: jacketLarge.sku, quantity: 1 }] } }, web)).cartCreate;
    expect(created.userErrors).toEqual([]);
    const cartId = created.cart!.id;
    const added = (await run(storefront.AddToCartDocument, { cartId, lines: [{ sku: jacket.sku, quantity: 1 }], expectedVersion: created.cart!.version }, web))
      .cartLinesAdd;
    expect(added.cart!.lines.map((l) => l.variant.sku)).toEqual([jacketLarge.sku, jacket.sku]);
    const large = added.cart!.lines.find((l) => l.variant.sku === jacketLarge.sku)!;
    const jacketLine = added.cart!.lines.find((l) => l.variant.sku === jacket.sku)!;
    const updated = (
      await run(storefront.UpdateCartLinesDocument, { cartId, lines: [{ lineId: jacketLine.id, quantity: 2 }], expectedVersion: added.cart!.version }, web)
    ).cartLinesUpdate;
    expect(updated.cart!.totalQuantity).toBe(3);
    const removed = (await run(storefront.RemoveCartLinesDocument, { cartId, lineIds: [large.id] }, web)).cartLinesRemove;
    expect(removed.cart!.lines.map((l) => [l.variant.sku, l.quantity])).toEqual([[jacket.sku, 2]]);
    expect((await run(storefront.CartDocument, { id: cartId }, web)).cart!.pickupLocations.map((l) => l.id)).toContain(store.id);

    // Sign up, bringing the guest cart; sign in again later without it.
    const email = `${unique('shopper')}@example.test`.toLowerCase();
    const signUp = (await run(storefront.SignUpDocument, { input: { email, password: PASSWORD, name: 'Robin Shopper' }, cartId }, web)).customerSignUp;
    expect(signUp.userErrors).toEqual([]);
    const signIn = (await run(storefront.SignInDocument, { email, password: PASSWORD }, web)).customerSignIn;
    expect(signIn.customer!.id).toBe(signUp.customer!.id);
    const customer = { id: signUp.customer!.id, token: signIn.token! };
    const { me } = await run(storefront.MeDocument, {}, { ...web, token: customer.token });
    expect(me!.activeCart!.id).toBe(cartId);

    // Pickup at the store, 500 points off, pay by card.
    await givePoints(t, customer.id, 1_000);
    const withPickup = (
      await run(storefront.SetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: store.id } }, { ...web, token: customer.token })
    ).cartSetFulfillment;
    expect(withPickup.cart!.fulfillment).toMatchObject({ method: 'PICKUP', location: { id: store.id } });
    const withPoints = (await run(storefront.ApplyLoyaltyPointsDocument, { cartId, points: 500 }, { ...web, token: customer.token })).cartApplyLoyaltyPoints;
    expect(withPoints.cart!.total.amount).toBe(2 * 89_00 - 5_00);
    const checkout = (
      await run(
        storefront.CheckoutDocument,
        { cartId, idempotencyKey: unique('checkout'), paymentMethod: 'CARD', paymentToken: 'tok_visa' },
        { ...web, token: customer.token },
      )
    ).checkoutComplete;
    expect(checkout.userErrors).toEqual([]);
    const order = checkout.order!;
    expect(order).toMatchObject({ status: 'PLACED', channel: 'WEB', payment: { method: 'CARD', status: 'AUTHORIZED' }, total: { amount: 173_00 } });
    const pickupCode = order.fulfillment.pickupCode!;
    expect(pickupCode).toMatch(/^[A-Z2-9]{6}$/);

    // --- app (APP): the same account, its history, and the order live ---
    const phone = { channel: 'APP' as const, token: customer.token };
    const history = (await run(app.OrderHistoryDocument, { first: 10 }, phone)).me!.orders;
    expect(history.edges.map((e) => e.node.id)).toEqual([order.id]);
    expect((await run(app.OrderDetailsDocument, { id: order.id }, phone)).order!.fulfillment.pickupCode).toBe(pickupCode);
    const orderLive = live(app.OrderUpdatesDocument, { orderId: order.id }, customer.token);

    // --- POS: sign in, watch the queue, serve the customer ---
    const staffSignIn = (await run(pos.StaffSignInDocument, { email: associate.account.email, password: PASSWORD })).staffSignIn;
    expect(staffSignIn.staff!.location!.id).toBe(store.id);
    const terminal = { token: staffSignIn.token! };
    const { staffMe } = await run(pos.StaffMeDocument, {}, terminal);
    const storeId = staffMe!.location!.id;
    const queueLive = live(pos.PickupQueueUpdatesDocument, { locationId: storeId }, terminal.token);
    await subscriptionsStarted(2); // both listen before anything changes

    const { pickupQueue } = await run(pos.PickupQueueDocument, { locationId: storeId, statuses: ['PLACED'] }, terminal);
    expect(pickupQueue.find((o) => o.id === order.id)).toMatchObject({ status: 'PLACED', customer: { email }, lines: [{ sku: jacket.sku, quantity: 2 }] });
    const lookedUp = (await run(pos.CustomerLookupDocument, { email }, terminal)).customerByEmail!;
    expect(lookedUp).toMatchObject({ id: customer.id, loyalty: { balance: 500 }, activeCart: null });
    expect(lookedUp.orders.edges.map((e) => e.node.number)).toEqual([order.number]);

    const ready = (await run(pos.MarkReadyDocument, { orderId: order.id }, terminal)).orderMarkReady;
    expect(ready.order!.status).toBe('READY_FOR_PICKUP');
    await queueLive.next((e) => e.pickupQueueChanged.id === order.id && e.pickupQueueChanged.status === 'READY_FOR_PICKUP');
    await orderLive.next((e) => e.orderUpdated.status === 'READY_FOR_PICKUP');

    // The customer arrives and says so from the app: the queue hears it, with the note.
    const arrival = (await run(app.CheckInDocument, { orderId: order.id, note: 'at the door' }, phone)).orderCheckIn;
    expect(arrival.userErrors).toEqual([]);
    expect(arrival.order!.fulfillment).toMatchObject({ checkedInAt: expect.any(String), checkInNote: 'at the door' });
    await queueLive.next((e) => e.pickupQueueChanged.id === order.id && e.pickupQueueChanged.fulfillment.checkInNote === 'at the door');

    // The customer shows the code; socks are added at the counter.
    const byCode = (await run(pos.PickupOrderByCodeDocument, { locationId: storeId, code: pickupCode }, terminal)).orderByPickupCode!;
    expect(byCode.id).toBe(order.id);
    expect(byCode.fulfillment.pickupCode).toBeNull(); // staff verify the code, they never read it
    const { variantBySku: shelf } = await run(pos.ShelfLookupDocument, { sku: socks.sku, locationId: storeId }, terminal);
    expect(shelf!.availability).toEqual([{ available: 20 }]);
    const handedOver = (
      await run(
        pos.HandOverDocument,
        { orderId: order.id, pickupCode, idempotencyKey: unique('handover'), addLines: [{ sku: socks.sku, quantity: 1 }] },
        terminal,
      )
    ).orderCompletePickup;
    expect(handedOver.userErrors).toEqual([]);
    expect(handedOver.order!).toMatchObject({ status: 'COMPLETED', payment: { status: 'CAPTURED' } });
    expect(handedOver.order!.lines.map((l) => [l.sku, l.quantity, l.channel])).toEqual([
      [jacket.sku, 2, 'WEB'],
      [socks.sku, 1, 'POS'],
    ]);
    await queueLive.next((e) => e.pickupQueueChanged.id === order.id && e.pickupQueueChanged.status === 'COMPLETED');
    const completed = await orderLive.next((e) => e.orderUpdated.status === 'COMPLETED');
    expect(completed.orderUpdated.loyaltyPointsEarned).toBeGreaterThan(0);

    // A sale at the counter for the same customer.
    const counterCart = (await run(pos.CounterCartCreateDocument, { customerId: customer.id, lines: [{ sku: socks.sku, quantity: 1 }] }, terminal)).cartCreate;
    expect(counterCart.userErrors).toEqual([]);
    const counterCartId = counterCart.cart!.id;
    const more = (await run(pos.CounterCartAddLinesDocument, { cartId: counterCartId, lines: [{ sku: socks.sku, quantity: 1 }] }, terminal)).cartLinesAdd;
    expect(more.cart!.totalQuantity).toBe(2);
    const inStore = (await run(pos.CounterSetInStoreDocument, { cartId: counterCartId, locationId: storeId, expectedVersion: more.cart!.version }, terminal))
      .cartSetFulfillment;
    expect(inStore.cart!.fulfillment!.method).toBe('IN_STORE');
    const sale = (await run(pos.CounterCheckoutDocument, { cartId: counterCartId, idempotencyKey: unique('sale') }, terminal)).checkoutComplete;
    expect(sale.userErrors).toEqual([]);
    expect(sale.order!).toMatchObject({ status: 'COMPLETED', channel: 'POS', customer: { id: customer.id } });
    expect(await stockLevel(t, store.id, socks.id)).toEqual({ on_hand: 17, reserved: 0 });

    // One jacket comes back, to this store's shelf.
    const returnable = (await run(pos.ReturnableOrderDocument, { id: order.id }, terminal)).order!;
    const jacketOrderLine = returnable.lines.find((l) => l.sku === jacket.sku)!;
    const returned = (
      await run(
        pos.ReturnLinesDocument,
        { orderId: order.id, lines: [{ lineId: jacketOrderLine.id, quantity: 1 }], restock: true, idempotencyKey: unique('return') },
        terminal,
      )
    ).orderReturnLines;
    expect(returned.userErrors).toEqual([]);
    expect(returned.order!.lines.find((l) => l.sku === jacket.sku)!.returnedQuantity).toBe(1);
    expect(await stockLevel(t, store.id, jacket.id)).toEqual({ on_hand: 4, reserved: 0 });

    // Two socks go to another store: created and shipped here, received there.
    const otherStore = await aStore(t);
    const otherStaff = await aStaff(t, StaffRole.ASSOCIATE, otherStore);
    const transferInput = { fromLocationId: storeId, toLocationId: otherStore.id, lines: [{ sku: socks.sku, quantity: 2 }] };
    const transfer = (await run(pos.CreateTransferDocument, { input: transferInput }, terminal)).stockTransferCreate.transfer!;
    expect((await run(pos.ShipTransferDocument, { id: transfer.id }, terminal)).stockTransferShip.transfer!.status).toBe('IN_TRANSIT');
    expect(
      (await run(pos.IncomingStockDocument, { sku: socks.sku, locationId: otherStore.id }, { token: otherStaff.token })).variantBySku!.availability,
    ).toEqual([{ available: 0, incoming: 2 }]);
    const receipt = (await run(pos.ReceiveTransferDocument, { id: transfer.id, lines: [{ sku: socks.sku, quantity: 2 }] }, { token: otherStaff.token }))
      .stockTransferReceive;
    expect(receipt.transfer).toMatchObject({ status: 'RECEIVED', lines: [{ quantity: 2, receivedQuantity: 2 }] });
    expect((await run(pos.StockTransfersDocument, { locationId: storeId, statuses: ['RECEIVED'] }, terminal)).stockTransfers.map((x) => x.id)).toEqual([
      transfer.id,
    ]);
    expect(await stockLevel(t, store.id, socks.id)).toEqual({ on_hand: 15, reserved: 0 });

    // A shipping store sends a parcel no warehouse could: its staff see it to ship and mark it shipped.
    const shipper = await aStore(t, { shipEnabled: true });
    const [scarf] = await aProduct(t, [25_00]);
    await stock(t, shipper, scarf, 3);
    const parcelCart = (await run(storefront.CreateCartDocument, { input: { lines: [{ sku: scarf.sku, quantity: 1 }] } }, { ...web, token: customer.token }))
      .cartCreate.cart!;
    const shippingAddress = { name: 'Robin Shopper', line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'us' };
    await run(storefront.SetFulfillmentDocument, { cartId: parcelCart.id, input: { method: 'SHIP', shippingAddress } }, { ...web, token: customer.token });
    const parcel = (
      await run(
        storefront.CheckoutDocument,
        { cartId: parcelCart.id, idempotencyKey: unique('parcel'), paymentMethod: 'CARD', paymentToken: 'tok_visa' },
        { ...web, token: customer.token },
      )
    ).checkoutComplete.order!;
    expect(parcel.fulfillment.location!.id).toBe(shipper.id);
    const packer = { token: (await aStaff(t, StaffRole.ASSOCIATE, shipper)).token };
    expect((await run(pos.ShipQueueDocument, { locationId: shipper.id }, packer)).shipQueue.map((o) => o.id)).toEqual([parcel.id]);
    expect((await run(pos.MarkShippedDocument, { orderId: parcel.id }, packer)).orderMarkShipped.order!.status).toBe('SHIPPED');

    // --- back on the web: the history and the points of every channel; one more order, cancelled ---
    const { me: loyalty } = await run(storefront.LoyaltyDocument, { first: 20 }, { ...web, token: customer.token });
    const ledger = loyalty!.loyalty.transactions.edges.map((e) => e.node);
    // Points given, redeemed online, earned at the handover and the counter sale, and moved back by the return.
    expect(new Set(ledger.map((e) => e.kind))).toEqual(new Set(['ADJUSTMENT', 'REDEEM', 'EARN', 'REVERSAL']));
    expect(ledger.filter((e) => e.kind === 'EARN').map((e) => e.channel)).toEqual(['POS', 'POS']);
    expect(ledger.reduce((sum, e) => sum + e.points, 0)).toBe(loyalty!.loyalty.balance);
    const again = (await run(storefront.CreateCartDocument, { input: { lines: [{ sku: socks.sku, quantity: 1 }] } }, { ...web, token: customer.token }))
      .cartCreate.cart!;
    await run(storefront.SetFulfillmentDocument, { cartId: again.id, input: { method: 'PICKUP', locationId: store.id } }, { ...web, token: customer.token });
    const second = (
      await run(
        storefront.CheckoutDocument,
        { cartId: again.id, idempotencyKey: unique('checkout'), paymentMethod: 'PAY_IN_STORE' },
        { ...web, token: customer.token },
      )
    ).checkoutComplete.order!;
    const cancelled = (await run(storefront.CancelOrderDocument, { orderId: second.id, reason: 'changed my mind' }, { ...web, token: customer.token }))
      .orderCancel;
    expect(cancelled.order!.status).toBe('CANCELLED');

    expect(await invariantViolations(t)).toEqual([]);
  });

  it('every operation in clients/ was run above', () => {
    const operations = clientOperations();
    expect(operations.size).toBeGreaterThan(30);
    const notRun = [...operations].filter(([name]) => !executed.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(notRun).toEqual([]);
  });
});
