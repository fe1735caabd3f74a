import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { WebSocket } from 'ws';
import { describeError } from '../../src/core/logger';
import { STRING_LENGTH_EXCEPTIONS } from '../../src/core/security/input-policy';
import { aCustomer, aPickupOrder, aProduct, aStore, stock } from '../support/fixtures';
import { CartCreateDocument, LocationsDocument } from '../support/generated/graphql';
import { TestApp } from '../support/harness';
import { disposeWires, wire, type WireResult } from './wire';

/**
 * What clients may send as text: one declared policy (src/core/security/input-policy.ts) checked
 * before any resolver or SQL, over HTTP and WebSocket alike; and WebSocket messages no larger
 * than a request body.
 */
let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterEach(() => disposeWires());
afterAll(() => t.close());

type Transport = 'http' | 'websocket';
const TRANSPORTS: Transport[] = ['http', 'websocket'];

/** Sends an operation over the transport; returns its result and the SQL it caused (guests: none for their context). */
async function send(over: Transport, query: string, variables?: Record<string, unknown>, token?: string): Promise<WireResult & { statements: string[] }> {
  const connection = over === 'websocket' ? wire(t, { token }) : undefined;
  // Connected (and its token checked) before counting.
  if (connection) await connection.run('{ __typename }');
  const { result, statements } = await t.stats.capture(async () => {
    if (connection) return connection.run(query, variables);
    const res = await t.post({ query, variables }, { token });
    return (await res.json()) as WireResult;
  });
  return { ...result, statements };
}

const codes = (res: WireResult) => (res.errors ?? []).map((e) => e.extensions?.code);

const SET_FULFILLMENT = `mutation($cartId: ID!, $input: CartFulfillmentInput!) {
  cartSetFulfillment(cartId: $cartId, input: $input) { cart { id } userErrors { code field } } }`;
const address = (line1: string) => ({ name: 'A', line1, city: 'Town', postalCode: '12345', countryCode: 'US' });

async function aCart(): Promise<string> {
  const { cartCreate } = await t.data(CartCreateDocument, { input: {} });
  return cartCreate.cart!.id;
}

describe.each(TRANSPORTS)('string inputs over %s', (over) => {
  it('refuses an address line longer than 1,000 characters given in a variable, nested in an input object, before any SQL', async () => {
    const cartId = await aCart();
    const res = await send(over, SET_FULFILLMENT, { cartId, input: { method: 'SHIP', shippingAddress: address('x'.repeat(1001)) } });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].message).toBe('cartSetFulfillment.input.shippingAddress.line1 is longer than the 1000 characters allowed.');
    expect(res.statements).toEqual([]);
    // 1,000 characters are accepted (the limit is not refusing everything).
    const ok = await send(over, SET_FULFILLMENT, { cartId, input: { method: 'SHIP', shippingAddress: address('x'.repeat(1000)) } });
    expect(ok.errors).toBeUndefined();
  });

  it('refuses a long string given literally, inside a list of input objects', async () => {
    const long = 'S'.repeat(1001);
    const res = await send(over, `mutation { cartCreate(input: { lines: [{ sku: "ok", quantity: 1 }, { sku: "${long}", quantity: 1 }] }) { cart { id } } }`);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].message).toMatch(/^cartCreate\.input\.lines\.1\.sku is longer than the 1000 characters allowed\.$/);
    expect(res.statements).toEqual([]);
  });

  it('allows the declared exceptions their own length, and no more', async () => {
    expect(STRING_LENGTH_EXCEPTIONS['Mutation.orderCancel(reason:)']).toBe(4000);
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    await stock(t, store, variant, 5);
    const customer = await aCustomer(t);
    const order = await aPickupOrder(t, store, customer.token, variant.sku);
    const cancel = 'mutation($orderId: ID!, $reason: String) { orderCancel(orderId: $orderId, reason: $reason) { order { status } userErrors { code } } }';
    const tooLong = await send(over, cancel, { orderId: order.id, reason: 'r'.repeat(4001) }, customer.token);
    expect(codes(tooLong)).toEqual(['BAD_USER_INPUT']);
    expect(tooLong.errors![0].message).toMatch(/longer than the 4000 characters allowed/);
    const long = await send(over, cancel, { orderId: order.id, reason: 'r'.repeat(4000) }, customer.token);
    expect(long.errors).toBeUndefined();
    expect(long.data).toEqual({ orderCancel: { order: { status: 'CANCELLED' }, userErrors: [] } });
  });

  it.each([
    [
      'an email',
      'mutation($email: String!) { customerSignIn(email: $email, password: "whatever-pass") { token userErrors { code } } }',
      { email: 'a\u0000@example.com' },
    ],
    ['a SKU', 'query($sku: String!) { variantBySku(sku: $sku) { id } }', { sku: 'SKU\u0000' }],
    ['a search', 'query($q: String) { products(first: 5, query: $q) { edges { cursor } } }', { q: 'shirt\u0000' }],
    ['an id', 'query { order(id: "\\u0000") { id } }', undefined],
  ])('refuses a NUL character in %s with a clear error, before any SQL', async (_what, query, variables) => {
    const res = await send(over, query, variables);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].message).toMatch(/contains a NUL character \(\\u0000\), which is not allowed in text\.$/);
    expect(res.statements).toEqual([]);
  });
});

it('checks the string inputs of subscriptions, before any SQL', async () => {
  for (const id of [`${randomUUID()}\u0000`, 'x'.repeat(1001)]) {
    const res = await send('websocket', 'subscription($id: ID!) { orderUpdated(orderId: $id) { id } }', { id });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.statements).toEqual([]);
  }
});

describe('WebSocket messages', () => {
  it('closes a connection whose message is larger than the HTTP body limit (1009), and others are served meanwhile', async () => {
    const socket = new WebSocket(t.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((resolve) => socket.once('message', resolve));
    const huge = 'x'.repeat(t.config.security.bodyLimitKb * 1024 + 1);
    const started = Date.now();
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: SET_FULFILLMENT, variables: { cartId: randomUUID(), input: { method: 'SHIP', shippingAddress: address(huge) } } },
      }),
    );
    expect(await closed).toBe(1009);
    const res = await t.post({ query: print(LocationsDocument) });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('accepts a message within the limit', async () => {
    const res = await wire(t).run('{ __typename }');
    expect(res.data).toEqual({ __typename: 'Query' });
  });
});

describe('logs', () => {
  it('never carry the values of a failed SQL statement', async () => {
    const secret = `s3cr3t${randomUUID().slice(0, 8)}`;
    const em = t.app.orm.em.fork();
    const failures: unknown[] = [];
    for (const [sql, params] of [
      ['select ?::int as n', [secret]],
      ['select ?::text as n', [`${secret}\u0000`]],
      [
        'insert into location (id, code, name, kind, pickup_enabled, created_at) values (?, ?, ?, ?, ?, now()), (?, ?, ?, ?, ?, now())',
        [randomUUID(), secret, 'x', 'STORE', true, randomUUID(), secret, 'x', 'STORE', true],
      ],
    ] as const) {
      await em
        .getConnection()
        .execute(sql, [...params])
        .then(
          () => failures.push(new Error(`expected ${sql} to fail`)),
          (err: unknown) => failures.push(err),
        );
    }
    for (const err of failures) {
      const logged = JSON.stringify(describeError(err));
      expect(logged).toMatch(/"error":"database error"/);
      expect(logged).toMatch(/"sqlState":"[0-9A-Z]{5}"/);
      expect(logged).not.toContain(secret);
      expect(logged).not.toMatch(/select|insert/i);
    }
  });
});
