// Metrics observed from outside: /metrics scraped over HTTP around real operations. Spans are
// tested on the built service (test/build/tracing.test.ts): the OTLP exporter loads node:http
// with a dynamic import, which jest's module sandbox refuses.
import { ConfigError, loadConfig } from '../src/core/config';
import type { Location } from '../src/modules/location';
import { aCustomer, aPickupCart, aProduct, aStore, stock } from './support/fixtures';
import { CheckoutCompleteDocument, PickupQueueDocument } from './support/generated/graphql';
import { TestApp, unique } from './support/harness';

/** The sum of every sample of `name` whose labels include `labels`, from Prometheus' text format. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) total += Number(match[3]);
  }
  return total;
}

const metricsUrl = (t: TestApp) => t.url.replace(/\/graphql$/, '/metrics');

async function scrape(t: TestApp): Promise<string> {
  const res = await fetch(metricsUrl(t));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

describe('metrics at /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  /** A customer's cart for pickup at `store` holding `quantity` of the variant. */
  async function pickupCart(store: Location, sku: string, quantity: number) {
    const { token } = await aCustomer(t);
    return { token, cartId: await aPickupCart(t, store, [{ sku, quantity }], token) };
  }

  it('counts operations, checkouts by outcome, oversell refusals and errors by code, and shows the database pool', async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t, [25_00]);
    await stock(t, store, variant, 1);
    const first = await pickupCart(store, variant.sku, 1);
    const second = await pickupCart(store, variant.sku, 1);

    const before = await scrape(t);
    const checkout = (cart: { token: string; cartId: string }) =>
      t.data(
        CheckoutCompleteDocument,
        { cartId: cart.cartId, idempotencyKey: unique('metrics'), paymentMethod: 'PAY_IN_STORE' },
        { token: cart.token, channel: 'APP' },
      );
    expect((await checkout(first)).checkoutComplete.order?.status).toBe('PLACED');
    // The last unit is gone: the second checkout is an oversell refusal.
    expect((await checkout(second)).checkoutComplete.userErrors.map((e) => e.code)).toEqual(['OUT_OF_STOCK']);
    // A guest asking for a store's queue is refused with UNAUTHENTICATED.
    expect((await t.gql(PickupQueueDocument, { locationId: store.id })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const after = await scrape(t);

    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('commerce_checkouts_total', { outcome: 'completed', fulfillment: 'PICKUP', channel: 'APP' })).toBe(1);
    expect(moved('commerce_checkouts_total', { outcome: 'OUT_OF_STOCK', fulfillment: 'none', channel: 'APP' })).toBe(1);
    expect(moved('commerce_oversell_refusals_total', { mutation: 'checkoutComplete' })).toBe(1);
    expect(moved('commerce_graphql_errors_total', { kind: 'user', code: 'OUT_OF_STOCK', operation: 'CheckoutComplete' })).toBe(1);
    expect(moved('commerce_graphql_errors_total', { kind: 'graphql', code: 'UNAUTHENTICATED', operation: 'PickupQueue' })).toBe(1);
    expect(moved('commerce_graphql_requests_total', { operation: 'CheckoutComplete', type: 'mutation' })).toBe(2);
    expect(moved('commerce_graphql_request_duration_seconds_count', { operation: 'CheckoutComplete', type: 'mutation' })).toBe(2);
    expect(moved('commerce_graphql_request_duration_seconds_sum', { operation: 'CheckoutComplete', type: 'mutation' })).toBeGreaterThan(0);

    // The pool gauges are read at scrape time; connections were opened, none is held between requests.
    expect(after).toMatch(/^commerce_db_pool_in_use 0$/m);
    expect(sample(after, 'commerce_db_pool_idle')).toBeGreaterThan(0);
    expect(after).toMatch(/^commerce_db_pool_waiting 0$/m);
    // The process metrics are there too.
    expect(sample(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('folds operation names a client could abuse into fixed labels', async () => {
    const before = await scrape(t);
    await t.post({ query: '{ locations { id } }' });
    await t.post({ query: 'query WeirdName { locations { id } }', operationName: 'WeirdName' });
    const after = await scrape(t);
    expect(
      sample(after, 'commerce_graphql_requests_total', { operation: 'anonymous', type: 'query' }) -
        sample(before, 'commerce_graphql_requests_total', { operation: 'anonymous', type: 'query' }),
    ).toBe(1);
    expect(sample(after, 'commerce_graphql_requests_total', { operation: 'WeirdName' })).toBe(1);
  });

  it('is not served with METRICS_ENABLED=false', async () => {
    const off = await TestApp.start({ METRICS_ENABLED: 'false' });
    try {
      expect((await fetch(metricsUrl(off))).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

describe('tracing configuration', () => {
  it('is configured by the OpenTelemetry variables, and off without an endpoint', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({
      endpoint: 'http://collector:4318/v1/traces',
      serviceName: 'omnichannel-commerce',
    });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/traces' }).tracing?.endpoint).toBe(
      'https://b/traces',
    );
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' }).tracing).toBeUndefined();
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://a:4317' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://a:4317' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadConfig({ METRICS_ENABLED: 'maybe' })).toThrow(/METRICS_ENABLED/);
    expect(loadConfig({}).metricsEnabled).toBe(true);
  });
});
