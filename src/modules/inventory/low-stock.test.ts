import { StaffRole } from '../../core/auth/actor';
import { aPickupCart, aProduct, aStaff, aStore, aTransfer, sqlNumber, stock } from '../../../test/support/fixtures';
import { CheckoutCompleteDocument, InventorySetDocument, OrderCancelDocument } from '../../../test/support/generated/graphql';
import { TestApp, unique } from '../../../test/support/harness';
import { invariantViolations } from '../../../test/support/invariants';
import type { Location } from '../location';

// INVENTORY_LOW is recorded in the transaction of the stock change that crosses a location's
// threshold; here it is read from the service's log line of the event ("inventory low").

let t: TestApp;
const lines: string[] = [];
const write = process.stdout.write.bind(process.stdout);
beforeAll(async () => {
  t = await TestApp.start({ LOG_LEVEL: 'info', LOW_STOCK_THRESHOLD: '3' });
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes('"inventory low"')) lines.push(text);
    else return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    return true;
  }) as typeof process.stdout.write;
});
afterEach(async () => {
  expect(await invariantViolations(t)).toEqual([]);
});
afterAll(async () => {
  process.stdout.write = write;
  await t.close();
});

/** The INVENTORY_LOW events recorded for a variant so far. */
const lowEvents = (variantId: string) =>
  lines.map((l) => JSON.parse(l) as { locationId: string; variantId: string; available: number; threshold: number }).filter((e) => e.variantId === variantId);

const buy = async (store: Location, sku: string, quantity: number) => {
  const cartId = await aPickupCart(t, store, [{ sku, quantity }]);
  const { checkoutComplete } = await t.data(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('low'), paymentMethod: 'PAY_IN_STORE' });
  expect(checkoutComplete.userErrors).toEqual([]);
  return checkoutComplete.order!.id;
};

describe('low stock', () => {
  it('records INVENTORY_LOW once when available units fall to the threshold, not on every sale below it, and again after a restock', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t);
    const manager = await aStaff(t, StaffRole.MANAGER, store);
    await stock(t, store, v, 6);

    await buy(store, v.sku, 2); // 6 → 4: above 3
    expect(lowEvents(v.id)).toEqual([]);
    const crossing = await buy(store, v.sku, 1); // 4 → 3: crosses
    expect(lowEvents(v.id)).toEqual([{ ...lowEvents(v.id)[0], locationId: store.id, variantId: v.id, available: 3, threshold: 3 }]);
    await buy(store, v.sku, 1); // 3 → 2: still low, nothing new
    await buy(store, v.sku, 2); // 2 → 0
    expect(lowEvents(v.id)).toHaveLength(1);

    // Back above (a cancellation gives units back, then a count), and down again: one more event.
    await t.data(OrderCancelDocument, { orderId: crossing }, { token: manager.token });
    const { inventorySet } = await t.data(InventorySetDocument, { locationId: store.id, sku: v.sku, onHand: 20 }, { token: manager.token });
    expect(inventorySet.availability!.available).toBe(15);
    expect(lowEvents(v.id)).toHaveLength(1);
    await t.data(InventorySetDocument, { locationId: store.id, sku: v.sku, onHand: 7 }, { token: manager.token });
    expect(lowEvents(v.id).map((e) => e.available)).toEqual([3, 2]);
    // The same two, in the outbox for webhooks.
    expect(await sqlNumber(t, `select count(*) n from outbox_event where type = 'INVENTORY_LOW' and subject_id = ?`, [v.id])).toBe(2);
  });

  it('uses the location’s own threshold, and counts a transfer leaving the store', async () => {
    const [v] = await aProduct(t);
    const store = await aStore(t, { lowStockThreshold: 10 });
    const other = await aStore(t);
    await stock(t, store, v, 12);
    await aTransfer(t, store, other, v.sku, 2, { shipped: true }); // 12 → 10
    expect(lowEvents(v.id)).toEqual([expect.objectContaining({ locationId: store.id, available: 10, threshold: 10 })]);
    // Counting the receiver up from nothing is no crossing downwards.
    await stock(t, other, v, 2);
    expect(lowEvents(v.id)).toHaveLength(1);
  });
});
