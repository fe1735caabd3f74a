import { orderTopic, pickupQueueTopic } from '../../src/modules/order/order.notifier';
import {
  CartCreateDocument,
  CartSetFulfillmentDocument,
  CheckoutCompleteDocument,
  OrderCompletePickupDocument,
  OrderDocument,
} from '../support/generated/graphql';
import { type TestApp, unique } from '../support/harness';
import { aGuestContact, aPickupCart, aPickupOrder, PASSWORD } from '../support/fixtures';
import { ANY_STAFF, CART_OWNER_OR_STAFF, EVERYONE, ORDER_OWNER_OR_STORE_STAFF, STORE_STAFF, type Outcome, type Rule } from './authorization.rules';
import { type CallerName, type Side, type World } from './world';

/**
 * The nested half of the authorization matrix: from every root field that reaches an Order, a
 * Customer, a Cart or a Payment, the paths that go on from there (`customer { orders { … } }`,
 * a payload's order, a subscription's event), with who gets what. The rule sits on the types
 * (src/modules/order/order.access.ts), so every path below must agree with it:
 * - an order's summary (number, status, lines, totals, customer): its owner and any staff;
 * - its shipping address: its owner and the staff of its store (ADMIN: any);
 * - its payment and timeline: the same, and staff of any store once it is COMPLETED.
 * Each side's customer also has an open order at the other side's store (`side.elsewhere`) and one
 * shipped from a warehouse (`side.shipped`), so a path through the customer's orders meets orders
 * that a store's staff may only summarise. Where a path reaches the shipped order, `ok` is
 * written `ok, with address` for the callers who may read its street (the owner and ADMIN) — the
 * test works that out — and everyone else must get the order without it.
 */

const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
//                                guest   customerA customerB associateA associateB managerA admin
const rule = (...o: Outcome[]): Rule => ({ guest: o[0], customerA: o[1], customerB: o[2], associateA: o[3], associateB: o[4], managerA: o[5], admin: o[6] });

/** Details of every order of the customer, their other store's open order included: the owner and ADMIN. */
const OWNER_OR_ADMIN = rule(U, 'ok', F, F, F, F, 'ok');
/** Staff of the store, but the details of the customer's order at the other store: ADMIN only. */
const ADMIN_ONLY = rule(U, F, F, F, F, F, 'ok');
/** `me`: each customer their own, their street included; everyone else gets null. */
const ME = { ...rule('none', 'ok', 'ok', 'none', 'none', 'none', 'none'), customerA: 'ok, with address', customerB: 'ok, with address' } as unknown as Rule;

/** What a caller may read of an order in full. */
const DETAILS = 'fulfillment { shippingAddress { line1 } } payment { status method amount { amount } } events { kind message }';
/** What any staff may read of any order. */
const SUMMARY =
  'number status channel createdAt loyaltyPointsEarned subtotal { amount } total { amount } lines { sku } fulfillment { method location { id } readyAt shippingAddress { line1 } } customer { id }';
/** A customer and, through them, every one of their orders, loyalty transactions and active cart. */
const customerWith = (order: string) =>
  `email name activeCart { id lines { id } customer { id } } loyalty { balance transactions(first: 20) { edges { node { order { id ${order} } } } } } orders(first: 50) { edges { node { id ${order} } } }`;

export interface NestedCase {
  t: TestApp;
  w: World;
  side: Side;
  caller: CallerName;
  /** The side's owner's active cart (made once per entry and side). */
  cartId: string;
}

export interface NestedEntry {
  /** What the path reaches, for the test's name. */
  path: string;
  rule: Rule;
  document: string;
  variables?: (c: NestedCase) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Subscriptions: how to make the topic deliver one event. */
  trigger?: (t: TestApp, side: Side) => void;
  /** Ids an `ok` answer must contain: proof the path reached what it claims to. */
  reaches?: (side: Side) => string[];
}

/** A root field's nested paths, or the root field whose payload type (and so rules) it shares. */
export type NestedRule = NestedEntry[] | { sameAs: string; why: string };

const storeStaffToken = (w: World, side: Side) => w.tokens[side.name === 'A' ? 'associateA' : 'associateB'];
const freshOrder = async ({ t, w, side }: NestedCase) => ({ o: (await aPickupOrder(t, side.store, side.ownerToken, w.sku)).id });
/** Every order of the side's owner made with the world: at the side's store, at the other store, shipped. */
const everyOrder = (side: Side) => [side.order.id, side.elsewhere.id, side.shipped.id];

/** The owner's active cart for pickup at the side's store. */
export async function ownersCart(t: TestApp, w: World, side: Side): Promise<string> {
  const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: w.sku, quantity: 1 }] } }, { token: side.ownerToken });
  const cartId = cartCreate.cart!.id;
  await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: side.store.id } }, { token: side.ownerToken });
  return cartId;
}

/** A completed pickup order of the side's owner at the side's store, and its line. */
async function completedOrder({ t, w, side }: NestedCase): Promise<{ o: string; l: string }> {
  const staff = storeStaffToken(w, side);
  const placed = await aPickupOrder(t, side.store, side.ownerToken, w.sku, { ready: true, readyBy: staff });
  await t.data(OrderCompletePickupDocument, { orderId: placed.id, pickupCode: placed.code, idempotencyKey: unique('key') }, { token: staff });
  const { order } = await t.data(OrderDocument, { id: placed.id }, { token: side.ownerToken });
  return { o: placed.id, l: order!.lines[0].id };
}

/** What the till sees of a customer beyond their orders: every field of the customer's profile. */
const PROFILE =
  'phone loyaltyNumber language preferredLocation { id } preferences { key value } addresses { id isDefault address { line1 } } consents { purpose granted } recommendations(first: 3) { id }';

/** One guest pickup order per side, with a contact email: what orderLookup finds (made once; lookups only read). */
const guestOrders = new Map<string, Promise<{ n: string; e: string; id: string }>>();
function aGuestOrder({ t, w, side }: NestedCase): Promise<{ n: string; e: string; id: string }> {
  let order = guestOrders.get(side.name);
  if (!order) {
    order = (async () => {
      const e = `${unique('guest')}@guest.test`.toLowerCase();
      const cartId = await aPickupCart(t, side.store, [{ sku: w.sku, quantity: 1 }]);
      await aGuestContact(t, cartId, e);
      const { checkoutComplete } = await t.data(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' });
      return { n: checkoutComplete.order!.number, e, id: checkoutComplete.order!.id };
    })();
    guestOrders.set(side.name, order);
  }
  return order;
}

const ORDER_PAYLOAD_DEEP = `{ order { id ${DETAILS} customer { ${customerWith(DETAILS)} } } userErrors { code } }`;
const ORDER_PAYLOAD_SUMMARY = `{ order { id ${SUMMARY} customer { ${customerWith(SUMMARY)} } } userErrors { code } }`;

export const NESTED: Record<'Query' | 'Mutation' | 'Subscription', Record<string, NestedRule>> = {
  Query: {
    order: [
      {
        path: 'Order details',
        rule: ORDER_OWNER_OR_STORE_STAFF,
        document: `query($id: ID!) { order(id: $id) { id ${DETAILS} } }`,
        variables: ({ side }) => ({ id: side.order.id }),
      },
      {
        path: 'Order.customer.orders (details)',
        rule: OWNER_OR_ADMIN,
        document: `query($id: ID!) { order(id: $id) { customer { ${customerWith(DETAILS)} } } }`,
        variables: ({ side }) => ({ id: side.order.id }),
        reaches: everyOrder,
      },
      {
        path: 'Order.customer.orders (summary)',
        rule: ORDER_OWNER_OR_STORE_STAFF,
        document: `query($id: ID!) { order(id: $id) { ${SUMMARY} customer { ${customerWith(SUMMARY)} } } }`,
        variables: ({ side }) => ({ id: side.order.id }),
        reaches: everyOrder,
      },
    ],
    orderByPickupCode: [
      {
        path: 'Order details, Order.customer.orders (details)',
        rule: ADMIN_ONLY,
        document: `query($l: ID!, $c: String!) { orderByPickupCode(locationId: $l, code: $c) { id ${DETAILS} customer { ${customerWith(DETAILS)} } } }`,
        variables: ({ side }) => ({ l: side.store.id, c: side.order.code }),
        reaches: everyOrder,
      },
      {
        path: 'Order details, Order.customer.orders (summary)',
        rule: STORE_STAFF,
        document: `query($l: ID!, $c: String!) { orderByPickupCode(locationId: $l, code: $c) { id ${DETAILS} customer { ${customerWith(SUMMARY)} } } }`,
        variables: ({ side }) => ({ l: side.store.id, c: side.order.code }),
        reaches: everyOrder,
      },
    ],
    shipQueue: { sameAs: 'pickupQueue', why: "the same list of a store's orders (those it ships), for its staff" },
    pickupQueue: [
      {
        path: "the store's orders in full",
        rule: STORE_STAFF,
        document: `query($l: ID!) { pickupQueue(locationId: $l) { id ${SUMMARY} ${DETAILS} } }`,
        variables: ({ side }) => ({ l: side.store.id }),
        reaches: (s) => [s.order.id],
      },
      {
        path: 'Order.customer.orders (details)',
        rule: ADMIN_ONLY,
        document: `query($l: ID!) { pickupQueue(locationId: $l) { id customer { ${customerWith(DETAILS)} } } }`,
        variables: ({ side }) => ({ l: side.store.id }),
        reaches: everyOrder,
      },
      {
        path: 'Order.customer.orders (summary)',
        rule: STORE_STAFF,
        document: `query($l: ID!) { pickupQueue(locationId: $l) { id customer { ${customerWith(SUMMARY)} } } }`,
        variables: ({ side }) => ({ l: side.store.id }),
        reaches: everyOrder,
      },
    ],
    customerByEmail: [
      {
        path: 'Customer.orders (details)',
        rule: ADMIN_ONLY,
        document: `query($e: String!) { customerByEmail(email: $e) { ${customerWith(DETAILS)} } }`,
        variables: ({ side }) => ({ e: side.ownerEmail }),
        reaches: everyOrder,
      },
      {
        path: 'Customer.orders (summary), activeCart, loyalty',
        rule: ANY_STAFF,
        document: `query($e: String!) { customerByEmail(email: $e) { ${customerWith(SUMMARY)} } }`,
        variables: ({ side }) => ({ e: side.ownerEmail }),
        reaches: everyOrder,
      },
    ],
    customerLookup: [
      {
        path: 'Customer.orders (details)',
        rule: ADMIN_ONLY,
        document: `query($q: String!) { customerLookup(query: $q) { ${customerWith(DETAILS)} } }`,
        variables: ({ side }) => ({ q: side.ownerEmail }),
        reaches: everyOrder,
      },
      {
        // customerLookup { orders { fulfillment { shippingAddress } } } as an associate of another
        // store: the orders without their street (the shipped order's is for its owner and ADMIN).
        path: 'Customer profile, preferences, addresses, consents, recommendations, orders (summary, shipping address)',
        rule: ANY_STAFF,
        document: `query($q: String!) { customerLookup(query: $q) { ${PROFILE} ${customerWith(SUMMARY)} } }`,
        variables: ({ side }) => ({ q: side.ownerEmail }),
        reaches: everyOrder,
      },
    ],
    orderLookup: [
      {
        // Whoever knows a guest order's number and email reads it in full; staff of another store
        // as at their counter (no payment of an open order).
        path: "a guest's Order details",
        rule: rule('ok', 'ok', 'ok', 'ok', F, 'ok', 'ok'),
        document: `query($n: String!, $e: String!) { orderLookup(number: $n, email: $e) { id ${SUMMARY} ${DETAILS} fulfillment { pickupCode } } }`,
        variables: async (c) => {
          const { n, e } = await aGuestOrder(c);
          return { n, e };
        },
      },
      {
        path: "a guest's Order summary",
        rule: EVERYONE,
        document: `query($n: String!, $e: String!) { orderLookup(number: $n, email: $e) { id ${SUMMARY} } }`,
        variables: async (c) => {
          const { n, e } = await aGuestOrder(c);
          return { n, e };
        },
      },
    ],
    me: [{ path: 'Customer.orders (details), activeCart, loyalty', rule: ME, document: `{ me { ${customerWith(`${SUMMARY} ${DETAILS}`)} } }` }],
    cart: [
      {
        path: 'Cart.customer.orders (details)',
        rule: OWNER_OR_ADMIN,
        document: `query($id: ID!) { cart(id: $id) { id lines { id } customer { ${customerWith(DETAILS)} } } }`,
        variables: ({ cartId }) => ({ id: cartId }),
        reaches: everyOrder,
      },
      {
        path: 'Cart.customer.orders (summary)',
        rule: CART_OWNER_OR_STAFF,
        document: `query($id: ID!) { cart(id: $id) { id lines { id } customer { ${customerWith(SUMMARY)} } } }`,
        variables: ({ cartId }) => ({ id: cartId }),
        reaches: everyOrder,
      },
    ],
  },
  Mutation: {
    checkoutComplete: [
      {
        path: 'OrderPayload.order (details), .customer.orders (details)',
        rule: OWNER_OR_ADMIN,
        document: `mutation($c: ID!, $k: String!) { checkoutComplete(cartId: $c, idempotencyKey: $k, paymentMethod: PAY_IN_STORE) ${ORDER_PAYLOAD_DEEP} }`,
        // A fresh cart for every caller: an allowed checkout completes the cart it is given.
        variables: async ({ t, w, side }) => ({ c: await ownersCart(t, w, side), k: unique('key') }),
        reaches: everyOrder,
      },
      {
        path: 'OrderPayload.order (summary), .customer.orders (summary)',
        rule: CART_OWNER_OR_STAFF,
        document: `mutation($c: ID!, $k: String!) { checkoutComplete(cartId: $c, idempotencyKey: $k, paymentMethod: PAY_IN_STORE) ${ORDER_PAYLOAD_SUMMARY} }`,
        variables: async ({ t, w, side }) => ({ c: await ownersCart(t, w, side), k: unique('key') }),
        reaches: everyOrder,
      },
    ],
    orderMarkReady: [
      {
        path: 'OrderPayload.order (details), .customer.orders (details)',
        rule: ADMIN_ONLY,
        document: `mutation($o: ID!) { orderMarkReady(orderId: $o) ${ORDER_PAYLOAD_DEEP} }`,
        variables: freshOrder,
        reaches: everyOrder,
      },
      {
        path: 'OrderPayload.order (summary), .customer.orders (summary)',
        rule: STORE_STAFF,
        document: `mutation($o: ID!) { orderMarkReady(orderId: $o) ${ORDER_PAYLOAD_SUMMARY} }`,
        variables: freshOrder,
        reaches: everyOrder,
      },
    ],
    orderCancel: [
      {
        path: 'OrderPayload.order (details), .customer.orders (details)',
        rule: OWNER_OR_ADMIN,
        document: `mutation($o: ID!) { orderCancel(orderId: $o) ${ORDER_PAYLOAD_DEEP} }`,
        variables: freshOrder,
        reaches: everyOrder,
      },
    ],
    orderCompletePickup: [
      {
        path: 'OrderPayload.order (details), .customer.orders (details)',
        rule: ADMIN_ONLY,
        document: `mutation($o: ID!, $c: String!, $k: String!) { orderCompletePickup(orderId: $o, pickupCode: $c, idempotencyKey: $k) ${ORDER_PAYLOAD_DEEP} }`,
        variables: async ({ t, w, side }) => {
          const order = await aPickupOrder(t, side.store, side.ownerToken, w.sku, { ready: true, readyBy: storeStaffToken(w, side) });
          return { o: order.id, c: order.code, k: unique('key') };
        },
        reaches: everyOrder,
      },
    ],
    orderReturnLines: [
      {
        // Returns are taken at any store: the payment and timeline of a completed order are for any staff.
        path: 'OrderPayload.order payment and timeline of a completed order',
        rule: ANY_STAFF,
        document: `mutation($o: ID!, $l: ID!, $k: String!) { orderReturnLines(orderId: $o, lines: [{ lineId: $l, quantity: 1 }], restock: true, idempotencyKey: $k) { order { id ${SUMMARY} payment { status } events { kind message } } userErrors { code } } }`,
        variables: async (c) => ({ ...(await completedOrder(c)), k: unique('key') }),
      },
    ],
    orderMarkShipped: { sameAs: 'orderMarkReady', why: 'the same OrderPayload, for the staff of the order’s location' },
    orderMarkDelivered: { sameAs: 'orderMarkReady', why: 'the same OrderPayload, for the staff of the order’s location' },
    cartLinesAdd: [
      {
        path: 'CartPayload.cart.customer.orders (details)',
        rule: OWNER_OR_ADMIN,
        document: `mutation($c: ID!, $sku: String!) { cartLinesAdd(cartId: $c, lines: [{ sku: $sku, quantity: 1 }]) { cart { id customer { ${customerWith(DETAILS)} } } userErrors { code } } }`,
        variables: ({ w, cartId }) => ({ c: cartId, sku: w.sku }),
        reaches: everyOrder,
      },
      {
        path: 'CartPayload.cart.customer.orders (summary)',
        rule: CART_OWNER_OR_STAFF,
        document: `mutation($c: ID!, $sku: String!) { cartLinesAdd(cartId: $c, lines: [{ sku: $sku, quantity: 1 }]) { cart { id customer { ${customerWith(SUMMARY)} } } userErrors { code } } }`,
        variables: ({ w, cartId }) => ({ c: cartId, sku: w.sku }),
        reaches: everyOrder,
      },
    ],
    cartCreate: { sameAs: 'cartLinesAdd', why: 'the same CartPayload, for the owner or staff' },
    cartLinesUpdate: { sameAs: 'cartLinesAdd', why: 'the same CartPayload, for the owner or staff' },
    cartLinesRemove: { sameAs: 'cartLinesAdd', why: 'the same CartPayload, for the owner or staff' },
    cartSetFulfillment: { sameAs: 'cartLinesAdd', why: 'the same CartPayload, for the owner or staff' },
    cartApplyLoyaltyPoints: { sameAs: 'cartLinesAdd', why: 'the same CartPayload, for the owner or staff' },
    cartApplyDiscountCode: { sameAs: 'cartLinesAdd', why: 'the same CartPayload, for the owner or staff' },
    cartRemoveDiscountCode: { sameAs: 'cartLinesAdd', why: 'the same CartPayload, for the owner or staff' },
    orderCheckIn: { sameAs: 'orderCancel', why: 'the same OrderPayload, for the owner' },
    customerSignIn: [
      {
        // The rest of the request still runs with the caller's own token: the new one is for the next.
        path: 'CustomerAuthPayload.customer.orders (details)',
        rule: OWNER_OR_ADMIN,
        document: `mutation($e: String!, $p: String!) { customerSignIn(email: $e, password: $p) { token customer { ${customerWith(DETAILS)} } userErrors { code } } }`,
        variables: ({ side }) => ({ e: side.ownerEmail, p: PASSWORD }),
        reaches: everyOrder,
      },
      {
        // Even an order's number is refused to a caller who is neither its owner nor staff.
        path: 'CustomerAuthPayload.customer.orders (summary)',
        rule: CART_OWNER_OR_STAFF,
        document: `mutation($e: String!, $p: String!) { customerSignIn(email: $e, password: $p) { token customer { ${customerWith(SUMMARY)} } userErrors { code } } }`,
        variables: ({ side }) => ({ e: side.ownerEmail, p: PASSWORD }),
        reaches: everyOrder,
      },
    ],
    customerSignUp: { sameAs: 'customerSignIn', why: 'the same CustomerAuthPayload; a new customer has no orders yet' },
    customerResetPassword: { sameAs: 'customerSignIn', why: 'the same CustomerAuthPayload, to whoever holds a reset token' },
    customerUpdate: [
      {
        path: 'CustomerPayload.customer.orders (details)',
        rule: OWNER_OR_ADMIN,
        document: `mutation($id: ID) { customerUpdate(customerId: $id, input: { preferences: [{ key: "matrix", value: "1" }] }) { customer { ${PROFILE} ${customerWith(DETAILS)} } userErrors { code } } }`,
        variables: ({ side }) => ({ id: side.ownerId }),
        reaches: everyOrder,
      },
      {
        path: 'CustomerPayload.customer profile and orders (summary)',
        rule: CART_OWNER_OR_STAFF,
        document: `mutation($id: ID) { customerUpdate(customerId: $id, input: { preferences: [{ key: "matrix", value: "1" }] }) { customer { ${PROFILE} ${customerWith(SUMMARY)} } userErrors { code } } }`,
        variables: ({ side }) => ({ id: side.ownerId }),
        reaches: everyOrder,
      },
    ],
    customerAddressAdd: { sameAs: 'customerUpdate', why: 'the same CustomerPayload, of the signed-in customer themself' },
    customerAddressRemove: { sameAs: 'customerUpdate', why: 'the same CustomerPayload, of the signed-in customer themself' },
    customerSetConsent: { sameAs: 'customerUpdate', why: 'the same CustomerPayload, of the signed-in customer themself' },
    cartSetContact: { sameAs: 'cartLinesAdd', why: 'the same CartPayload, for the owner or staff' },
  },
  Subscription: {
    orderUpdated: [
      {
        path: 'Order details, Order.customer.orders (details)',
        rule: OWNER_OR_ADMIN,
        document: `subscription($o: ID!) { orderUpdated(orderId: $o) { id ${DETAILS} customer { ${customerWith(DETAILS)} } } }`,
        variables: ({ side }) => ({ o: side.order.id }),
        trigger: (t, s) => t.app.events.publish(orderTopic(s.order.id), { orderId: s.order.id }),
        reaches: everyOrder,
      },
      {
        path: 'Order details, Order.customer.orders (summary)',
        rule: ORDER_OWNER_OR_STORE_STAFF,
        document: `subscription($o: ID!) { orderUpdated(orderId: $o) { id ${DETAILS} customer { ${customerWith(SUMMARY)} } } }`,
        variables: ({ side }) => ({ o: side.order.id }),
        trigger: (t, s) => t.app.events.publish(orderTopic(s.order.id), { orderId: s.order.id }),
        reaches: everyOrder,
      },
    ],
    pickupQueueChanged: [
      {
        path: 'Order details, Order.customer.orders (details)',
        rule: ADMIN_ONLY,
        document: `subscription($l: ID!) { pickupQueueChanged(locationId: $l) { id ${DETAILS} customer { ${customerWith(DETAILS)} } } }`,
        variables: ({ side }) => ({ l: side.store.id }),
        trigger: (t, s) => t.app.events.publish(pickupQueueTopic(s.store.id), { orderId: s.order.id }),
        reaches: everyOrder,
      },
      {
        path: 'Order details, Order.customer.orders (summary)',
        rule: STORE_STAFF,
        document: `subscription($l: ID!) { pickupQueueChanged(locationId: $l) { id ${DETAILS} customer { ${customerWith(SUMMARY)} } } }`,
        variables: ({ side }) => ({ l: side.store.id }),
        trigger: (t, s) => t.app.events.publish(pickupQueueTopic(s.store.id), { orderId: s.order.id }),
        reaches: everyOrder,
      },
    ],
  },
};
