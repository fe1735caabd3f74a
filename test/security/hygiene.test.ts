import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { ConfigError, loadConfig } from '../../src/core/config';
import { leaksInternals, withoutSuggestions } from '../../src/core/security/errors';
import { TestApp } from '../support/harness';

const SHOP = 'https://shop.example.com';
const INTROSPECTION = '{ __schema { queryType { name } } }';

async function post(t: TestApp, query: string, headers: Record<string, string> = {}) {
  const { result, statements } = await t.stats.capture(async () => {
    const res = await t.post({ query }, { headers });
    return { res, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
  });
  return { status: result.res.status, headers: result.res.headers, body: result.body, statements };
}

describe('with NODE_ENV=production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ NODE_ENV: 'production', ADMIN_PASSWORD: 'not-the-default', CORS_ORIGINS: `${SHOP},https://pos.example.com` });
  });
  afterAll(() => t.close());

  it('refuses introspection, over HTTP and in a __type lookup, without touching the database', async () => {
    for (const query of [INTROSPECTION, '{ __type(name: "Order") { fields { name } } }']) {
      const res = await post(t, query);
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.errors?.[0].message).toMatch(/introspection/i);
      expect(res.statements).toEqual([]);
    }
  });

  it('gives no "did you mean" hints for fields, arguments or enum values', async () => {
    const queries = [
      '{ prodcts { edges { cursor } } }',
      '{ products(frist: 2) { edges { cursor } } }',
      '{ pickupQueue(locationId: "x", statuses: [REDY]) { id } }',
    ];
    for (const query of queries) {
      const res = await post(t, query);
      expect(res.status).toBe(400);
      expect(res.body.errors?.length).toBeGreaterThan(0);
      for (const error of res.body.errors ?? []) expect(error.message).not.toMatch(/did you mean/i);
    }
  });

  it('serves no landing page', async () => {
    const res = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(res.headers.get('content-type')).not.toMatch(/html/);
    expect(await res.text()).not.toMatch(/<html/i);
  });

  it('allows only the configured browser origins', async () => {
    const allowed = await post(t, '{ __typename }', { origin: SHOP });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    const other = await post(t, '{ __typename }', { origin: 'https://evil.example.net' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(t.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('in development', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ NODE_ENV: 'development' });
  });
  afterAll(() => t.close());

  it('allows introspection, keeps the hints and serves the landing page, so the checks above can fail', async () => {
    const introspection = await post(t, INTROSPECTION);
    expect(introspection.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const typo = await post(t, '{ prodcts { edges { cursor } } }');
    expect(typo.body.errors?.[0].message).toMatch(/Did you mean "products"/);
    const landing = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(landing.headers.get('content-type')).toMatch(/html/);
  });

  it('reflects any origin when CORS_ORIGINS is unset', async () => {
    const res = await post(t, '{ __typename }', { origin: 'http://localhost:5173' });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });
});

describe('error masking', () => {
  it('treats driver errors and SQL wording as internal, even under a client-visible code', () => {
    const driverError = new UniqueConstraintViolationException(new Error('duplicate key value violates unique constraint "customer_email_unique"'));
    expect(leaksInternals({ message: 'Email taken', extensions: { code: 'BAD_USER_INPUT' } }, driverError)).toBe(true);
    for (const message of [
      'insert or update on table "order_line" violates foreign key constraint "order_line_order_id_foreign"',
      'duplicate key value violates unique constraint "customer_email_unique"',
      'relation "orders" does not exist',
      'select "o0".* from "orders" as "o0" where "o0"."id" = $1 - canceling statement due to statement timeout',
      'syntax error at or near "from"',
    ]) {
      expect(leaksInternals({ message, extensions: { code: 'BAD_USER_INPUT' } }, new Error(message))).toBe(true);
    }
    for (const message of ['first must be between 1 and 100.', 'Sign in to see this order.', 'Select a store that offers pickup.']) {
      expect(leaksInternals({ message, extensions: { code: 'BAD_USER_INPUT' } }, undefined)).toBe(false);
    }
  });

  it('cuts every kind of suggestion', () => {
    expect(withoutSuggestions({ message: 'Cannot query field "prodcts" on type "Query". Did you mean "products" or "product"?' }).message).toBe(
      'Cannot query field "prodcts" on type "Query".',
    );
    expect(withoutSuggestions({ message: 'Value "REDY" does not exist in "OrderStatus" enum. Did you mean the enum value "READY_FOR_PICKUP"?' }).message).toBe(
      'Value "REDY" does not exist in "OrderStatus" enum.',
    );
  });
});

describe('security configuration', () => {
  it('has safe defaults that every existing query fits', () => {
    expect(loadConfig({}).security).toEqual({
      corsOrigins: '*',
      trustProxyHops: 0,
      maxDepth: 10,
      maxAliases: 15,
      maxTokens: 1000,
      maxDirectives: 10,
      maxCost: 10_000,
      bodyLimitKb: 100,
      signInMaxPerAccount: 5,
      signInMaxPerAddress: 50,
      signInWindowSeconds: 900,
      signInMaxDelayMs: 2000,
      signUpMaxPerAddress: 1000,
      signUpWindowSeconds: 3600,
      passwordHashConcurrency: expect.any(Number),
      pickupCodeMaxAttempts: 5,
      pickupCodeLockMinutes: 15,
      wsMaxConnectionsPerAddress: 50,
      wsMaxSubscriptionsPerConnection: 20,
      wsMaxConcurrentOperationsPerAddress: 1,
      maxStringLength: 1000,
      guestCartsPerAddress: 60,
      guestCheckoutsPerAddress: 30,
      guestLimitWindowSeconds: 600,
      pickupLookupMaxFailuresPerStaff: 20,
      pickupLookupMaxFailuresPerStore: 60,
      pickupLookupWindowSeconds: 900,
    });
    expect(loadConfig({ NODE_ENV: 'production', ADMIN_PASSWORD: 'x-y-z-secret' }).security).toMatchObject({ corsOrigins: [], signUpMaxPerAddress: 10 });
  });

  it.each([
    ['CORS_ORIGINS', 'shop.example.com'],
    ['CORS_ORIGINS', 'https://shop.example.com/'],
    ['GRAPHQL_MAX_DEPTH', '1'],
    ['GRAPHQL_MAX_COST', 'lots'],
    ['HTTP_BODY_LIMIT_KB', '0'],
    ['SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT', '0'],
    ['SIGNIN_MAX_DELAY_MS', '-1'],
    ['SIGNUP_MAX_PER_ADDRESS', '0'],
    ['PASSWORD_HASH_CONCURRENCY', '0'],
    ['DEMO_STAFF_PASSWORD', 'short'],
    ['PICKUP_CODE_LOCK_MINUTES', '-5'],
    ['PICKUP_LOOKUP_MAX_FAILURES_PER_STAFF', '0'],
    ['GUEST_CARTS_PER_ADDRESS', 'many'],
    ['PAY_IN_STORE_MAX_UNITS_PER_ORDER', '0'],
    ['PICKUP_PLACED_HOLD_HOURS', '0'],
    ['TRUST_PROXY_HOPS', '99'],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(variable);
  });
});
