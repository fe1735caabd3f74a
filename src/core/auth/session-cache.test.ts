import { Client } from 'pg';
import { aCustomer, aProduct, aStaff, aStore } from '../../../test/support/fixtures';
import { InventorySetDocument, MeDocument, SignOutDocument, StaffMeDocument } from '../../../test/support/generated/graphql';
import { TestApp, errorCodes } from '../../../test/support/harness';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { StaffRole } from './actor';
import { SessionCache, type SessionActor } from './session-cache';
import { SessionChangeListener } from './session-notifications';

const isSessionLookup = (sql: string) => /from session s\b/.test(sql);

/** How many session lookups `fn` costs on `app`, and its result. */
async function lookups<T>(app: TestApp, fn: () => Promise<T>): Promise<{ result: T; count: number }> {
  const { result, statements } = await app.statementsDuring(fn);
  return { result, count: statements.filter(isSessionLookup).length };
}

const me = (app: TestApp, token: string) => app.gql(MeDocument, {}, { token });
const sql = (app: TestApp, query: string, params: unknown[] = []) => app.app.orm.em.fork().getConnection().execute(query, params);

/** A token whose actor `app` now answers from memory: its next request reads no session. */
async function cachedOn(app: TestApp, token: string): Promise<void> {
  expect((await me(app, token)).errors).toBeUndefined();
  const again = await lookups(app, () => me(app, token));
  expect(again.result.errors).toBeUndefined();
  expect(again.count).toBe(0);
}

/**
 * Another instance hears a change through its own listening connection, which the database
 * signals at the same COMMIT but schedules on its own: on a loaded machine it can come a few
 * milliseconds after the writer's answer. Refused within a second, while the cache would
 * otherwise have answered for 30.
 */
async function refusedSoon(app: TestApp, token: string): Promise<void> {
  const until = Date.now() + 1000;
  let codes = errorCodes(await me(app, token));
  while (codes[0] !== 'UNAUTHENTICATED' && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    codes = errorCodes(await me(app, token));
  }
  expect(codes).toEqual(['UNAUTHENTICATED']);
}

let t: TestApp;
let pglite: boolean;
beforeAll(async () => {
  t = await TestApp.start();
  const [{ version }] = await sql(t, 'select version() as version');
  pglite = String(version).includes('PGlite');
});
afterAll(() => t.close());

describe('the session cache', () => {
  it('reads a session once for any number of requests with one token', async () => {
    const customer = await aCustomer(t);
    const { result, count } = await lookups(t, async () => {
      const responses = [];
      for (let i = 0; i < 5; i++) responses.push(await me(t, customer.token));
      return responses;
    });
    expect(result.map((r) => r.data?.me?.id)).toEqual(Array(5).fill(customer.account.id));
    expect(count).toBe(1);
  });

  it('is off with SESSION_CACHE_SECONDS=0: every request reads its session, as before', async () => {
    const uncached = await TestApp.start({ SESSION_CACHE_SECONDS: '0' });
    try {
      const customer = await aCustomer(uncached);
      const { result, count } = await lookups(uncached, async () => Promise.all([1, 2, 3, 4, 5].map(() => me(uncached, customer.token))));
      expect(result.map((r) => r.data?.me?.id)).toEqual(Array(5).fill(customer.account.id));
      expect(count).toBe(5);
    } finally {
      await uncached.close();
    }
  });

  it.each([
    ['revoked', `update session set revoked_at = now() where subject_id = ?`],
    ['expired', `update session set expires_at = now() - interval '1 second' where subject_id = ?`],
    ['deleted', `delete from session where subject_id = ?`],
  ])('refuses a cached token right after its session is %s in SQL', async (_case, update) => {
    const customer = await aCustomer(t);
    await cachedOn(t, customer.token);
    await sql(t, update, [customer.account.id]);
    const res = await me(t, customer.token);
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a cached token right after a revocation by another database client', async () => {
    // PGlite delivers a notification only to the connection that committed it: the embedded
    // database serves one process, whose own connections all listen (the test above).
    if (pglite) return;
    const customer = await aCustomer(t);
    await cachedOn(t, customer.token);
    const other = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await other.connect();
    try {
      await other.query(`update session set revoked_at = now() where subject_id = $1`, [customer.account.id]);
    } finally {
      await other.end();
    }
    await refusedSoon(t, customer.token);
  });

  it('refuses a cached token on every instance right after signOut on one of them', async () => {
    const other = await TestApp.start();
    try {
      const customer = await aCustomer(t);
      const staff = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
      await cachedOn(t, customer.token);
      await cachedOn(other, customer.token);
      expect((await t.data(StaffMeDocument, {}, { token: staff.token })).staffMe?.id).toBe(staff.account.id);

      expect((await other.data(SignOutDocument, {}, { token: customer.token })).signOut).toBe(true);
      expect(errorCodes(await me(other, customer.token))).toEqual(['UNAUTHENTICATED']);
      await refusedSoon(t, customer.token);
      // Only that session went: another cached token still answers from memory.
      const staffAgain = await lookups(t, () => t.data(StaffMeDocument, {}, { token: staff.token }));
      expect(staffAgain.result.staffMe?.id).toBe(staff.account.id);
      expect(staffAgain.count).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('refuses a cached staff token right after the staff member is deleted', async () => {
    const staff = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    await cachedOn(t, staff.token);
    await sql(t, 'delete from staff where id = ?', [staff.account.id]);
    expect(errorCodes(await t.gql(StaffMeDocument, {}, { token: staff.token }))).toEqual(['UNAUTHENTICATED']);
  });

  it("applies a staff member's new role to a cached token at once", async () => {
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    const manager = await aStaff(t, StaffRole.MANAGER, store);
    const setStock = () => t.gql(InventorySetDocument, { locationId: store.id, sku: variant.sku, onHand: 3 }, { token: manager.token });
    expect((await setStock()).data?.inventorySet.userErrors).toEqual([]);
    const cached = await lookups(t, setStock);
    expect(cached.result.data?.inventorySet.userErrors).toEqual([]);
    expect(cached.count).toBe(0);
    await sql(t, `update staff set role = 'ASSOCIATE' where id = ?`, [manager.account.id]);
    expect(errorCodes(await setStock())).toEqual(['FORBIDDEN']);
  });

  it("never answers from memory past the session's own expiry", async () => {
    const customer = await aCustomer(t);
    const started = Date.now();
    // The change of expiry is heard (and evicts); the lookups after it cache the new expiry.
    await sql(t, `update session set expires_at = now() + interval '3 seconds' where subject_id = ?`, [customer.account.id]);
    await cachedOn(t, customer.token);
    await new Promise((resolve) => setTimeout(resolve, started + 3300 - Date.now()));
    const { result, count } = await lookups(t, () => me(t, customer.token));
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    expect(count).toBe(1);
  });
});

describe('SessionChangeListener', () => {
  it('bypasses the cache while its connection is lost, and trusts it again once listening', async () => {
    if (pglite) return; // one PGlite session: terminating a backend is not a lost connection there
    const cache = new SessionCache(30_000);
    const listener = new SessionChangeListener(cache, process.env.TEST_DATABASE_URL!, 60_000, createLogger('silent'));
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      await listener.start();
      expect(cache.enabled).toBe(true);
      cache.set(cache.ticket(), 'h', customerActor, new Date(Date.now() + 60_000));
      expect(cache.get('h')).toEqual(customerActor);

      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where pid = $1`, [listener.backendPid]);
      await waitFor(() => !cache.enabled);
      expect(cache.get('h')).toBeUndefined();
      await waitFor(() => cache.enabled);
      expect(cache.size).toBe(0);

      // Listening again: a change committed elsewhere evicts.
      cache.set(cache.ticket(), 'h', customerActor, new Date(Date.now() + 60_000));
      await admin.query(`select pg_notify('session_change', 'token:h')`);
      await waitFor(() => cache.size === 0);
    } finally {
      await listener.close();
      await admin.end();
    }
    expect(cache.enabled).toBe(false);
  });
});

const customerActor: SessionActor = { kind: 'customer', customerId: 'c1', sessionId: 's1' };
const staffActor: SessionActor = { kind: 'staff', staffId: 'st1', role: StaffRole.MANAGER, locationId: 'l1', sessionId: 's2' };
const inAMinute = () => new Date(Date.now() + 60_000);

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SessionCache', () => {
  const live = (ttlMs = 30_000, max?: number) => {
    const cache = new SessionCache(ttlMs, max);
    cache.setLive(true);
    return cache;
  };

  it('answers nothing until its notifications are heard, and forgets everything when they are lost', () => {
    const cache = new SessionCache(30_000);
    cache.set(cache.ticket(), 'a', customerActor, inAMinute());
    expect(cache.get('a')).toBeUndefined();
    cache.setLive(true);
    cache.set(cache.ticket(), 'a', customerActor, inAMinute());
    expect(cache.get('a')).toEqual(customerActor);
    cache.setLive(false);
    expect(cache.get('a')).toBeUndefined();
    cache.setLive(true);
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps no answer read before an eviction: it may predate a revocation', () => {
    const cache = live();
    const ticket = cache.ticket();
    cache.evictToken('other');
    cache.set(ticket, 'a', customerActor, inAMinute());
    expect(cache.get('a')).toBeUndefined();
  });

  it('holds an entry for its TTL at most, and never past the session expiry', () => {
    let now = 1_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const cache = live(150);
      cache.set(cache.ticket(), 'a', customerActor, new Date(now + 60_000));
      cache.set(cache.ticket(), 'b', staffActor, new Date(now + 50));
      cache.set(cache.ticket(), 'c', customerActor, new Date(now - 1));
      expect(cache.get('c')).toBeUndefined();
      now += 50;
      expect([cache.get('a'), cache.get('b')]).toEqual([customerActor, undefined]);
      now += 100;
      expect(cache.get('a')).toBeUndefined();
    } finally {
      clock.mockRestore();
    }
  });

  it('is bounded: the least recently used token goes first', () => {
    const cache = live(30_000, 2);
    cache.set(cache.ticket(), 'a', customerActor, inAMinute());
    cache.set(cache.ticket(), 'b', staffActor, inAMinute());
    cache.get('a');
    cache.set(cache.ticket(), 'c', customerActor, inAMinute());
    expect(cache.size).toBe(2);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([customerActor, undefined, customerActor]);
  });

  it('evicts by token, session and subject', () => {
    const cache = live();
    cache.set(cache.ticket(), 'a', customerActor, inAMinute());
    cache.set(cache.ticket(), 'b', staffActor, inAMinute());
    cache.set(cache.ticket(), 'c', { ...customerActor, sessionId: 's3' }, inAMinute());
    cache.evictSession('s1');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, staffActor, { ...customerActor, sessionId: 's3' }]);
    cache.evictSubject('st1');
    cache.evictToken('c');
    expect(cache.size).toBe(0);
  });

  it('lets a sign-out wait until its own listener has heard it, never longer than the limit', async () => {
    const cache = live();
    const settled = (p: Promise<void>) => Promise.race([p.then(() => true), new Promise((resolve) => setImmediate(() => resolve(false)))]);
    expect(await settled(cache.expectBroadcast('s1', 60_000))).toBe(true); // nothing to wait for: no listener of its own
    cache.hearsBroadcasts = true;
    const heard = cache.expectBroadcast('s1', 60_000);
    expect(await settled(heard)).toBe(false);
    cache.broadcastHeard('s2');
    expect(await settled(heard)).toBe(false);
    cache.broadcastHeard('s1');
    expect(await settled(heard)).toBe(true);
    const lost = cache.expectBroadcast('s1', 60_000);
    cache.setLive(false);
    expect(await settled(lost)).toBe(true);
    cache.setLive(true);
    const started = Date.now();
    await cache.expectBroadcast('s3', 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('hands out copies: a caller cannot change what the next request sees', () => {
    const cache = live();
    cache.set(cache.ticket(), 'a', { ...staffActor }, inAMinute());
    const actor = cache.get('a') as typeof staffActor;
    actor.role = StaffRole.ADMIN;
    expect(cache.get('a')).toEqual(staffActor);
  });
});

describe('SESSION_CACHE_SECONDS', () => {
  it('defaults to 30 seconds; 0 turns the cache off', () => {
    expect(loadConfig({}).sessionCacheSeconds).toBe(30);
    expect(loadConfig({ SESSION_CACHE_SECONDS: '0' }).sessionCacheSeconds).toBe(0);
    expect(loadConfig({ SESSION_CACHE_SECONDS: '300' }).sessionCacheSeconds).toBe(300);
  });

  it.each(['-1', '3601', 'thirty', '1.5'])('refuses %s with a ConfigError naming the variable', (value) => {
    expect(() => loadConfig({ SESSION_CACHE_SECONDS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ SESSION_CACHE_SECONDS: value })).toThrow(/SESSION_CACHE_SECONDS/);
  });
});
