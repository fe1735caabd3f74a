import { StaffRole } from '../../src/core/auth/actor';
import type { Location } from '../../src/modules/location';
import { aCustomer, anAdmin, aProduct, aStaff, aStore, stock, type SignedIn } from '../fixtures';
import { CartCreateDocument, CartSetFulfillmentDocument, CheckoutCompleteDocument, OrderMarkReadyDocument } from '../generated/graphql';
import { type TestApp, unique } from '../harness';

export type CallerName = 'guest' | 'customerA' | 'customerB' | 'associateA' | 'associateB' | 'managerA' | 'admin';
export const CALLERS: CallerName[] = ['guest', 'customerA', 'customerB', 'associateA', 'associateB', 'managerA', 'admin'];

/** An order of a customer, placed for pickup at a store, optionally already READY_FOR_PICKUP. */
export interface PickupOrder {
  id: string;
  code: string;
  cartId: string;
}

export async function aPickupOrder(t: TestApp, store: Location, customerToken: string, sku: string, options: { ready?: boolean; readyBy?: string } = {}): Promise<PickupOrder> {
  const token = customerToken;
  const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku, quantity: 1 }] } }, { token });
  const cartId = cartCreate.cart!.id;
  await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: store.id } }, { token });
  const { checkoutComplete } = await t.data(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' }, { token });
  if (checkoutComplete.userErrors.length) throw new Error(`checkout refused: ${JSON.stringify(checkoutComplete.userErrors)}`);
  const order = checkoutComplete.order!;
  if (options.ready) {
    const { orderMarkReady } = await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: options.readyBy });
    if (orderMarkReady.userErrors.length) throw new Error(`mark ready refused: ${JSON.stringify(orderMarkReady.userErrors)}`);
  }
  return { id: order.id, code: order.fulfillment.pickupCode!, cartId };
}

/**
 * Two stores and a caller of every kind: customers A and B, an associate of each store, the
 * manager of store A and an admin. Tokens are fresh sessions; the guest has none.
 */
export interface World {
  storeA: Location;
  storeB: Location;
  sku: string;
  productId: string;
  tokens: Record<CallerName, string | undefined>;
  ids: { customerA: string; customerB: string };
  emails: { customerA: string };
}

export async function aWorld(t: TestApp): Promise<World> {
  const [storeA, storeB] = [await aStore(t), await aStore(t)];
  const [variant] = await aProduct(t, [25_00]);
  await stock(t, storeA, variant, 500);
  await stock(t, storeB, variant, 500);
  const customerA = await aCustomer(t);
  const customerB = await aCustomer(t);
  const staff: Record<string, SignedIn<unknown>> = {
    associateA: await aStaff(t, StaffRole.ASSOCIATE, storeA),
    associateB: await aStaff(t, StaffRole.ASSOCIATE, storeB),
    managerA: await aStaff(t, StaffRole.MANAGER, storeA),
    admin: await anAdmin(t),
  };
  return {
    storeA,
    storeB,
    sku: variant.sku,
    productId: variant.product.id,
    tokens: {
      guest: undefined,
      customerA: customerA.token,
      customerB: customerB.token,
      associateA: staff.associateA.token,
      associateB: staff.associateB.token,
      managerA: staff.managerA.token,
      admin: staff.admin.token,
    },
    ids: { customerA: customerA.account.id, customerB: customerB.account.id },
    emails: { customerA: customerA.account.email },
  };
}
