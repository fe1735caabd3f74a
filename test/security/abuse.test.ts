import { StaffRole } from '../../src/core/auth/actor';
import { invalidCredentials } from '../../src/core/auth/credentials';
import { SignInThrottle } from '../../src/core/auth/throttle';
import { loadConfig } from '../../src/core/config';
import { createLogger } from '../../src/core/logger';
import { aCustomer, aPickupOrder, aProduct, aStaff, aStore, PASSWORD, sqlNumber, stock } from '../support/fixtures';
import {
  CustomerSignInDocument,
  MeDocument,
  OrderCompletePickupDocument,
  OrderDocument,
  SignOutDocument,
  StaffMeDocument,
  StaffSignInDocument,
} from '../support/generated/graphql';
import { TestApp, errorCodes, unique } from '../support/harness';

const REDIS_URL = 'redis://127.0.0.1:6379';

let t: TestApp;
beforeAll(async () => {
  // Behind one proxy: the client address comes from X-Forwarded-For, so tests can act from several.
  t = await TestApp.start({ TRUST_PROXY_HOPS: '1', SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT: '5', SIGNIN_MAX_ATTEMPTS_PER_ADDRESS: '8' });
});
afterAll(() => t.close());

let addressCounter = 0;
/** A documentation address (RFC 5737) of its own for each test, so address counts do not mix. */
const anAddress = () => `198.51.100.${(process.pid + addressCounter++) % 250}`;
const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
const writes = (statements: string[]) => statements.filter((s) => /^\s*(insert|update|delete)\b/i.test(s));

describe('sign-in attempts', () => {
  it('refuses an address after 5 wrong passwords for one account, without asking the database; the owner signs in from elsewhere', async () => {
    const customer = await aCustomer(t);
    const address = anAddress();
    for (let i = 0; i < 5; i++) {
      const res = await t.data(CustomerSignInDocument, { email: customer.account.email, password: 'wrong-password' }, from(address));
      expect(res.customerSignIn.userErrors.map((e) => e.code)).toEqual(['INVALID_CREDENTIALS']);
    }
    const { result, statements } = await t.stats.capture(() =>
      t.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, from(address)),
    );
    expect(result.customerSignIn.token).toBeNull();
    expect(result.customerSignIn.userErrors).toEqual([
      { code: 'TOO_MANY_ATTEMPTS', message: expect.stringMatching(/Try again in \d+ (seconds|minutes)\./), field: null },
    ]);
    expect(statements).toEqual([]);
    const owner = await t.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, from(anAddress()));
    expect(owner.customerSignIn.userErrors).toEqual([]);
    expect(owner.customerSignIn.token).toBeTruthy();
  });

  it('counts only failures: a successful sign-in clears the count of its address for the account', async () => {
    const staff = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    const email = staff.account.email;
    const address = anAddress();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3; i++) await t.data(StaffSignInDocument, { email, password: 'wrong-password' }, from(address));
      const ok = await t.data(StaffSignInDocument, { email, password: PASSWORD }, from(address));
      expect(ok.staffSignIn.userErrors).toEqual([]);
      expect(ok.staffSignIn.token).toBeTruthy();
    }
  });

  it('refuses an address after 8 wrong passwords across accounts; other addresses go on', async () => {
    const address = anAddress();
    for (let i = 0; i < 8; i++) {
      const res = await t.data(CustomerSignInDocument, { email: `${unique('nobody')}@example.test`, password: 'wrong-password' }, from(address));
      expect(res.customerSignIn.userErrors.map((e) => e.code)).toEqual(['INVALID_CREDENTIALS']);
    }
    const customer = await aCustomer(t);
    const refused = await t.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, from(address));
    expect(refused.customerSignIn.userErrors.map((e) => e.code)).toEqual(['TOO_MANY_ATTEMPTS']);
    const elsewhere = await t.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, from(anAddress()));
    expect(elsewhere.customerSignIn.token).toBeTruthy();
  });

  it('lets parallel guesses from one address through no further than the limit', async () => {
    const customer = await aCustomer(t);
    const address = anAddress();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => t.data(CustomerSignInDocument, { email: customer.account.email, password: 'wrong-password' }, from(address))),
    );
    const codes = results.map((r) => r.customerSignIn.userErrors[0].code);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(5);
    expect(codes.filter((c) => c === 'TOO_MANY_ATTEMPTS')).toHaveLength(7);
  });

  it('holds across instances through Redis when REDIS_URL is set', async () => {
    const env = { REDIS_URL, TRUST_PROXY_HOPS: '1', SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT: '2' };
    const [one, two] = [await TestApp.start(env), await TestApp.start(env)];
    try {
      const customer = await aCustomer(one);
      const address = anAddress();
      for (const app of [one, two]) {
        const res = await app.data(CustomerSignInDocument, { email: customer.account.email, password: 'wrong-password' }, from(address));
        expect(res.customerSignIn.userErrors.map((e) => e.code)).toEqual(['INVALID_CREDENTIALS']);
      }
      const refused = await one.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, from(address));
      expect(refused.customerSignIn.userErrors.map((e) => e.code)).toEqual(['TOO_MANY_ATTEMPTS']);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('keeps counting, per instance, while Redis is unreachable', async () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT: '2', SIGNIN_MAX_DELAY_MS: '0' });
    const throttle = SignInThrottle.create(config, createLogger('silent'));
    try {
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) {
        const result = await throttle.attempt('customer', 'someone@example.test', '192.0.2.1', async () => invalidCredentials());
        codes.push(result.ok ? 'ok' : result.errors[0].code);
      }
      expect(codes).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS']);
    } finally {
      await throttle.close();
    }
  });
});

describe('pickup-code guesses', () => {
  it('locks the order after 5 wrong codes, on every instance, without writing anything for a locked attempt', async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    await stock(t, store, variant, 5);
    const customer = await aCustomer(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    const order = await aPickupOrder(t, store, customer.token, variant.sku, { ready: true, readyBy: associate.token });
    const attempt = (app: TestApp, pickupCode: string) =>
      app.data(OrderCompletePickupDocument, { orderId: order.id, pickupCode, idempotencyKey: unique('key') }, { token: associate.token });

    for (let i = 1; i <= 4; i++) {
      const res = await attempt(t, 'WRONG1');
      expect(res.orderCompletePickup.userErrors).toEqual([
        { code: 'INVALID_PICKUP_CODE', message: expect.stringContaining(`${5 - i} more`), field: ['pickupCode'] },
      ]);
    }
    expect(await sqlNumber(t, 'select pickup_code_failures n from orders where id = ?', [order.id])).toBe(4);
    const fifth = await attempt(t, 'WRONG1');
    expect(fifth.orderCompletePickup.userErrors.map((e) => e.code)).toEqual(['TOO_MANY_ATTEMPTS']);

    // The right code is refused too while the lock holds, here and on another instance.
    const other = await TestApp.start();
    try {
      const { result, statements } = await other.stats.capture(() => attempt(other, order.code));
      expect(result.orderCompletePickup.userErrors).toEqual([
        { code: 'TOO_MANY_ATTEMPTS', message: expect.stringMatching(/Try again in \d+ minutes\./), field: ['pickupCode'] },
      ]);
      expect(writes(statements)).toEqual([]);
    } finally {
      await other.close();
    }
    const { order: still } = await t.data(OrderDocument, { id: order.id }, { token: associate.token });
    expect(still!.status).toBe('READY_FOR_PICKUP');

    // Once the lock has passed, the right code hands the order over.
    await t.app.orm.em.fork().getConnection().execute(`update orders set pickup_code_locked_until = now() - interval '1 second' where id = ?`, [order.id]);
    const done = await attempt(t, order.code);
    expect(done.orderCompletePickup.userErrors).toEqual([]);
    expect(done.orderCompletePickup.order!.status).toBe('COMPLETED');
  });
});

describe('sessions', () => {
  it('signOut revokes the token it is sent with, for customers and staff; others stay valid', async () => {
    const customer = await aCustomer(t);
    const second = await t.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, from(anAddress()));
    const staff = await aStaff(t, StaffRole.MANAGER, await aStore(t));
    expect((await t.data(SignOutDocument, {}, { token: customer.token })).signOut).toBe(true);
    expect(errorCodes(await t.gql(MeDocument, {}, { token: customer.token }))).toEqual(['UNAUTHENTICATED']);
    expect((await t.data(MeDocument, {}, { token: second.customerSignIn.token! })).me?.id).toBe(customer.account.id);

    expect((await t.data(SignOutDocument, {}, { token: staff.token })).signOut).toBe(true);
    expect(errorCodes(await t.gql(StaffMeDocument, {}, { token: staff.token }))).toEqual(['UNAUTHENTICATED']);
  });

  it('signOut needs a session', async () => {
    expect(errorCodes(await t.gql(SignOutDocument, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an expired token', async () => {
    const customer = await aCustomer(t);
    expect((await t.data(MeDocument, {}, { token: customer.token })).me?.id).toBe(customer.account.id);
    await t.app.orm.em
      .fork()
      .getConnection()
      .execute(`update session set expires_at = now() - interval '1 second' where subject_id = ?`, [customer.account.id]);
    expect(errorCodes(await t.gql(MeDocument, {}, { token: customer.token }))).toEqual(['UNAUTHENTICATED']);
  });
});
