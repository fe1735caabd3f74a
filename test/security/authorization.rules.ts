import { orderTopic, pickupQueueTopic } from '../../src/modules/order/order.notifier';
import { CartCreateDocument, CartSetFulfillmentDocument, CheckoutCompleteDocument } from '../support/generated/graphql';
import { type TestApp, unique } from '../support/harness';
import { aPickupCart, aPickupOrder, aTransfer, PASSWORD, systemContext } from '../support/fixtures';
import { catalogService } from '../../src/modules/catalog';
import { pricingService } from '../../src/modules/pricing';
import { type CallerName, type Side, type World } from './world';

/**
 * What a caller gets from an operation:
 * - `ok`: an answer (a payload's userErrors may hold business refusals such as INVALID_STATE,
 *   never NOT_FOUND for the object at stake);
 * - `none`: allowed, and the answer is null (`me` for someone who is not a customer);
 * - `UNAUTHENTICATED` / `FORBIDDEN`: the GraphQL error, nothing done.
 */
export type Outcome = 'ok' | 'none' | 'UNAUTHENTICATED' | 'FORBIDDEN';
export type Rule = Record<CallerName, Outcome>;

const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
//                                guest   customerA customerB associateA associateB managerA admin
const rule = (...o: Outcome[]): Rule => ({ guest: o[0], customerA: o[1], customerB: o[2], associateA: o[3], associateB: o[4], managerA: o[5], admin: o[6] });

export const EVERYONE = rule('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok');
export const SIGNED_IN = rule(U, 'ok', 'ok', 'ok', 'ok', 'ok', 'ok');
/** A customer's cart: its owner, or staff of any store (a customer is served at any counter). */
export const CART_OWNER_OR_STAFF = rule(U, 'ok', F, 'ok', 'ok', 'ok', 'ok');
/** A customer's order: its owner, or staff of the order's store (ADMIN: any). */
export const ORDER_OWNER_OR_STORE_STAFF = rule(U, 'ok', F, 'ok', F, 'ok', 'ok');
export const STORE_STAFF = rule(U, F, F, 'ok', F, 'ok', 'ok');
export const ANY_STAFF = rule(U, F, F, 'ok', 'ok', 'ok', 'ok');
export const STORE_MANAGER = rule(U, F, F, F, F, 'ok', 'ok');
export const ADMIN = rule(U, F, F, F, F, F, 'ok');
/** The customer who placed the order, and no one else (staff included). */
export const ORDER_OWNER = rule(U, 'ok', F, F, F, F, F);
/** The signed-in customer's own account (address book, consents, erasure). */
export const CUSTOMER_SELF = rule(U, 'ok', 'ok', F, F, F, F);

/** What an operation needs from its side of the world, made once per operation and side. */
export interface Prepared {
  cartId: string;
  orderId: string;
  lineId: string;
  transferId: string;
  collectionCode: string;
  promotionId: string;
}

/** One run of an operation: the app, the world, the side whose objects are at stake, the caller. */
export interface Case {
  t: TestApp;
  w: World;
  side: Side;
  prepared: Prepared;
  caller: CallerName;
}

export interface OperationRule {
  rule: Rule;
  document: string;
  variables?: (c: Case) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Objects of a customer or a store: also checked on side B, with the callers' ids swapped. */
  object?: true;
  /** Arranges fresh objects once per operation and side (state-changing operations on orders). */
  prepare?: (t: TestApp, w: World, side: Side) => Promise<Partial<Prepared>>;
  /** signOut ends the session it is sent with: it gets a session of its own. */
  freshSession?: true;
  /** Subscriptions: how to make the topic deliver one event. */
  trigger?: (t: TestApp, side: Side) => void;
}

/** The owner's active cart, with a line, for pickup at the side's store. */
async function activeCart(t: TestApp, w: World, side: Side): Promise<{ cartId: string; lineId: string }> {
  const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: w.sku, quantity: 1 }] } }, { token: side.ownerToken });
  const cartId = cartCreate.cart!.id;
  await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: side.store.id } }, { token: side.ownerToken });
  return { cartId, lineId: cartCreate.cart!.lines[0].id };
}

/** A guest's pickup order at the side's store, placed with a contact email (what orderLookup asks for). */
async function guestOrder(t: TestApp, w: World, side: Side): Promise<{ orderId: string; cartId: string }> {
  const cartId = await aPickupCart(t, side.store, [{ sku: w.sku, quantity: 1 }]);
  const { checkoutComplete } = await t.data(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' });
  return { orderId: checkoutComplete.order!.id, cartId };
}

async function numberAndEmail(t: TestApp, orderId: string): Promise<{ n: string; e: string }> {
  const [row] = await t.app.orm.em
    .fork()
    .getConnection()
    .execute<{ number: string; contact_email: string }[]>('select number, contact_email from orders where id = ?', [orderId]);
  return { n: row.number, e: row.contact_email };
}

const freshOrder = async (t: TestApp, w: World, side: Side) => ({ orderId: (await aPickupOrder(t, side.store, side.ownerToken, w.sku)).id });
const cart = (t: TestApp, w: World, side: Side) => activeCart(t, w, side);
const otherSide = (w: World, side: Side): Side => w.sides[side.name === 'A' ? 'B' : 'A'];
/** A transfer from the side's store to the other side's, not shipped yet. */
const outgoingTransfer = async (t: TestApp, w: World, side: Side) => ({ transferId: await aTransfer(t, side.store, otherSide(w, side).store, w.sku, 1) });
/** A transfer from the other side's store to the side's, on its way. */
const incomingTransfer = async (t: TestApp, w: World, side: Side) => ({
  transferId: await aTransfer(t, otherSide(w, side).store, side.store, w.sku, 1, { shipped: true }),
});
const TRANSFER_PAYLOAD = '{ transfer { id } userErrors { code } }';

/** A collection of the world's product. */
async function aCollection(t: TestApp, w: World): Promise<Partial<Prepared>> {
  const code = unique('MC')
    .replace(/[^A-Z0-9_-]/g, '')
    .slice(0, 60);
  const created = await catalogService.createCollection(systemContext(t), { code, title: 'Matrix', productIds: [w.productId] });
  if (!created.ok) throw new Error('collection refused');
  return { collectionCode: code };
}

/** A code promotion on the world's product (a code applies only when entered: no other cart changes). */
async function aCodeOffer(t: TestApp, w: World): Promise<Partial<Prepared>> {
  const created = await pricingService.createPromotion(systemContext(t), {
    title: 'Matrix',
    code: unique('MP')
      .replace(/[^A-Z0-9_-]/g, '')
      .slice(0, 60),
    percentOff: 5,
    skus: [w.sku],
  });
  if (!created.ok) throw new Error('promotion refused');
  return { promotionId: created.value.id };
}

const PAYLOAD = '{ userErrors { code } }';
const ORDER_PAYLOAD = '{ order { id } userErrors { code } }';

/** Every root field of the API and who may use it. A field missing here fails the suite. */
export const RULES: Record<'Query' | 'Mutation' | 'Subscription', Record<string, OperationRule>> = {
  Query: {
    cart: {
      rule: CART_OWNER_OR_STAFF,
      object: true,
      prepare: cart,
      document: 'query($id: ID!) { cart(id: $id) { id } }',
      variables: ({ prepared }) => ({ id: prepared.cartId }),
    },
    collection: {
      rule: EVERYONE,
      prepare: (t, w) => aCollection(t, w),
      document: 'query($c: String!) { collection(code: $c) { code } }',
      variables: ({ prepared }) => ({ c: prepared.collectionCode }),
    },
    collections: { rule: EVERYONE, document: '{ collections { code } }' },
    promotions: { rule: ANY_STAFF, document: '{ promotions { id } }' },
    taxRates: { rule: EVERYONE, document: '{ taxRates { id } }' },
    customerAccessLog: {
      rule: ADMIN,
      document: 'query($c: ID!) { customerAccessLog(customerId: $c) { id } }',
      variables: ({ w }) => ({ c: w.sides.A.ownerId }),
    },
    // Any store's staff: the customer walks into any store.
    customerLookup: {
      rule: ANY_STAFF,
      document: 'query($q: String!) { customerLookup(query: $q) { id } }',
      variables: ({ w }) => ({ q: w.sides.A.ownerEmail }),
    },
    customerByEmail: {
      rule: ANY_STAFF,
      document: 'query($email: String!) { customerByEmail(email: $email) { id } }',
      variables: ({ w }) => ({ email: w.sides.A.ownerEmail }),
    },
    locations: { rule: EVERYONE, document: '{ locations { id } }' },
    me: { rule: rule('none', 'ok', 'ok', 'none', 'none', 'none', 'none'), document: '{ me { id } }' },
    order: {
      rule: ORDER_OWNER_OR_STORE_STAFF,
      object: true,
      document: 'query($id: ID!) { order(id: $id) { id } }',
      variables: ({ side }) => ({ id: side.order.id }),
    },
    // Whoever knows a guest order's number and email: an order status page.
    orderLookup: {
      rule: EVERYONE,
      prepare: guestOrder,
      document: 'query($n: String!, $e: String!) { orderLookup(number: $n, email: $e) { id } }',
      variables: ({ t, prepared }) => numberAndEmail(t, prepared.orderId),
    },
    orderByPickupCode: {
      rule: STORE_STAFF,
      object: true,
      document: 'query($l: ID!, $c: String!) { orderByPickupCode(locationId: $l, code: $c) { id } }',
      variables: ({ side }) => ({ l: side.store.id, c: side.order.code }),
    },
    pickupQueue: {
      rule: STORE_STAFF,
      object: true,
      document: 'query($l: ID!) { pickupQueue(locationId: $l) { id } }',
      variables: ({ side }) => ({ l: side.store.id }),
    },
    shipQueue: {
      rule: STORE_STAFF,
      object: true,
      document: 'query($l: ID!) { shipQueue(locationId: $l) { id } }',
      variables: ({ side }) => ({ l: side.store.id }),
    },
    stockTransfers: {
      rule: STORE_STAFF,
      object: true,
      document: 'query($l: ID!) { stockTransfers(locationId: $l) { id } }',
      variables: ({ side }) => ({ l: side.store.id }),
    },
    product: { rule: EVERYONE, document: 'query($id: ID!) { product(id: $id) { id } }', variables: ({ w }) => ({ id: w.productId }) },
    products: { rule: EVERYONE, document: '{ products(first: 5) { edges { cursor } } }' },
    staffMe: { rule: rule('none', 'none', 'none', 'ok', 'ok', 'ok', 'ok'), document: '{ staffMe { id } }' },
    variantBySku: { rule: EVERYONE, document: 'query($sku: String!) { variantBySku(sku: $sku) { id } }', variables: ({ w }) => ({ sku: w.sku }) },
    webhook: {
      rule: rule(U, F, F, F, F, F, 'none'),
      document: 'query($id: ID!) { webhook(id: $id) { id } }',
      variables: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    },
    webhooks: { rule: ADMIN, document: '{ webhooks { id } }' },
  },
  Mutation: {
    cartApplyLoyaltyPoints: {
      rule: CART_OWNER_OR_STAFF,
      object: true,
      prepare: cart,
      document: `mutation($c: ID!) { cartApplyLoyaltyPoints(cartId: $c, points: 0) ${PAYLOAD} }`,
      variables: ({ prepared }) => ({ c: prepared.cartId }),
    },
    cartApplyDiscountCode: {
      // An unknown code: allowed callers get DISCOUNT_CODE_INVALID, the others the auth error.
      rule: CART_OWNER_OR_STAFF,
      object: true,
      prepare: cart,
      document: `mutation($c: ID!) { cartApplyDiscountCode(cartId: $c, code: "NO-SUCH-CODE") ${PAYLOAD} }`,
      variables: ({ prepared }) => ({ c: prepared.cartId }),
    },
    cartRemoveDiscountCode: {
      rule: CART_OWNER_OR_STAFF,
      object: true,
      prepare: cart,
      document: `mutation($c: ID!) { cartRemoveDiscountCode(cartId: $c, code: "NO-SUCH-CODE") ${PAYLOAD} }`,
      variables: ({ prepared }) => ({ c: prepared.cartId }),
    },
    cartCreate: {
      // For a named customer: the customer themself or staff.
      rule: CART_OWNER_OR_STAFF,
      object: true,
      document: `mutation($id: ID) { cartCreate(input: { customerId: $id }) ${PAYLOAD} }`,
      variables: ({ side }) => ({ id: side.ownerId }),
    },
    cartLinesAdd: {
      rule: CART_OWNER_OR_STAFF,
      object: true,
      prepare: cart,
      document: `mutation($c: ID!, $sku: String!) { cartLinesAdd(cartId: $c, lines: [{ sku: $sku, quantity: 1 }]) ${PAYLOAD} }`,
      variables: ({ w, prepared }) => ({ c: prepared.cartId, sku: w.sku }),
    },
    cartLinesRemove: {
      rule: CART_OWNER_OR_STAFF,
      object: true,
      prepare: cart,
      // An unknown line: allowed callers get a business answer, the others the auth error.
      document: `mutation($c: ID!) { cartLinesRemove(cartId: $c, lineIds: ["00000000-0000-4000-8000-000000000000"]) ${PAYLOAD} }`,
      variables: ({ prepared }) => ({ c: prepared.cartId }),
    },
    cartLinesUpdate: {
      rule: CART_OWNER_OR_STAFF,
      object: true,
      prepare: cart,
      document: `mutation($c: ID!, $l: ID!) { cartLinesUpdate(cartId: $c, lines: [{ lineId: $l, quantity: 2 }]) ${PAYLOAD} }`,
      variables: ({ prepared }) => ({ c: prepared.cartId, l: prepared.lineId }),
    },
    cartSetContact: {
      // A customer's cart has the account's contact: the owner and staff get that business answer.
      rule: CART_OWNER_OR_STAFF,
      object: true,
      prepare: cart,
      document: `mutation($c: ID!) { cartSetContact(cartId: $c, input: { email: "matrix@example.test" }) ${PAYLOAD} }`,
      variables: ({ prepared }) => ({ c: prepared.cartId }),
    },
    cartSetFulfillment: {
      rule: CART_OWNER_OR_STAFF,
      object: true,
      prepare: cart,
      document: `mutation($c: ID!, $l: ID!) { cartSetFulfillment(cartId: $c, input: { method: PICKUP, locationId: $l }) ${PAYLOAD} }`,
      variables: ({ side, prepared }) => ({ c: prepared.cartId, l: side.store.id }),
    },
    checkoutComplete: {
      rule: CART_OWNER_OR_STAFF,
      object: true,
      document: `mutation($c: ID!, $k: String!) { checkoutComplete(cartId: $c, idempotencyKey: $k, paymentMethod: PAY_IN_STORE) ${ORDER_PAYLOAD} }`,
      // A fresh cart for every caller: an allowed checkout completes the cart it is given.
      variables: async ({ t, w, side }) => ({ c: (await activeCart(t, w, side)).cartId, k: unique('key') }),
    },
    customerAddressAdd: {
      rule: CUSTOMER_SELF,
      document: `mutation { customerAddressAdd(input: { line1: "1 Matrix St", city: "Springfield", postalCode: "12345", countryCode: "US" }) ${PAYLOAD} }`,
    },
    customerAddressRemove: {
      // An address nobody has: customers get a business answer, the others the auth error.
      rule: CUSTOMER_SELF,
      document: `mutation { customerAddressRemove(addressId: "00000000-0000-4000-8000-000000000000") ${PAYLOAD} }`,
    },
    customerDelete: {
      // A wrong password: allowed callers get INVALID_CREDENTIALS, and the world's customers stay.
      rule: CUSTOMER_SELF,
      document: `mutation { customerDelete(password: "not-the-password") ${PAYLOAD} }`,
    },
    customerRequestPasswordReset: {
      rule: EVERYONE,
      document: `mutation($e: String!) { customerRequestPasswordReset(email: $e) ${PAYLOAD} }`,
      variables: () => ({ e: `${unique('reset')}@example.test`.toLowerCase() }),
    },
    customerResetPassword: {
      rule: EVERYONE,
      document: `mutation { customerResetPassword(token: "not-a-token-of-anyone-xxxxxxxxxxx", password: "a-long-passphrase") ${PAYLOAD} }`,
    },
    customerSetConsent: { rule: CUSTOMER_SELF, document: `mutation { customerSetConsent(purpose: EMAIL_MARKETING, granted: false) ${PAYLOAD} }` },
    customerSignIn: {
      rule: EVERYONE,
      document: `mutation($e: String!, $p: String!) { customerSignIn(email: $e, password: $p) { token userErrors { code } } }`,
      variables: ({ w }) => ({ e: w.sides.A.ownerEmail, p: PASSWORD }),
    },
    customerSignUp: {
      rule: EVERYONE,
      document: `mutation($e: String!, $p: String!) { customerSignUp(input: { email: $e, password: $p }) { token userErrors { code } } }`,
      variables: () => ({ e: `${unique('signup')}@example.test`.toLowerCase(), p: PASSWORD }),
    },
    customerUpdate: {
      // The customer themself, or staff of any store serving them.
      rule: CART_OWNER_OR_STAFF,
      object: true,
      document: `mutation($id: ID) { customerUpdate(customerId: $id, input: { preferences: [{ key: "matrix", value: "1" }] }) ${PAYLOAD} }`,
      variables: ({ side }) => ({ id: side.ownerId }),
    },
    inventorySet: {
      rule: STORE_MANAGER,
      object: true,
      document: `mutation($l: ID!, $sku: String!) { inventorySet(locationId: $l, sku: $sku, onHand: 1000) ${PAYLOAD} }`,
      variables: ({ w, side }) => ({ l: side.store.id, sku: w.sku }),
    },
    collectionAddProducts: {
      rule: ADMIN,
      prepare: (t, w) => aCollection(t, w),
      document: `mutation($c: String!, $p: ID!) { collectionAddProducts(code: $c, productIds: [$p]) ${PAYLOAD} }`,
      variables: ({ w, prepared }) => ({ c: prepared.collectionCode, p: w.productId }),
    },
    collectionCreate: {
      rule: ADMIN,
      document: `mutation($c: String!) { collectionCreate(input: { code: $c, title: "Matrix" }) ${PAYLOAD} }`,
      variables: () => ({
        c: unique('MC')
          .replace(/[^A-Z0-9_-]/g, '')
          .slice(0, 60),
      }),
    },
    locationUpdate: {
      rule: ADMIN,
      object: true,
      document: `mutation($l: ID!) { locationUpdate(id: $l, input: { pickupEnabled: true }) ${PAYLOAD} }`,
      variables: ({ side }) => ({ l: side.store.id }),
    },
    productUpdate: {
      rule: ADMIN,
      document: `mutation($p: ID!) { productUpdate(id: $p, input: { description: "Matrix" }) ${PAYLOAD} }`,
      variables: ({ w }) => ({ p: w.productId }),
    },
    promotionCreate: {
      rule: ADMIN,
      document: `mutation($c: String!, $sku: String!) { promotionCreate(input: { title: "Matrix", code: $c, percentOff: 5, skus: [$sku] }) ${PAYLOAD} }`,
      variables: ({ w }) => ({
        c: unique('MP')
          .replace(/[^A-Z0-9_-]/g, '')
          .slice(0, 60),
        sku: w.sku,
      }),
    },
    promotionDeactivate: {
      rule: ADMIN,
      prepare: (t, w) => aCodeOffer(t, w),
      document: `mutation($p: ID!) { promotionDeactivate(id: $p) ${PAYLOAD} }`,
      variables: ({ prepared }) => ({ p: prepared.promotionId }),
    },
    promotionUpdate: {
      rule: ADMIN,
      prepare: (t, w) => aCodeOffer(t, w),
      document: `mutation($p: ID!, $sku: String!) { promotionUpdate(id: $p, input: { title: "Matrix 2", percentOff: 6, skus: [$sku] }) ${PAYLOAD} }`,
      variables: ({ w, prepared }) => ({ p: prepared.promotionId, sku: w.sku }),
    },
    taxRateSet: {
      rule: ADMIN,
      // A country code no test ships to.
      document: `mutation { taxRateSet(input: { countryCode: "XZ", name: "Matrix", rateBasisPoints: 100 }) ${PAYLOAD} }`,
    },
    variantSetPrice: {
      rule: ADMIN,
      // The price it already has: the world's carts and orders stay as they are.
      document: `mutation($sku: String!) { variantSetPrice(sku: $sku, priceAmount: 2500) ${PAYLOAD} }`,
      variables: ({ w }) => ({ sku: w.sku }),
    },
    locationCreate: {
      rule: ADMIN,
      document: `mutation($code: String!) { locationCreate(input: { code: $code, name: "Matrix", kind: STORE, pickupEnabled: false }) ${PAYLOAD} }`,
      variables: () => ({ code: unique('M').slice(0, 32) }),
    },
    orderCancel: {
      rule: ORDER_OWNER_OR_STORE_STAFF,
      object: true,
      prepare: freshOrder,
      document: `mutation($o: ID!) { orderCancel(orderId: $o) ${ORDER_PAYLOAD} }`,
      variables: orderVars,
    },
    orderCheckIn: {
      rule: ORDER_OWNER,
      object: true,
      prepare: freshOrder,
      document: `mutation($o: ID!) { orderCheckIn(orderId: $o, note: "here") ${ORDER_PAYLOAD} }`,
      variables: orderVars,
    },
    orderCompletePickup: {
      rule: STORE_STAFF,
      object: true,
      prepare: freshOrder,
      document: `mutation($o: ID!, $k: String!) { orderCompletePickup(orderId: $o, pickupCode: "WRONG1", idempotencyKey: $k) ${ORDER_PAYLOAD} }`,
      variables: ({ prepared }) => ({ o: prepared.orderId, k: unique('key') }),
    },
    orderMarkDelivered: {
      rule: STORE_STAFF,
      object: true,
      prepare: freshOrder,
      document: `mutation($o: ID!) { orderMarkDelivered(orderId: $o) ${ORDER_PAYLOAD} }`,
      variables: orderVars,
    },
    orderMarkReady: {
      rule: STORE_STAFF,
      object: true,
      prepare: freshOrder,
      document: `mutation($o: ID!) { orderMarkReady(orderId: $o) ${ORDER_PAYLOAD} }`,
      variables: orderVars,
    },
    orderMarkShipped: {
      rule: STORE_STAFF,
      object: true,
      prepare: freshOrder,
      document: `mutation($o: ID!) { orderMarkShipped(orderId: $o) ${ORDER_PAYLOAD} }`,
      variables: orderVars,
    },
    orderReturnLines: {
      // Returns are taken at any store, whatever channel the order came from.
      rule: ANY_STAFF,
      object: true,
      prepare: freshOrder,
      document: `mutation($o: ID!, $k: String!) { orderReturnLines(orderId: $o, lines: [{ lineId: "00000000-0000-4000-8000-000000000000", quantity: 1 }], restock: true, idempotencyKey: $k) ${ORDER_PAYLOAD} }`,
      variables: ({ prepared }) => ({ o: prepared.orderId, k: unique('key') }),
    },
    productCreate: {
      rule: ADMIN,
      document: `mutation($sku: String!) { productCreate(input: { title: "Matrix", variants: [{ sku: $sku, title: "v", priceAmount: 100 }] }) ${PAYLOAD} }`,
      variables: () => ({ sku: unique('MSKU') }),
    },
    stockTransferCreate: {
      // From the side's store: its staff (or ADMIN) only.
      rule: STORE_STAFF,
      object: true,
      document: `mutation($f: ID!, $to: ID!, $sku: String!) { stockTransferCreate(input: { fromLocationId: $f, toLocationId: $to, lines: [{ sku: $sku, quantity: 1 }] }) ${TRANSFER_PAYLOAD} }`,
      variables: ({ w, side }) => ({ f: side.store.id, to: otherSide(w, side).store.id, sku: w.sku }),
    },
    stockTransferShip: {
      rule: STORE_STAFF,
      object: true,
      prepare: outgoingTransfer,
      document: `mutation($id: ID!) { stockTransferShip(id: $id) ${TRANSFER_PAYLOAD} }`,
      variables: ({ prepared }) => ({ id: prepared.transferId }),
    },
    stockTransferReceive: {
      // Into the side's store: its staff (or ADMIN) only.
      rule: STORE_STAFF,
      object: true,
      prepare: incomingTransfer,
      document: `mutation($id: ID!, $sku: String!) { stockTransferReceive(id: $id, lines: [{ sku: $sku, quantity: 1 }]) ${TRANSFER_PAYLOAD} }`,
      variables: ({ w, prepared }) => ({ id: prepared.transferId, sku: w.sku }),
    },
    signOut: { rule: SIGNED_IN, freshSession: true, document: 'mutation { signOut }' },
    staffCreate: {
      rule: ADMIN,
      document: `mutation($e: String!, $p: String!, $l: ID) { staffCreate(input: { email: $e, password: $p, role: ASSOCIATE, locationId: $l }) ${PAYLOAD} }`,
      variables: ({ w }) => ({ e: `${unique('staff')}@example.test`.toLowerCase(), p: PASSWORD, l: w.sides.A.store.id }),
    },
    webhookCreate: {
      // A loopback URL: the admin gets FORBIDDEN_TARGET and nothing is saved that would receive deliveries.
      rule: ADMIN,
      document: `mutation { webhookCreate(input: { url: "http://127.0.0.1:9/matrix", topics: [ORDER_PLACED] }) { webhook { id } secret userErrors { code } } }`,
    },
    webhookDelete: {
      rule: ADMIN,
      document: `mutation { webhookDelete(id: "00000000-0000-4000-8000-000000000000") { webhook { id } userErrors { code } } }`,
    },
    staffSignIn: {
      rule: EVERYONE,
      document: `mutation($e: String!, $p: String!) { staffSignIn(email: $e, password: $p) { token userErrors { code } } }`,
      variables: ({ w }) => ({ e: w.staffEmail, p: PASSWORD }),
    },
  },
  Subscription: {
    orderUpdated: {
      rule: ORDER_OWNER_OR_STORE_STAFF,
      object: true,
      document: 'subscription($o: ID!) { orderUpdated(orderId: $o) { id } }',
      variables: ({ side }) => ({ o: side.order.id }),
      trigger: (t, s) => t.app.events.publish(orderTopic(s.order.id), { orderId: s.order.id }),
    },
    pickupQueueChanged: {
      rule: STORE_STAFF,
      object: true,
      document: 'subscription($l: ID!) { pickupQueueChanged(locationId: $l) { id } }',
      variables: ({ side }) => ({ l: side.store.id }),
      trigger: (t, s) => t.app.events.publish(pickupQueueTopic(s.store.id), { orderId: s.order.id }),
    },
  },
};

function orderVars({ prepared }: Case) {
  return { o: prepared.orderId };
}
