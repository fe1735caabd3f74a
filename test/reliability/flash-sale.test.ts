// Flash sale: 500 buyers, each with their own cart, check out at once over HTTP for the 10 units
// one store has. Exactly 10 orders, 490 OUT_OF_STOCK, no errors, and the stock row, sampled all
// along from another connection, never shows reserved above on hand. Then the same store ships a
// transfer of 6 of its 10 units while 100 buyers check out: each unit is sold or sent, never both.
import { Client } from 'pg';
import { aPickupCart, aProduct, aStore, aTransfer, anAdmin, sqlNumber, stock, stockLevel } from '../support/fixtures';
import { CheckoutCompleteDocument, StockTransferShipDocument } from '../support/generated/graphql';
import { TestApp, unique } from '../support/harness';
import { invariantViolations } from '../support/invariants';
import { databaseKind, recordFigures } from './results';

const BUYERS = 500;
const onServer = process.env.TEST_POSTGRES_SERVER === 'true' && process.env.TEST_DATABASE_KIND === 'postgres';
const UNITS = 10;

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

it(`sells exactly the ${UNITS} units in stock to ${BUYERS} buyers at once, and refuses the others`, async () => {
  const [v] = await aProduct(t, [5_00]);
  const store = await aStore(t);
  await stock(t, store, v, UNITS);
  const carts: string[] = [];
  for (let batch = 0; batch < BUYERS; batch += 25) {
    carts.push(...(await Promise.all(Array.from({ length: 25 }, () => aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }])))));
  }

  // On a server the samples have their own connection, so they do not queue behind the
  // checkouts in the service's pool; PGlite serves one session, which a second client would hang.
  const watcher = onServer ? new Client({ connectionString: process.env.TEST_DATABASE_URL }) : undefined;
  await watcher?.connect();
  const sample = async () =>
    watcher
      ? (await watcher.query('select on_hand, reserved from stock_level where location_id = $1 and variant_id = $2', [store.id, v.id])).rows[0]
      : stockLevel(t, store.id, v.id);
  let sampling = true;
  const samples: { on_hand: number; reserved: number }[] = [];
  const sampler = (async () => {
    while (sampling) {
      samples.push(await sample());
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const started = Date.now();
  const responses = await Promise.all(
    carts.map((cartId) => t.gql(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('flash'), paymentMethod: 'PAY_IN_STORE' })),
  );
  const ms = Date.now() - started;
  sampling = false;
  await sampler;
  await watcher?.end();

  const errors = responses.flatMap((r) => (r.status === 200 ? (r.errors ?? []) : [{ message: `HTTP ${r.status}` }]));
  const placed = responses.filter((r) => r.data?.checkoutComplete.order);
  const refused = responses.flatMap((r) => r.data?.checkoutComplete.userErrors.map((e) => e.code) ?? []);
  const negativeSamples = samples.filter((s) => s.reserved > s.on_hand || s.on_hand < 0).length;
  const orders = await sqlNumber(t, `select count(*) n from orders where cart_id in (?)`, [carts]);
  const violations = await invariantViolations(t);
  recordFigures('Flash sale', databaseKind(), {
    buyers: BUYERS,
    'units in stock': UNITS,
    'orders placed': orders,
    'OUT_OF_STOCK answers': refused.filter((c) => c === 'OUT_OF_STOCK').length,
    'other answers or errors': errors.length + refused.filter((c) => c !== 'OUT_OF_STOCK').length,
    oversold: Math.max(0, orders - UNITS),
    'stock samples (reserved > on hand)': `${samples.length} (${negativeSamples})`,
    'invariant violations': violations.length,
    'checkout wall time': `${(ms / 1000).toFixed(1)} s`,
  });

  expect(errors).toEqual([]);
  expect(placed).toHaveLength(UNITS);
  expect(refused).toHaveLength(BUYERS - UNITS);
  expect(new Set(refused)).toEqual(new Set(['OUT_OF_STOCK']));
  expect(orders).toBe(UNITS);
  expect(samples.length).toBeGreaterThan(0);
  expect(negativeSamples).toBe(0);
  expect(await stockLevel(t, store.id, v.id)).toEqual({ on_hand: UNITS, reserved: UNITS });
  expect(await sqlNumber(t, `select count(*) n from cart where id in (?) and status = 'ACTIVE'`, [carts])).toBe(BUYERS - UNITS);
  expect(violations).toEqual([]);
});

it(`never sells a unit that a transfer ships: 100 buyers at once against the shipment of 6 of the ${UNITS} units`, async () => {
  const BUYERS_AGAINST_TRANSFER = 100;
  const SENT = 6;
  const [v] = await aProduct(t, [5_00]);
  const [store, other] = [await aStore(t), await aStore(t)];
  await stock(t, store, v, UNITS);
  const admin = await anAdmin(t);
  const transferId = await aTransfer(t, store, other, v.sku, SENT);
  const carts: string[] = [];
  for (let batch = 0; batch < BUYERS_AGAINST_TRANSFER; batch += 25) {
    carts.push(...(await Promise.all(Array.from({ length: 25 }, () => aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }])))));
  }

  const checkouts = carts.map((cartId) => t.gql(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('flash-transfer'), paymentMethod: 'PAY_IN_STORE' }));
  // The shipment starts among the first checkouts, so it meets them on the same stock row.
  const [shipment, ...responses] = await Promise.all([t.gql(StockTransferShipDocument, { id: transferId }, { token: admin.token }), ...checkouts]);

  const errors = [...responses, shipment].flatMap((r) => (r.status === 200 ? (r.errors ?? []) : [{ message: `HTTP ${r.status}` }]));
  const orders = responses.filter((r) => r.data?.checkoutComplete.order).length;
  const refused = responses.flatMap((r) => r.data?.checkoutComplete.userErrors.map((e) => e.code) ?? []);
  const sent = shipment.data?.stockTransferShip.transfer ? SENT : 0;
  const level = await stockLevel(t, store.id, v.id);
  const violations = await invariantViolations(t);
  recordFigures('Flash sale against a transfer', databaseKind(), {
    buyers: BUYERS_AGAINST_TRANSFER,
    'units in stock': UNITS,
    'units in the transfer': SENT,
    'transfer shipped': sent ? 'yes' : `no (${shipment.data?.stockTransferShip.userErrors.map((e) => e.code).join(', ')})`,
    'orders placed': orders,
    'units sold + sent': orders + sent,
    oversold: Math.max(0, orders + sent - UNITS),
    'invariant violations': violations.length,
  });

  expect(errors).toEqual([]);
  expect(new Set(refused)).toEqual(new Set(['OUT_OF_STOCK']));
  // Every unit is sold or sent exactly once: the shipment takes 6 before the reservations pass 4,
  // or it is refused and the buyers get all 10.
  expect(orders + sent).toBe(UNITS);
  expect(level).toEqual({ on_hand: UNITS - sent, reserved: orders });
  expect(violations).toEqual([]);
});
