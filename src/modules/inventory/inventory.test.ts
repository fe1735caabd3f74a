import { randomUUID } from 'node:crypto';
import { StaffRole } from '../../core/auth/actor';
import { transactional } from '../../core/db/transaction';
import { aCustomer, anAdmin, aProduct, aStaff, aStore, aWarehouse, sqlNumber, stock, systemContext } from '../../../test/support/fixtures';
import { InventorySetDocument, VariantBySkuDocument } from '../../../test/support/generated/graphql';
import { TestApp, errorCodes } from '../../../test/support/harness';
import type { ProductVariant } from '../catalog';
import type { Location } from '../location';
import { MovementKind } from './inventory.entity';
import { inventoryService } from './inventory.service';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const sql = <T>(query: string, params: unknown[] = []) => t.app.orm.em.fork().getConnection().execute<T[]>(query, params);

interface Movement {
  kind: string;
  on_hand_delta: number;
  reserved_delta: number;
  staff_id: string | null;
  channel: string | null;
}
const movements = (location: Location, variant: ProductVariant) =>
  sql<Movement>(
    `select kind, on_hand_delta, reserved_delta, staff_id, channel from inventory_movement
      where location_id = ? and variant_id = ? order by created_at, id`,
    [location.id, variant.id],
  );
const level = async (location: Location, variant: ProductVariant) =>
  (
    await sql<{ id: string; on_hand: number; reserved: number }>(`select id, on_hand, reserved from stock_level where location_id = ? and variant_id = ?`, [
      location.id,
      variant.id,
    ])
  )[0];
const byValue = (x: number, y: number) => x - y;
const rowsOfVariant = async (variant: ProductVariant) => ({
  levels: await sqlNumber(t, `select count(*) n from stock_level where variant_id = ?`, [variant.id]),
  movements: await sqlNumber(t, `select count(*) n from inventory_movement where variant_id = ?`, [variant.id]),
});

/** Holds units for an open order the way checkout does: through the inventory service, in a transaction. */
async function reserve(location: Location, variant: ProductVariant, units: number): Promise<void> {
  const ctx = systemContext(t);
  const result = await transactional(ctx, (tx) =>
    inventoryService.apply(tx, [{ locationId: location.id, variantId: variant.id, kind: MovementKind.RESERVE, onHandDelta: 0, reservedDelta: units }]),
  );
  expect(result).toEqual({ ok: true });
}

describe('inventorySet', () => {
  it('lets an admin set stock at any store or warehouse, answering with what is available', async () => {
    const admin = await anAdmin(t);
    const [variant] = await aProduct(t);
    for (const location of [await aStore(t), await aWarehouse(t)]) {
      const { inventorySet } = await t.data(InventorySetDocument, { locationId: location.id, sku: variant.sku, onHand: 7 }, { token: admin.token });
      expect(inventorySet).toEqual({ availability: { available: 7, location: { id: location.id, code: location.code } }, userErrors: [] });
      expect(await level(location, variant)).toMatchObject({ on_hand: 7, reserved: 0 });
    }
  });

  it('lets a manager set stock in their own store', async () => {
    const store = await aStore(t);
    const manager = await aStaff(t, StaffRole.MANAGER, store);
    const [variant] = await aProduct(t);
    const { inventorySet } = await t.data(InventorySetDocument, { locationId: store.id, sku: ` ${variant.sku} `, onHand: 4 }, { token: manager.token });
    expect(inventorySet.userErrors).toEqual([]);
    expect(inventorySet.availability!.available).toBe(4);
    expect(await movements(store, variant)).toEqual([
      { kind: 'ADJUSTMENT', on_hand_delta: 4, reserved_delta: 0, staff_id: manager.account.id, channel: 'POS' },
    ]);
  });

  it('refuses other stores’ managers, associates and customers (FORBIDDEN) and guests (UNAUTHENTICATED), writing nothing', async () => {
    const store = await aStore(t);
    const otherStore = await aStore(t);
    const [variant] = await aProduct(t);
    const callers = [
      [undefined, 'UNAUTHENTICATED'],
      [(await aCustomer(t)).token, 'FORBIDDEN'],
      [(await aStaff(t, StaffRole.ASSOCIATE, store)).token, 'FORBIDDEN'],
      [(await aStaff(t, StaffRole.MANAGER, otherStore)).token, 'FORBIDDEN'],
    ] as const;
    for (const [token, code] of callers) {
      const res = await t.gql(InventorySetDocument, { locationId: store.id, sku: variant.sku, onHand: 5 }, { token });
      expect(errorCodes(res)).toEqual([code]);
      expect(res.data?.inventorySet ?? null).toBeNull();
    }
    // A manager cannot reach a warehouse either.
    const manager = await aStaff(t, StaffRole.MANAGER, store);
    expect(
      errorCodes(await t.gql(InventorySetDocument, { locationId: (await aWarehouse(t)).id, sku: variant.sku, onHand: 5 }, { token: manager.token })),
    ).toEqual(['FORBIDDEN']);
    expect(await rowsOfVariant(variant)).toEqual({ levels: 0, movements: 0 });
  });

  it.each([
    ['an unknown sku', 'NOT_FOUND', ['sku'], (store: Location) => ({ locationId: store.id, sku: 'NO-SUCH-SKU-ANYWHERE', onHand: 1 })],
    ['a negative count', 'INVALID_QUANTITY', ['onHand'], (store: Location, sku: string) => ({ locationId: store.id, sku, onHand: -1 })],
    ['a count over one billion', 'INVALID_QUANTITY', ['onHand'], (store: Location, sku: string) => ({ locationId: store.id, sku, onHand: 1_000_000_001 })],
    ['an unknown location', 'NOT_FOUND', ['locationId'], (_: Location, sku: string) => ({ locationId: randomUUID(), sku, onHand: 1 })],
    ['a location id that is not an id', 'NOT_FOUND', ['locationId'], (_: Location, sku: string) => ({ locationId: 'main-street', sku, onHand: 1 })],
  ])('refuses %s with %s, writing nothing', async (_case, code, field, args) => {
    const admin = await anAdmin(t);
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    const { inventorySet } = await t.data(InventorySetDocument, args(store, variant.sku), { token: admin.token });
    expect(inventorySet).toEqual({ availability: null, userErrors: [{ code, message: expect.any(String), field }] });
    expect(await rowsOfVariant(variant)).toEqual({ levels: 0, movements: 0 });
  });

  it('refuses to count fewer units than are reserved for open orders, and reports available net of them', async () => {
    const admin = await anAdmin(t);
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    await stock(t, store, variant, 10);
    await reserve(store, variant, 4);
    const before = await movements(store, variant);

    const refused = await t.data(InventorySetDocument, { locationId: store.id, sku: variant.sku, onHand: 3 }, { token: admin.token });
    expect(refused.inventorySet).toEqual({
      availability: null,
      userErrors: [{ code: 'INVALID_QUANTITY', message: expect.stringContaining('4'), field: ['onHand'] }],
    });
    expect(await level(store, variant)).toMatchObject({ on_hand: 10, reserved: 4 });
    expect(await movements(store, variant)).toEqual(before);

    const down = await t.data(InventorySetDocument, { locationId: store.id, sku: variant.sku, onHand: 4 }, { token: admin.token });
    expect(down.inventorySet.availability!.available).toBe(0);
    const up = await t.data(InventorySetDocument, { locationId: store.id, sku: variant.sku, onHand: 12 }, { token: admin.token });
    expect(up.inventorySet.availability!.available).toBe(8);
    expect(await level(store, variant)).toMatchObject({ on_hand: 12, reserved: 4 });
  });

  it('writes one ADJUSTMENT movement per real change, holding the difference, and none for a no-op', async () => {
    const admin = await anAdmin(t);
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    const deltas: number[] = [];
    for (const [onHand, delta] of [
      [5, 5],
      [5, 0],
      [2, -3],
      [9, 7],
      [9, 0],
      [0, -9],
    ]) {
      await t.data(InventorySetDocument, { locationId: store.id, sku: variant.sku, onHand }, { token: admin.token });
      if (delta !== 0) deltas.push(delta);
      // The deltas differ from each other, so the multiset shows which row each call added.
      const ledger = await movements(store, variant);
      expect(ledger.map((m) => m.on_hand_delta).sort(byValue)).toEqual([...deltas].sort(byValue));
      expect((await level(store, variant)).on_hand).toBe(onHand);
    }
    expect((await movements(store, variant)).every((m) => m.kind === 'ADJUSTMENT' && m.reserved_delta === 0 && m.staff_id === admin.account.id)).toBe(true);
  });

  it('shows the counts in variantBySku: availability per location (filtered by locationIds) and availableQuantity', async () => {
    const admin = await anAdmin(t);
    const [a, b, warehouse] = [await aStore(t), await aStore(t), await aWarehouse(t)];
    const [variant, other] = await aProduct(t, [500, 600]);
    const set = (location: Location, onHand: number, sku = variant.sku) =>
      t.data(InventorySetDocument, { locationId: location.id, sku, onHand }, { token: admin.token });
    await set(a, 5);
    await set(b, 3);
    await set(warehouse, 10);
    await set(a, 99, other.sku);
    await reserve(b, variant, 2);

    const byCode = (list: { available: number; location: { code: string } }[]) => Object.fromEntries(list.map((s) => [s.location.code, s.available]));
    const all = (await t.data(VariantBySkuDocument, { sku: variant.sku })).variantBySku!;
    expect(byCode(all.availability)).toEqual({ [a.code]: 5, [b.code]: 1, [warehouse.code]: 10 });
    expect(all.availableQuantity).toBe(16);

    const some = (await t.data(VariantBySkuDocument, { sku: variant.sku, locationIds: [b.id, warehouse.id] })).variantBySku!;
    expect(byCode(some.availability)).toEqual({ [b.code]: 1, [warehouse.code]: 10 });
    const none = (await t.data(VariantBySkuDocument, { sku: variant.sku, locationIds: [randomUUID()] })).variantBySku!;
    expect(none.availability).toEqual([]);

    await set(a, 0);
    const after = (await t.data(VariantBySkuDocument, { sku: variant.sku })).variantBySku!;
    expect(byCode(after.availability)).toEqual({ [a.code]: 0, [b.code]: 1, [warehouse.code]: 10 });
    expect(after.availableQuantity).toBe(11);
  });

  it('keeps the count equal to the sum of its ledger under 30 simultaneous sets', async () => {
    const admin = await anAdmin(t);
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    const requested = Array.from({ length: 30 }, (_, i) => i + 1);
    const results = await Promise.all(
      requested.map((onHand) => t.data(InventorySetDocument, { locationId: store.id, sku: variant.sku, onHand }, { token: admin.token })),
    );
    expect(results.flatMap((r) => r.inventorySet.userErrors)).toEqual([]);
    const final = await level(store, variant);
    const ledger = await movements(store, variant);
    expect(ledger.reduce((sum, m) => sum + m.on_hand_delta, 0)).toBe(final.on_hand);
    expect(requested).toContain(final.on_hand);
    expect(ledger.length).toBeGreaterThan(0);
    expect(ledger.length).toBeLessThanOrEqual(30);
    expect(ledger.every((m) => m.on_hand_delta !== 0)).toBe(true);
    expect(await sqlNumber(t, `select count(*) n from stock_level where variant_id = ?`, [variant.id])).toBe(1);
  });
});

describe('the stock tables', () => {
  it('refuse to update or delete a ledger row, even through raw SQL', async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    await stock(t, store, variant, 6);
    const [row] = await sql<{ id: string }>(`select id from inventory_movement where location_id = ? and variant_id = ?`, [store.id, variant.id]);
    await expect(sql(`update inventory_movement set on_hand_delta = 600 where id = ?`, [row.id])).rejects.toThrow(/append-only/);
    await expect(sql(`delete from inventory_movement where id = ?`, [row.id])).rejects.toThrow(/append-only/);
    expect((await movements(store, variant)).map((m) => m.on_hand_delta)).toEqual([6]);
  });

  it('refuse more reserved than on hand, or a negative count, even through raw SQL', async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    await stock(t, store, variant, 3);
    const { id } = await level(store, variant);
    await expect(sql(`update stock_level set reserved = on_hand + 1 where id = ?`, [id])).rejects.toThrow(/stock_level_reserved_within_on_hand/);
    await expect(sql(`update stock_level set on_hand = -1, reserved = -1 where id = ?`, [id])).rejects.toThrow(/stock_level_(on_hand|reserved)_not_negative/);
    expect(await level(store, variant)).toMatchObject({ on_hand: 3, reserved: 0 });
  });
});
