import { StaffRole } from '../../../core/auth/actor';
import { anAdmin, aPickupCart, aProduct, aStaff, aStore, sqlNumber, stock, stockLevel } from '../../../../test/support/fixtures';
import {
  CheckoutCompleteDocument,
  StockTransferCreateDocument,
  StockTransferReceiveDocument,
  StockTransferShipDocument,
  StockTransfersDocument,
  VariantIncomingDocument,
} from '../../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../../test/support/harness';
import { invariantViolations } from '../../../../test/support/invariants';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterEach(async () => {
  expect(await invariantViolations(t)).toEqual([]);
});
afterAll(() => t.close());

const level = (locationId: string, variantId: string) => stockLevel(t, locationId, variantId);
const movements = (transferId: string) =>
  t.app.orm.em
    .fork()
    .getConnection()
    .execute<{ kind: string; location_id: string; on_hand_delta: number; reserved_delta: number; staff_id: string | null }[]>(
      'select kind, location_id, on_hand_delta, reserved_delta, staff_id from inventory_movement where transfer_id = ? order by created_at, kind',
      [transferId],
    );
const transferCount = () => sqlNumber(t, 'select count(*) n from stock_transfer');

/** Two stores, a variant stocked at the first, and a staff member of each (plus an admin). */
async function twoStores(onHand = 10, prices = [10_00]) {
  const variants = await aProduct(t, prices);
  const [from, to] = [await aStore(t), await aStore(t)];
  for (const v of variants) await stock(t, from, v, onHand);
  return {
    variants,
    v: variants[0],
    from,
    to,
    sender: await aStaff(t, StaffRole.ASSOCIATE, from),
    receiver: await aStaff(t, StaffRole.ASSOCIATE, to),
  };
}

async function created(token: string, fromLocationId: string, toLocationId: string, lines: { sku: string; quantity: number }[]) {
  const { stockTransferCreate } = await t.data(StockTransferCreateDocument, { input: { fromLocationId, toLocationId, lines } }, { token });
  expect(stockTransferCreate.userErrors).toEqual([]);
  return stockTransferCreate.transfer!;
}

describe('stock transfers', () => {
  it('moves 5 units, of which 4 arrive: −5 at the sender, incoming 5 on the way, +4 at the receiver and 1 lost', async () => {
    const { v, from, to, sender, receiver } = await twoStores(10);

    const transfer = await created(sender.token, from.id, to.id, [{ sku: v.sku, quantity: 5 }]);
    expect(transfer).toMatchObject({
      status: 'DRAFT',
      from: { id: from.id },
      to: { id: to.id },
      lines: [{ variant: { sku: v.sku }, quantity: 5, receivedQuantity: 0 }],
      shippedAt: null,
    });
    expect(await level(from.id, v.id)).toEqual({ on_hand: 10, reserved: 0 });
    expect(await invariantViolations(t)).toEqual([]);

    const shipped = (await t.data(StockTransferShipDocument, { id: transfer.id }, { token: sender.token })).stockTransferShip;
    expect(shipped.userErrors).toEqual([]);
    expect(shipped.transfer).toMatchObject({ status: 'IN_TRANSIT', shippedAt: expect.any(String) });
    expect(await level(from.id, v.id)).toEqual({ on_hand: 5, reserved: 0 });
    expect(await level(to.id, v.id)).toEqual({ on_hand: 0, reserved: 0 });
    const onTheWay = (await t.data(VariantIncomingDocument, { sku: v.sku, locationIds: [from.id, to.id] })).variantBySku!;
    expect(onTheWay.availability).toEqual(
      expect.arrayContaining([
        { available: 5, incoming: 0, location: { id: from.id } },
        { available: 0, incoming: 5, location: { id: to.id } },
      ]),
    );
    expect(await invariantViolations(t)).toEqual([]);

    const received = (await t.data(StockTransferReceiveDocument, { id: transfer.id, lines: [{ sku: v.sku, quantity: 4 }] }, { token: receiver.token }))
      .stockTransferReceive;
    expect(received.userErrors).toEqual([]);
    expect(received.transfer).toMatchObject({ status: 'RECEIVED', receivedAt: expect.any(String), lines: [{ quantity: 5, receivedQuantity: 4 }] });
    expect(await level(from.id, v.id)).toEqual({ on_hand: 5, reserved: 0 });
    expect(await level(to.id, v.id)).toEqual({ on_hand: 4, reserved: 0 });
    expect(await movements(transfer.id)).toEqual([
      { kind: 'TRANSFER_OUT', location_id: from.id, on_hand_delta: -5, reserved_delta: 0, staff_id: sender.account.id },
      { kind: 'TRANSFER_IN', location_id: to.id, on_hand_delta: 5, reserved_delta: 0, staff_id: receiver.account.id },
      { kind: 'TRANSFER_LOSS', location_id: to.id, on_hand_delta: -1, reserved_delta: 0, staff_id: receiver.account.id },
    ]);
    const after = (await t.data(VariantIncomingDocument, { sku: v.sku, locationIds: [to.id] })).variantBySku!;
    expect(after).toEqual({ availableQuantity: 9, availability: [{ available: 4, incoming: 0, location: { id: to.id } }] });
  });

  it('lists a location’s transfers out and in, by status, to its staff', async () => {
    const { v, from, to, sender, receiver } = await twoStores(10);
    const first = await created(sender.token, from.id, to.id, [{ sku: v.sku, quantity: 1 }]);
    const second = await created(sender.token, from.id, to.id, [{ sku: v.sku, quantity: 2 }]);
    await t.data(StockTransferShipDocument, { id: second.id }, { token: sender.token });

    const all = (await t.data(StockTransfersDocument, { locationId: to.id }, { token: receiver.token })).stockTransfers;
    expect(all.map((x) => x.id)).toEqual([second.id, first.id]);
    const inTransit = (await t.data(StockTransfersDocument, { locationId: from.id, statuses: ['IN_TRANSIT'] }, { token: sender.token })).stockTransfers;
    expect(inTransit.map((x) => x.id)).toEqual([second.id]);
    expect(errorCodes(await t.gql(StockTransfersDocument, { locationId: from.id }, { token: receiver.token }))).toEqual(['FORBIDDEN']);
  });

  it('refuses bad transfers with userErrors and writes nothing', async () => {
    const { v, from, to, sender } = await twoStores(10);
    const admin = await anAdmin(t);
    const before = await transferCount();
    const attempt = async (input: { fromLocationId: string; toLocationId: string; lines: { sku: string; quantity: number }[] }) =>
      (await t.data(StockTransferCreateDocument, { input }, { token: admin.token })).stockTransferCreate;
    const line = (quantity: number, sku = v.sku) => [{ sku, quantity }];

    expect((await attempt({ fromLocationId: from.id, toLocationId: from.id, lines: line(1) })).userErrors).toMatchObject([
      { code: 'INVALID_INPUT', field: ['input', 'toLocationId'] },
    ]);
    expect((await attempt({ fromLocationId: from.id, toLocationId: to.id, lines: line(0) })).userErrors).toMatchObject([
      { code: 'INVALID_QUANTITY', field: ['input', 'lines', '0', 'quantity'] },
    ]);
    expect((await attempt({ fromLocationId: from.id, toLocationId: to.id, lines: line(-3) })).userErrors).toMatchObject([{ code: 'INVALID_QUANTITY' }]);
    expect((await attempt({ fromLocationId: from.id, toLocationId: to.id, lines: line(1, 'NO-SUCH-SKU') })).userErrors).toMatchObject([
      { code: 'NOT_FOUND', field: ['input', 'lines', '0', 'sku'] },
    ]);
    expect((await attempt({ fromLocationId: from.id, toLocationId: to.id, lines: [] })).userErrors).toMatchObject([
      { code: 'INVALID_INPUT', field: ['input', 'lines'] },
    ]);
    expect((await attempt({ fromLocationId: from.id, toLocationId: to.id, lines: [...line(1), ...line(2)] })).userErrors).toMatchObject([
      { code: 'INVALID_INPUT', field: ['input', 'lines', '1', 'sku'] },
    ]);
    expect((await attempt({ fromLocationId: from.id, toLocationId: '00000000-0000-4000-8000-000000000000', lines: line(1) })).userErrors).toMatchObject([
      { code: 'NOT_FOUND', field: ['input', 'toLocationId'] },
    ]);
    expect(await transferCount()).toBe(before);

    const transfer = await created(sender.token, from.id, to.id, line(3));
    const receive = async (lines: { sku: string; quantity: number }[]) =>
      (await t.data(StockTransferReceiveDocument, { id: transfer.id, lines }, { token: admin.token })).stockTransferReceive;
    // Not shipped yet: nothing to receive.
    expect((await receive(line(3))).userErrors).toMatchObject([{ code: 'INVALID_STATE' }]);
    expect((await t.data(StockTransferShipDocument, { id: transfer.id }, { token: sender.token })).stockTransferShip.userErrors).toEqual([]);
    // Shipping twice takes nothing more.
    expect((await t.data(StockTransferShipDocument, { id: transfer.id }, { token: sender.token })).stockTransferShip.userErrors).toMatchObject([
      { code: 'INVALID_STATE' },
    ]);
    expect(await level(from.id, v.id)).toEqual({ on_hand: 7, reserved: 0 });
    // More than was sent, a negative count, a SKU not on the transfer: refused, nothing received.
    expect((await receive(line(4))).userErrors).toMatchObject([{ code: 'INVALID_QUANTITY', field: ['lines', '0', 'quantity'] }]);
    expect((await receive(line(-1))).userErrors).toMatchObject([{ code: 'INVALID_QUANTITY' }]);
    expect((await receive(line(1, 'NO-SUCH-SKU'))).userErrors).toMatchObject([{ code: 'INVALID_INPUT', field: ['lines', '0', 'sku'] }]);
    expect(await level(to.id, v.id)).toEqual({ on_hand: 0, reserved: 0 });
    expect((await receive(line(3))).userErrors).toEqual([]);
    expect((await receive(line(3))).userErrors).toMatchObject([{ code: 'INVALID_STATE' }]);
    expect(await level(to.id, v.id)).toEqual({ on_hand: 3, reserved: 0 });

    const unknown = (await t.data(StockTransferShipDocument, { id: 'not-an-id' }, { token: admin.token })).stockTransferShip;
    expect(unknown.userErrors).toMatchObject([{ code: 'NOT_FOUND' }]);
  });

  it('ships all lines or none, and never takes units reserved for orders', async () => {
    const { variants, from, to, sender } = await twoStores(3, [10_00, 12_00]);
    const [a, b] = variants;
    // A customer's pickup order holds 2 of the 3 units of b.
    const cartId = await aPickupCart(t, from, [{ sku: b.sku, quantity: 2 }]);
    expect(
      (await t.data(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('k'), paymentMethod: 'PAY_IN_STORE' })).checkoutComplete.userErrors,
    ).toEqual([]);

    const transfer = await created(sender.token, from.id, to.id, [
      { sku: a.sku, quantity: 3 },
      { sku: b.sku, quantity: 2 },
    ]);
    const refused = (await t.data(StockTransferShipDocument, { id: transfer.id }, { token: sender.token })).stockTransferShip;
    expect(refused).toEqual({ transfer: null, userErrors: [{ code: 'OUT_OF_STOCK', message: expect.stringContaining('Only 1'), field: ['lines', '1'] }] });
    expect(await level(from.id, a.id)).toEqual({ on_hand: 3, reserved: 0 });
    expect(await level(from.id, b.id)).toEqual({ on_hand: 3, reserved: 2 });
    expect(await movements(transfer.id)).toEqual([]);
    const list = (await t.data(StockTransfersDocument, { locationId: from.id }, { token: sender.token })).stockTransfers;
    expect(list.find((x) => x.id === transfer.id)!.status).toBe('DRAFT');
  });

  it('lets only staff of the sending store (or ADMIN) create and ship, and of the receiving store receive', async () => {
    const { v, from, to, sender, receiver } = await twoStores(10);
    const input = { fromLocationId: from.id, toLocationId: to.id, lines: [{ sku: v.sku, quantity: 1 }] };
    expect(errorCodes(await t.gql(StockTransferCreateDocument, { input }, { token: receiver.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.gql(StockTransferCreateDocument, { input }))).toEqual(['UNAUTHENTICATED']);
    const transfer = await created(sender.token, from.id, to.id, input.lines);
    expect(errorCodes(await t.gql(StockTransferShipDocument, { id: transfer.id }, { token: receiver.token }))).toEqual(['FORBIDDEN']);
    await t.data(StockTransferShipDocument, { id: transfer.id }, { token: sender.token });
    expect(errorCodes(await t.gql(StockTransferReceiveDocument, { id: transfer.id, lines: input.lines }, { token: sender.token }))).toEqual(['FORBIDDEN']);
    expect(
      (await t.data(StockTransferReceiveDocument, { id: transfer.id, lines: input.lines }, { token: receiver.token })).stockTransferReceive.userErrors,
    ).toEqual([]);
  });
});

describe('a transfer racing checkouts', () => {
  it('never oversells: 100 checkouts of the last units against the shipment of the same units', async () => {
    const { v, from, to, sender } = await twoStores(60);
    const transfer = await created(sender.token, from.id, to.id, [{ sku: v.sku, quantity: 40 }]);
    const carts = await Promise.all(Array.from({ length: 100 }, () => aPickupCart(t, from, [{ sku: v.sku, quantity: 1 }])));

    const checkouts = carts.map((cartId) => t.gql(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('race'), paymentMethod: 'PAY_IN_STORE' }));
    const ship = t.gql(StockTransferShipDocument, { id: transfer.id }, { token: sender.token });
    const [shipped, ...placed] = await Promise.all([ship, ...checkouts]);

    expect(placed.flatMap((r) => r.errors ?? [])).toEqual([]);
    const orders = placed.filter((r) => r.data!.checkoutComplete.order).length;
    const refusals = placed.flatMap((r) => r.data!.checkoutComplete.userErrors.map((e) => e.code));
    expect(new Set(refusals)).toEqual(new Set(refusals.length ? ['OUT_OF_STOCK'] : []));
    const sent = shipped.data!.stockTransferShip.transfer ? 40 : 0;
    if (!sent) expect(shipped.data!.stockTransferShip.userErrors.map((e) => e.code)).toEqual(['OUT_OF_STOCK']);
    // Every unit is sold once or sent once, never both; what is left is on the shelf.
    expect(orders + sent).toBeLessThanOrEqual(60);
    expect(orders).toBe(sent ? 20 : 60);
    expect(await level(from.id, v.id)).toEqual({ on_hand: 60 - sent, reserved: orders });
  });
});
