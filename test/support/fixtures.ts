import { SYSTEM, StaffRole } from '../../src/core/auth/actor';
import { hashPassword } from '../../src/core/auth/password';
import { SessionSubject } from '../../src/core/auth/session.entity';
import { issueToken } from '../../src/core/auth/sessions';
import { Channel } from '../../src/core/channel';
import type { ServiceContext } from '../../src/core/context';
import { transactional } from '../../src/core/db/transaction';
import { ok } from '../../src/core/errors';
import { catalogService, type ProductVariant } from '../../src/modules/catalog';
import { Customer, nextLoyaltyNumber } from '../../src/modules/customer';
import { inventoryService, transferService } from '../../src/modules/inventory';
import { LocationKind, locationService, type Location } from '../../src/modules/location';
import { LoyaltyTransactionKind, loyaltyService } from '../../src/modules/loyalty';
import { Staff } from '../../src/modules/staff';
import {
  CartCreateDocument,
  CartSetContactDocument,
  CartSetFulfillmentDocument,
  CheckoutCompleteDocument,
  OrderMarkReadyDocument,
  type CartLineInput,
} from './generated/graphql';
import { type TestApp, unique } from './harness';

/**
 * Named builders for test data. They go through the services (the same code paths as the API)
 * with a system context, so a test can arrange its world in a few lines without HTTP round trips.
 */
/** Runs `work` in one transaction the way services do (core's transactional) and returns what it returns. */
export async function inTransaction<T>(ctx: ServiceContext, work: (tx: ServiceContext) => Promise<T>): Promise<T> {
  const result = await transactional(ctx, async (tx) => ok(await work(tx)));
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.value;
}

export function systemContext(t: TestApp): ServiceContext {
  return { requestId: 'fixture', em: t.app.orm.em.fork(), actor: SYSTEM, channel: Channel.POS, config: t.config, log: t.app.log, events: t.app.events };
}

function expectOk<T>(result: { ok: true; value: T } | { ok: false; errors: { message: string }[] }): T {
  if (!result.ok) throw new Error(`fixture rejected: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.value;
}

export async function aStore(
  t: TestApp,
  overrides: { pickupEnabled?: boolean; kind?: LocationKind; shipEnabled?: boolean; lowStockThreshold?: number } = {},
): Promise<Location> {
  const kind = overrides.kind ?? LocationKind.STORE;
  return expectOk(
    await locationService.create(systemContext(t), {
      code: unique(kind === LocationKind.STORE ? 'S' : 'W').slice(0, 32),
      name: `Test ${kind.toLowerCase()}`,
      kind,
      pickupEnabled: overrides.pickupEnabled ?? kind === LocationKind.STORE,
      shipEnabled: overrides.shipEnabled,
      lowStockThreshold: overrides.lowStockThreshold,
    }),
  );
}

export const aWarehouse = (t: TestApp) => aStore(t, { kind: LocationKind.WAREHOUSE, pickupEnabled: false });

/** A product with one variant per price given; returns the variants in order. */
export async function aProduct(t: TestApp, prices: number[] = [10_00]): Promise<ProductVariant[]> {
  const base = unique('SKU');
  const ctx = systemContext(t);
  expectOk(
    await catalogService.createProduct(ctx, {
      title: `Product ${base}`,
      variants: prices.map((priceAmount, i) => ({ sku: `${base}-${i}`, title: `Variant ${i}`, priceAmount })),
    }),
  );
  const bySku = await catalogService.variantsBySku(
    ctx,
    prices.map((_, i) => `${base}-${i}`),
  );
  return prices.map((_, i) => bySku.get(`${base}-${i}`)!);
}

export async function stock(t: TestApp, location: Location, variant: ProductVariant, onHand: number): Promise<void> {
  expectOk(await inventoryService.setOnHand(systemContext(t), { locationId: location.id, sku: variant.sku, onHand }));
}

export const PASSWORD = 'correct-horse-battery';
let passwordHash: Promise<string> | undefined;
const hashed = () => (passwordHash ??= hashPassword(PASSWORD));

export interface SignedIn<T> {
  token: string;
  account: T;
}

/** A staff member of the given role (at `location` unless ADMIN), with a live POS session. */
export async function aStaff(t: TestApp, role: StaffRole, location?: Location): Promise<SignedIn<Staff>> {
  const ctx = systemContext(t);
  const staff = ctx.em.create(Staff, {
    email: `${unique(role)}@staff.test`.toLowerCase(),
    passwordHash: await hashed(),
    role,
    location: role === StaffRole.ADMIN ? undefined : location,
  });
  await ctx.em.flush();
  const token = await issueToken(ctx.em, SessionSubject.STAFF, staff.id, Channel.POS, 1);
  await ctx.em.flush();
  return { token, account: staff };
}

export const anAdmin = (t: TestApp) => aStaff(t, StaffRole.ADMIN);

export async function aCustomer(t: TestApp, channel: Channel = Channel.WEB): Promise<SignedIn<Customer>> {
  const ctx = systemContext(t);
  const customer = ctx.em.create(Customer, {
    email: `${unique('c')}@customer.test`.toLowerCase(),
    passwordHash: await hashed(),
    name: 'Test Customer',
    loyaltyNumber: await nextLoyaltyNumber(ctx.em),
  });
  loyaltyService.openAccount(ctx, customer.id);
  await ctx.em.flush();
  const token = await issueToken(ctx.em, SessionSubject.CUSTOMER, customer.id, channel, 1);
  await ctx.em.flush();
  return { token, account: customer };
}

/** Points on a customer's account, as an ADJUSTMENT ledger row (the real posting path). */
export async function givePoints(t: TestApp, customerId: string, points: number): Promise<void> {
  const ctx = systemContext(t);
  if (!(await inTransaction(ctx, (tx) => loyaltyService.post(tx, { customerId, kind: LoyaltyTransactionKind.ADJUSTMENT, points }))))
    throw new Error('points refused');
}

/** A variant's stock at a location (zeros when it was never stocked there). */
export async function stockLevel(t: TestApp, locationId: string, variantId: string): Promise<{ on_hand: number; reserved: number }> {
  const rows = await t.app.orm.em
    .fork()
    .getConnection()
    .execute<{ on_hand: number; reserved: number }[]>('select on_hand, reserved from stock_level where location_id = ? and variant_id = ?', [
      locationId,
      variantId,
    ]);
  return rows[0] ?? { on_hand: 0, reserved: 0 };
}

export const pointsBalance = (t: TestApp, customerId: string): Promise<number> =>
  sqlNumber(t, 'select balance n from loyalty_account where customer_id = ?', [customerId]);

/** One number from SQL, for asserting what a failed request did not change. */
export async function sqlNumber(t: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await t.app.orm.em.fork().getConnection().execute<{ n: string }[]>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** A cart (a guest's, or the token holder's) with the lines given, to pick up at `store`, made over HTTP as a client would. */
export async function aPickupCart(t: TestApp, store: Location, lines: CartLineInput[], token?: string): Promise<string> {
  const { cartCreate } = await t.data(CartCreateDocument, { input: { lines } }, { token });
  const cartId = cartCreate.cart!.id;
  const { cartSetFulfillment } = await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: store.id } }, { token });
  if (cartSetFulfillment.userErrors.length) throw new Error(`fulfillment refused: ${JSON.stringify(cartSetFulfillment.userErrors)}`);
  // A guest gives the email the order is confirmed to (and found with) before checking out.
  if (!token) await aGuestContact(t, cartId);
  return cartId;
}

/** A guest cart's contact email (required to check out a guest cart); returns the email. */
export async function aGuestContact(t: TestApp, cartId: string, email = `${unique('guest')}@guest.test`.toLowerCase()): Promise<string> {
  const { cartSetContact } = await t.data(CartSetContactDocument, { cartId, input: { email } });
  if (cartSetContact.userErrors.length) throw new Error(`contact refused: ${JSON.stringify(cartSetContact.userErrors)}`);
  return email;
}

/** An order placed by aPickupOrder: its id, the customer's pickup code and its cart. */
export interface PickupOrder {
  id: string;
  code: string;
  cartId: string;
}

/**
 * A customer's order of one unit of `sku` for pickup at `store`, placed over HTTP and paid in
 * store; READY_FOR_PICKUP when `ready` is set, marked by `readyBy` (a staff token of the store).
 */
export async function aPickupOrder(
  t: TestApp,
  store: Location,
  customerToken: string,
  sku: string,
  options: { ready?: boolean; readyBy?: string } = {},
): Promise<PickupOrder> {
  const token = customerToken;
  const cartId = await aPickupCart(t, store, [{ sku, quantity: 1 }], token);
  const { checkoutComplete } = await t.data(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' }, { token });
  if (checkoutComplete.userErrors.length) throw new Error(`checkout refused: ${JSON.stringify(checkoutComplete.userErrors)}`);
  const order = checkoutComplete.order!;
  if (options.ready) {
    const { orderMarkReady } = await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: options.readyBy });
    if (orderMarkReady.userErrors.length) throw new Error(`mark ready refused: ${JSON.stringify(orderMarkReady.userErrors)}`);
  }
  return { id: order.id, code: order.fulfillment.pickupCode!, cartId };
}

/** A stock transfer of `quantity` units of `sku` from one location to another, made as the system; shipped when asked. */
export async function aTransfer(t: TestApp, from: Location, to: Location, sku: string, quantity: number, options: { shipped?: boolean } = {}): Promise<string> {
  const ctx = systemContext(t);
  const transfer = expectOk(await transferService.create(ctx, { fromLocationId: from.id, toLocationId: to.id, lines: [{ sku, quantity }] }));
  if (options.shipped) expectOk(await transferService.ship(systemContext(t), transfer.id));
  return transfer.id;
}
