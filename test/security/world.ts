import { StaffRole } from '../../src/core/auth/actor';
import type { Location } from '../../src/modules/location';
import { SessionSubject } from '../../src/core/auth/session.entity';
import { issueToken } from '../../src/core/auth/sessions';
import { Channel } from '../../src/core/channel';
import type { Customer } from '../../src/modules/customer';
import { aCustomer, anAdmin, aPickupOrder, aProduct, aStaff, aStore, aWarehouse, stock, type PickupOrder, type SignedIn } from '../support/fixtures';
import { CartCreateDocument, CartSetFulfillmentDocument, CheckoutCompleteDocument } from '../support/generated/graphql';
import { unique, type TestApp } from '../support/harness';

export type CallerName = 'guest' | 'customerA' | 'customerB' | 'associateA' | 'associateB' | 'managerA' | 'admin';
export const CALLERS: CallerName[] = ['guest', 'customerA', 'customerB', 'associateA', 'associateB', 'managerA', 'admin'];

/** One side of the world: a store and the customer whose objects (carts, orders) are at stake. */
export interface Side {
  name: 'A' | 'B';
  store: Location;
  ownerToken: string;
  ownerId: string;
  ownerEmail: string;
  /** A PLACED pickup order of the owner at the store, left untouched by the matrix. */
  order: PickupOrder;
  /** A PLACED pickup order of the same owner at the other side's store: what nested paths must not reveal. */
  elsewhere: PickupOrder;
  /** A PLACED order of the same owner shipped from a warehouse, to a street only its owner (and ADMIN) may read. */
  shipped: { id: string; street: string };
}

/** The owner's order of one unit shipped from the warehouse, paid by card. */
async function aShippedOrder(t: TestApp, token: string, sku: string): Promise<{ id: string; street: string }> {
  const street = `${unique('1')} Secret Street`;
  const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku, quantity: 1 }] } }, { token });
  const cartId = cartCreate.cart!.id;
  const shippingAddress = { name: 'Owner', line1: street, city: 'Springfield', postalCode: '12345', countryCode: 'US' };
  await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'SHIP', shippingAddress } }, { token });
  const { checkoutComplete } = await t.data(
    CheckoutCompleteDocument,
    { cartId, idempotencyKey: unique('ship'), paymentMethod: 'CARD', paymentToken: 'tok_visa' },
    { token },
  );
  if (checkoutComplete.userErrors.length) throw new Error(`checkout refused: ${JSON.stringify(checkoutComplete.userErrors)}`);
  return { id: checkoutComplete.order!.id, street };
}

/**
 * Two stores and a caller of every kind: customers A and B, an associate of each store, the
 * manager of store A and an admin. Side A is customer A's objects at store A, side B customer B's
 * at store B, so every object-level rule is checked with the ids swapped between the callers.
 */
export interface World {
  sku: string;
  productId: string;
  tokens: Record<CallerName, string | undefined>;
  staffEmail: string;
  sides: { A: Side; B: Side };
  /** Another session of the caller's account (for signOut, which ends the session it is sent with). */
  freshToken(caller: Exclude<CallerName, 'guest'>): Promise<string>;
}

export async function aWorld(t: TestApp): Promise<World> {
  const [storeA, storeB] = [await aStore(t), await aStore(t)];
  const [variant] = await aProduct(t, [25_00]);
  await stock(t, storeA, variant, 1000);
  await stock(t, storeB, variant, 1000);
  await stock(t, await aWarehouse(t), variant, 1000);
  const customers = { customerA: await aCustomer(t), customerB: await aCustomer(t) };
  const staff = {
    associateA: await aStaff(t, StaffRole.ASSOCIATE, storeA),
    associateB: await aStaff(t, StaffRole.ASSOCIATE, storeB),
    managerA: await aStaff(t, StaffRole.MANAGER, storeA),
    admin: await anAdmin(t),
  };
  const side = async (name: 'A' | 'B', store: Location, owner: SignedIn<Customer>, other: Location): Promise<Side> => ({
    name,
    store,
    ownerToken: owner.token,
    ownerId: owner.account.id,
    ownerEmail: owner.account.email,
    order: await aPickupOrder(t, store, owner.token, variant.sku),
    elsewhere: await aPickupOrder(t, other, owner.token, variant.sku),
    shipped: await aShippedOrder(t, owner.token, variant.sku),
  });
  return {
    sku: variant.sku,
    productId: variant.product.id,
    tokens: {
      guest: undefined,
      ...Object.fromEntries([...Object.entries(customers), ...Object.entries(staff)].map(([k, v]) => [k, v.token])),
    } as World['tokens'],
    staffEmail: staff.associateA.account.email,
    sides: { A: await side('A', storeA, customers.customerA, storeB), B: await side('B', storeB, customers.customerB, storeA) },
    async freshToken(caller) {
      const em = t.app.orm.em.fork();
      const token =
        caller === 'customerA' || caller === 'customerB'
          ? await issueToken(em, SessionSubject.CUSTOMER, customers[caller].account.id, Channel.WEB, 1)
          : await issueToken(em, SessionSubject.STAFF, staff[caller].account.id, Channel.POS, 1);
      await em.flush();
      return token;
    },
  };
}
