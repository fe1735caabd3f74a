import { StaffRole } from '../../src/core/auth/actor';
import { createLogger } from '../../src/core/logger';
import type { Location } from '../../src/modules/location';
import { aCustomer, aPickupOrder, aProduct, aStaff, aStore, sqlNumber, stock, type PickupOrder } from '../support/fixtures';
import { OrderCompletePickupDocument } from '../support/generated/graphql';
import { TestApp, unique } from '../support/harness';

/**
 * Pickup codes cannot be guessed through orderByPickupCode: lookups that find nothing are counted
 * per staff member and per store (every aliased field is a lookup), on every instance (Redis, or
 * the database without it), refused past the limits, and an abnormal rate raises an alert.
 */
const LIMITS = { PICKUP_LOOKUP_MAX_FAILURES_PER_STAFF: '5', PICKUP_LOOKUP_MAX_FAILURES_PER_STORE: '8', PICKUP_LOOKUP_WINDOW_SECONDS: '600' };
const REDIS_URL = 'redis://127.0.0.1:6379';

const lines: string[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start(LIMITS, { logger: createLogger('warn', (line) => lines.push(line)) });
});
afterAll(() => t.close());

interface Shop {
  store: Location;
  order: PickupOrder;
  associate: () => Promise<string>;
}

async function aShop(app: TestApp = t): Promise<Shop> {
  const store = await aStore(app);
  const [variant] = await aProduct(app);
  await stock(app, store, variant, 10);
  const order = await aPickupOrder(app, store, (await aCustomer(app)).token, variant.sku);
  return { store, order, associate: async () => (await aStaff(app, StaffRole.ASSOCIATE, store)).token };
}

/** Not a code any order has: the alphabet has no 0, O, 1 or I. */
const WRONG = 'O0I1O0';

async function lookUp(app: TestApp, shop: Shop, token: string, codes: string[]) {
  const fields = codes.map((_, i) => `l${i}: orderByPickupCode(locationId: $l, code: $c${i}) { id }`).join(' ');
  const variables = Object.fromEntries([['l', shop.store.id], ...codes.map((c, i) => [`c${i}`, c])]);
  const res = await app.post({ query: `query(${['$l: ID!', ...codes.map((_, i) => `$c${i}: String!`)].join(', ')}) { ${fields} }`, variables }, { token });
  const body = (await res.json()) as { data?: Record<string, { id: string } | null>; errors?: { path: string[]; extensions: { code: string } }[] };
  return codes.map((_, i) => {
    const error = body.errors?.find((e) => e.path[0] === `l${i}`);
    if (error) return error.extensions.code;
    return body.data?.[`l${i}`] ? 'found' : 'none';
  });
}

describe('orderByPickupCode', () => {
  it('refuses a staff member after 5 failed lookups, even with the right code; another associate goes on', async () => {
    const shop = await aShop();
    const guesser = await shop.associate();
    for (let i = 0; i < 5; i++) expect(await lookUp(t, shop, guesser, [WRONG])).toEqual(['none']);
    expect(await lookUp(t, shop, guesser, [shop.order.code])).toEqual(['TOO_MANY_ATTEMPTS']);
    expect(await lookUp(t, shop, await shop.associate(), [shop.order.code])).toEqual(['found']);
  });

  it('counts every aliased field: 7 guesses in one query get 5 answers and 2 refusals', async () => {
    const shop = await aShop();
    const results = await lookUp(t, shop, await shop.associate(), Array(7).fill(WRONG));
    expect(results.filter((r) => r === 'none')).toHaveLength(5);
    expect(results.filter((r) => r === 'TOO_MANY_ATTEMPTS')).toHaveLength(2);
  });

  it('refuses the whole store after 8 failed lookups by several staff members', async () => {
    const shop = await aShop();
    const [one, two, three] = [await shop.associate(), await shop.associate(), await shop.associate()];
    expect(await lookUp(t, shop, one, Array(4).fill(WRONG))).toEqual(Array(4).fill('none'));
    expect(await lookUp(t, shop, two, Array(4).fill(WRONG))).toEqual(Array(4).fill('none'));
    expect(await lookUp(t, shop, three, [shop.order.code])).toEqual(['TOO_MANY_ATTEMPTS']);
    // Another store is not concerned.
    const other = await aShop();
    expect(await lookUp(t, other, await other.associate(), [other.order.code])).toEqual(['found']);
  });

  it('does not count lookups that find their order', async () => {
    const shop = await aShop();
    const associate = await shop.associate();
    for (let i = 0; i < 4; i++)
      expect(await lookUp(t, shop, associate, [shop.order.code, shop.order.code, shop.order.code])).toEqual(['found', 'found', 'found']);
    expect(await lookUp(t, shop, associate, Array(5).fill(WRONG))).toEqual(Array(5).fill('none'));
  });

  it('raises an alert at half the limit: a warn line and the commerce_security_alerts_total counter', async () => {
    const shop = await aShop();
    const metrics = async () => {
      const text = await (await fetch(t.url.replace(/\/graphql$/, '/metrics'))).text();
      return Number(/commerce_security_alerts_total\{alert="pickup_code_guessing"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await metrics();
    lines.length = 0;
    const associate = await shop.associate();
    await lookUp(t, shop, associate, [WRONG, WRONG]);
    expect(lines).toEqual([]);
    await lookUp(t, shop, associate, [WRONG]);
    const alerts = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'security alert');
    expect(alerts).toEqual([expect.objectContaining({ level: 'warn', alert: 'pickup_code_guessing', locationId: shop.store.id, failuresByStaff: 3 })]);
    expect(await metrics()).toBe(before + 1);
  });

  it('counts on every instance without Redis, in the database', async () => {
    const other = await TestApp.start(LIMITS);
    try {
      const shop = await aShop();
      const associate = await shop.associate();
      expect(await lookUp(t, shop, associate, Array(3).fill(WRONG))).toEqual(Array(3).fill('none'));
      expect(await lookUp(other, shop, associate, Array(2).fill(WRONG))).toEqual(Array(2).fill('none'));
      expect(await lookUp(t, shop, associate, [shop.order.code])).toEqual(['TOO_MANY_ATTEMPTS']);
      expect(await sqlNumber(t, `select count n from failure_count where key = ?`, [`pickup-lookup:store:${shop.store.id}`])).toBe(6);
    } finally {
      await other.close();
    }
  });

  it('counts on every instance through Redis when REDIS_URL is set', async () => {
    const [one, two] = [await TestApp.start({ ...LIMITS, REDIS_URL }), await TestApp.start({ ...LIMITS, REDIS_URL })];
    try {
      const shop = await aShop(one);
      const associate = await shop.associate();
      expect(await lookUp(one, shop, associate, Array(3).fill(WRONG))).toEqual(Array(3).fill('none'));
      expect(await lookUp(two, shop, associate, Array(2).fill(WRONG))).toEqual(Array(2).fill('none'));
      expect(await lookUp(one, shop, associate, [shop.order.code])).toEqual(['TOO_MANY_ATTEMPTS']);
      expect(await sqlNumber(one, `select count(*) n from failure_count where key like ?`, [`%${shop.store.id}`])).toBe(0);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe("orderCompletePickup's wrong-code counter", () => {
  it('still locks the order after 5 wrong codes when 12 are sent at once', async () => {
    const shop = await aShop();
    const associate = await shop.associate();
    const customer = await aCustomer(t);
    const [variant] = await aProduct(t);
    await stock(t, shop.store, variant, 5);
    const order = await aPickupOrder(t, shop.store, customer.token, variant.sku, { ready: true, readyBy: associate });
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.data(OrderCompletePickupDocument, { orderId: order.id, pickupCode: WRONG, idempotencyKey: unique('key') }, { token: associate }),
      ),
    );
    const codes = results.map((r) => r.orderCompletePickup.userErrors[0]?.code);
    // Each wrong code checked is counted, and the fifth locks the order: no more than 5 are compared.
    expect(codes.filter((c) => c === 'INVALID_PICKUP_CODE').length).toBeLessThanOrEqual(4);
    expect(codes.filter((c) => c === 'TOO_MANY_ATTEMPTS').length).toBeGreaterThanOrEqual(8);
    const right = await t.data(OrderCompletePickupDocument, { orderId: order.id, pickupCode: order.code, idempotencyKey: unique('key') }, { token: associate });
    expect(right.orderCompletePickup.userErrors.map((e) => e.code)).toEqual(['TOO_MANY_ATTEMPTS']);
  });
});
