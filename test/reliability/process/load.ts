// A checkout load over HTTP against a service that may die at any moment, and the client's own
// record of what it was told: every order acknowledged (number and totals), and every checkout
// whose answer never came (retried later with the same idempotency key).
import { ADMIN, gql, staffSignIn } from '../../build/service-process';

const DEMO_STORE_PASSWORD = 'store-demo-pass';

export interface World {
  storeId: string;
  skus: string[];
  associateToken: string;
  customers: { id: string; token: string }[];
}

export interface Ack {
  orderId: string;
  number: string;
  subtotal: number;
  total: number;
  cartId: string;
  key: string;
}

interface Pending {
  args: Record<string, unknown>;
  token?: string;
  cartId: string;
  key: string;
}

interface OrderPayload {
  order: { id: string; number: string; subtotal: { amount: number }; total: { amount: number } } | null;
  userErrors: { code: string; message: string }[];
}

const CHECKOUT = `mutation Checkout($cartId: ID!, $idempotencyKey: String!, $paymentMethod: PaymentMethod!, $paymentToken: String) {
  checkoutComplete(cartId: $cartId, idempotencyKey: $idempotencyKey, paymentMethod: $paymentMethod, paymentToken: $paymentToken) {
    order { id number subtotal { amount } total { amount } } userErrors { code message } } }`;
const CART_CREATE = `mutation CartCreate($input: CartCreateInput) { cartCreate(input: $input) { cart { id } userErrors { code message } } }`;
const SET_FULFILLMENT = `mutation Fulfil($cartId: ID!, $input: CartFulfillmentInput!) { cartSetFulfillment(cartId: $cartId, input: $input) { userErrors { code message } } }`;
const SET_CONTACT = `mutation Contact($cartId: ID!, $input: CartContactInput!) { cartSetContact(cartId: $cartId, input: $input) { userErrors { code message } } }`;
const APPLY_POINTS = `mutation Points($cartId: ID!, $points: Int!) { cartApplyLoyaltyPoints(cartId: $cartId, points: $points) { userErrors { code message } } }`;
const ORDER = `query Order($id: ID!) { order(id: $id) { id number subtotal { amount } total { amount } } }`;

/** The demo store DOWNTOWN with plenty of two demo SKUs, its associate, and customers who sign up. */
export async function buildWorld(url: string, customers: number): Promise<World & { adminToken: string }> {
  const adminToken = await staffSignIn(url, ADMIN.email, ADMIN.password);
  const associateToken = await staffSignIn(url, 'associate.downtown@example.com', DEMO_STORE_PASSWORD);
  const { locations } = await gql<{ locations: { id: string; code: string }[] }>(url, `{ locations { id code } }`);
  const storeId = locations.find((l) => l.code === 'DOWNTOWN')!.id;
  const { products } = await gql<{ products: { edges: { node: { variants: { sku: string }[] } }[] } }>(
    url,
    `{ products(first: 2) { edges { node { variants { sku } } } } }`,
  );
  const skus = products.edges.slice(0, 2).map((e) => e.node.variants[0].sku);
  for (const sku of skus) {
    await gql(
      url,
      `mutation S($l: ID!, $s: String!) { inventorySet(locationId: $l, sku: $s, onHand: 100000) { userErrors { code } } }`,
      { l: storeId, s: sku },
      adminToken,
    );
  }
  const signedUp = [];
  for (let i = 0; i < customers; i++) {
    const { customerSignUp } = await gql<{ customerSignUp: { token: string; customer: { id: string } } }>(
      url,
      `mutation Up($input: CustomerSignUpInput!) { customerSignUp(input: $input) { token customer { id } userErrors { code } } }`,
      { input: { email: `load-${Date.now().toString(36)}-${i}@example.com`, password: 'load-test-password', name: `Load ${i}` } },
    );
    signedUp.push({ id: customerSignUp.customer.id, token: customerSignUp.token });
  }
  return { storeId, skus, associateToken, customers: signedUp, adminToken };
}

export class CheckoutLoad {
  readonly acked: Ack[] = [];
  private pending: Pending[] = [];
  /** Failures of the requests before checkout (nothing to verify: no order was asked for). */
  interrupted = 0;
  refused = 0;
  retriedAfterCrash = 0;
  private seq = 0;

  constructor(private readonly world: World) {}

  /** `workers` clients check out in a loop until `stop()` says so or their service goes away. */
  async run(url: string, workers: number, stop: () => boolean): Promise<void> {
    await Promise.all(Array.from({ length: workers }, (_, w) => this.worker(url, w, stop)));
  }

  private async worker(url: string, w: number, stop: () => boolean): Promise<void> {
    const customer = this.world.customers[w % this.world.customers.length];
    for (let i = 0; !stop(); i++) {
      // Three kinds of buyer: a guest picking up, a counter sale for a customer (points earned),
      // and that customer online spending some of those points on a pickup.
      const kind = w % 3 === 0 ? 'guest' : i % 2 === 0 ? 'counter' : 'points';
      const lines = [{ sku: this.world.skus[(w + i) % 2], quantity: 1 + ((w + i) % 3) }];
      let cartId: string;
      let token: string | undefined;
      try {
        if (kind === 'counter') {
          token = this.world.associateToken;
          cartId = (await gql<{ cartCreate: { cart: { id: string } } }>(url, CART_CREATE, { input: { lines, customerId: customer.id } }, token)).cartCreate.cart
            .id;
          await gql(url, SET_FULFILLMENT, { cartId, input: { method: 'IN_STORE' } }, token);
        } else {
          token = kind === 'points' ? customer.token : undefined;
          cartId = (await gql<{ cartCreate: { cart: { id: string } } }>(url, CART_CREATE, { input: { lines } }, token)).cartCreate.cart.id;
          await gql(url, SET_FULFILLMENT, { cartId, input: { method: 'PICKUP', locationId: this.world.storeId } }, token);
          if (kind === 'points') await gql(url, APPLY_POINTS, { cartId, points: 30 }, token);
          // A guest gives the email the order is confirmed to.
          else await gql(url, SET_CONTACT, { cartId, input: { email: `guest-${w}-${i}@load.test` } });
        }
      } catch {
        this.interrupted++;
        return;
      }
      const key = `load-${process.pid}-${this.seq++}`;
      const args = {
        cartId,
        idempotencyKey: key,
        paymentMethod: kind === 'points' ? 'CARD' : 'PAY_IN_STORE',
        paymentToken: kind === 'points' ? 'tok_visa' : undefined,
      };
      let payload: OrderPayload;
      try {
        payload = (await gql<{ checkoutComplete: OrderPayload }>(url, CHECKOUT, args, token)).checkoutComplete;
      } catch {
        // No answer: the order may or may not exist. The client retries with the same key.
        this.pending.push({ args, token, cartId, key });
        return;
      }
      this.record(payload, cartId, key);
    }
  }

  private record(payload: OrderPayload, cartId: string, key: string): void {
    if (payload.order) {
      const { id, number, subtotal, total } = payload.order;
      this.acked.push({ orderId: id, number, subtotal: subtotal.amount, total: total.amount, cartId, key });
    } else this.refused++;
  }

  /**
   * After the restart: every checkout left without an answer is sent again with its key, twice;
   * both answers must name the same order (or the same refusal). Returns what disagreed.
   */
  async retryPending(url: string): Promise<string[]> {
    const problems: string[] = [];
    for (const p of this.pending.splice(0)) {
      const [first, second] = [
        (await gql<{ checkoutComplete: OrderPayload }>(url, CHECKOUT, p.args, p.token)).checkoutComplete,
        (await gql<{ checkoutComplete: OrderPayload }>(url, CHECKOUT, p.args, p.token)).checkoutComplete,
      ];
      if (first.order?.id !== second.order?.id) problems.push(`key ${p.key}: two answers ${first.order?.id} / ${second.order?.id}`);
      if (!first.order) problems.push(`key ${p.key}: retry refused: ${JSON.stringify(first.userErrors)}`);
      this.retriedAfterCrash++;
      this.record(first, p.cartId, p.key);
    }
    return problems;
  }

  /** Every acknowledged order, looked up by the admin: the ones missing or with other totals. */
  async lostOrChanged(url: string, adminToken: string): Promise<string[]> {
    const problems: string[] = [];
    for (const ack of this.acked) {
      const { order } = await gql<{ order: { id: string; number: string; subtotal: { amount: number }; total: { amount: number } } | null }>(
        url,
        ORDER,
        { id: ack.orderId },
        adminToken,
      );
      if (!order) problems.push(`order ${ack.number} is gone`);
      else if (order.number !== ack.number || order.subtotal.amount !== ack.subtotal || order.total.amount !== ack.total) {
        problems.push(`order ${ack.number} changed: ${JSON.stringify(order)}`);
      }
    }
    return problems;
  }

  /** Acknowledged orders that share a cart (must be none). */
  duplicates(): number {
    const carts = new Map<string, Set<string>>();
    for (const a of this.acked) carts.set(a.cartId, (carts.get(a.cartId) ?? new Set()).add(a.orderId));
    return [...carts.values()].filter((ids) => ids.size > 1).length;
  }
}
