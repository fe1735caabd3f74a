import { StaffRole } from '../../core/auth/actor';
import { aCustomer, anAdmin, aStaff, aStore, sqlNumber } from '../../../test/support/fixtures';
import { LocationCreateDocument, LocationsDocument, type LocationsQuery } from '../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../test/support/harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

type Kind = 'STORE' | 'WAREHOUSE';
const input = (code: string, kind: Kind = 'STORE', pickupEnabled = kind === 'STORE', name = `Place ${code}`) => ({ code, name, kind, pickupEnabled });
const locationsWithCode = (code: string) => sqlNumber(t, `select count(*) n from location where code = ?`, [code.trim().toUpperCase()]);

describe('locations', () => {
  it('lists the locations to anyone, filtered by pickupEnabled', async () => {
    const admin = await anAdmin(t);
    const created: LocationsQuery['locations'] = [];
    for (const [kind, pickupEnabled] of [
      ['STORE', true],
      ['STORE', false],
      ['WAREHOUSE', false],
    ] as const) {
      const { locationCreate } = await t.data(LocationCreateDocument, { input: input(unique('LIST'), kind, pickupEnabled) }, { token: admin.token });
      created.push(locationCreate.location!);
    }
    const [pickupStore, plainStore, warehouse] = created;
    const mine = (list: { id: string }[]) => list.filter((l) => created.some((c) => c.id === l.id));

    const all = await t.data(LocationsDocument, {});
    expect(mine(all.locations)).toEqual(expect.arrayContaining(created));
    expect(mine(all.locations)).toHaveLength(3);

    const pickup = await t.data(LocationsDocument, { pickupEnabled: true });
    expect(mine(pickup.locations)).toEqual([pickupStore]);
    expect(pickup.locations.every((l) => l.pickupEnabled && l.kind === 'STORE')).toBe(true);

    const noPickup = await t.data(LocationsDocument, { pickupEnabled: false });
    expect(mine(noPickup.locations)).toEqual(expect.arrayContaining([plainStore, warehouse]));
    expect(mine(noPickup.locations)).toHaveLength(2);
    expect(noPickup.locations.every((l) => !l.pickupEnabled)).toBe(true);

    // Signed-in callers see the same list as guests.
    const customer = await aCustomer(t);
    expect(mine((await t.data(LocationsDocument, {}, { token: customer.token })).locations)).toEqual(mine(all.locations));
  });

  it('treats pickupEnabled: null as no filter', async () => {
    const store = await aStore(t, { pickupEnabled: false });
    const { locations } = await t.data(LocationsDocument, { pickupEnabled: null });
    expect(locations.map((l) => l.id)).toContain(store.id);
  });
});

describe('locationCreate', () => {
  it('lets an admin create a pickup store, storing the code trimmed and in upper case', async () => {
    const admin = await anAdmin(t);
    const code = unique('St');
    const { locationCreate } = await t.data(
      LocationCreateDocument,
      { input: input(` ${code.toLowerCase()} `, 'STORE', true, '  Main Street  ') },
      { token: admin.token },
    );
    expect(locationCreate).toEqual({
      location: { id: expect.any(String), code, name: 'Main Street', kind: 'STORE', pickupEnabled: true },
      userErrors: [],
    });
    expect(await locationsWithCode(code)).toBe(1);
  });

  it('lets an admin create a warehouse without pickup', async () => {
    const admin = await anAdmin(t);
    const code = unique('WH');
    const { locationCreate } = await t.data(LocationCreateDocument, { input: input(code, 'WAREHOUSE', false) }, { token: admin.token });
    expect(locationCreate.userErrors).toEqual([]);
    expect(locationCreate.location).toMatchObject({ code, kind: 'WAREHOUSE', pickupEnabled: false });
  });

  it('refuses pickup at a warehouse with INVALID_INPUT at pickupEnabled, creating nothing', async () => {
    const admin = await anAdmin(t);
    const code = unique('WH');
    const { locationCreate } = await t.data(LocationCreateDocument, { input: input(code, 'WAREHOUSE', true) }, { token: admin.token });
    expect(locationCreate).toEqual({ location: null, userErrors: [{ code: 'INVALID_INPUT', message: expect.any(String), field: ['input', 'pickupEnabled'] }] });
    expect(await locationsWithCode(code)).toBe(0);
  });

  it('refuses a code already taken, in any letter case, with INVALID_INPUT at code', async () => {
    const admin = await anAdmin(t);
    const code = unique('DUP');
    await t.data(LocationCreateDocument, { input: input(code, 'STORE', true, 'First') }, { token: admin.token });
    for (const again of [code, code.toLowerCase()]) {
      const { locationCreate } = await t.data(LocationCreateDocument, { input: input(again, 'WAREHOUSE', false, 'Second') }, { token: admin.token });
      expect(locationCreate).toEqual({
        location: null,
        userErrors: [{ code: 'INVALID_INPUT', message: expect.stringContaining(code), field: ['input', 'code'] }],
      });
    }
    expect(await locationsWithCode(code)).toBe(1);
    const { locations } = await t.data(LocationsDocument, {});
    expect(locations.find((l) => l.code === code)).toMatchObject({ name: 'First', kind: 'STORE', pickupEnabled: true });
  });

  it('forgets a refused create: a valid create later in the same request still succeeds', async () => {
    const admin = await anAdmin(t);
    const taken = unique('TAKEN');
    const fresh = unique('FRESH');
    await t.data(LocationCreateDocument, { input: input(taken) }, { token: admin.token });
    const res = await t.post(
      {
        query: `mutation($a: LocationCreateInput!, $b: LocationCreateInput!) {
          a: locationCreate(input: $a) { location { code } userErrors { code } }
          b: locationCreate(input: $b) { location { code } userErrors { code } }
        }`,
        variables: { a: input(taken), b: input(fresh) },
      },
      { token: admin.token },
    );
    const { data } = (await res.json()) as { data: Record<'a' | 'b', { location: { code: string } | null; userErrors: { code: string }[] }> };
    expect(data.a.userErrors.map((e) => e.code)).toEqual(['INVALID_INPUT']);
    expect(data.b).toEqual({ location: { code: fresh }, userErrors: [] });
    expect(await locationsWithCode(fresh)).toBe(1);
  });

  it.each([
    ['a one-character code', () => 'Q', ['input', 'code']],
    ['a blank code', () => '   ', ['input', 'code']],
    ['a code with a space', () => `${unique('SP')} 1`, ['input', 'code']],
    ['a code starting with "-"', () => `-${unique('DASH')}`, ['input', 'code']],
    ['a code of 33 characters', () => unique('LONG').padEnd(33, 'X'), ['input', 'code']],
    ['a code with a letter outside A–Z', () => `${unique('ACC')}É`, ['input', 'code']],
  ])('refuses %s with INVALID_INPUT at code, creating nothing', async (_case, code, field) => {
    const admin = await anAdmin(t);
    const bad = code();
    const { locationCreate } = await t.data(LocationCreateDocument, { input: input(bad) }, { token: admin.token });
    expect(locationCreate).toEqual({ location: null, userErrors: [{ code: 'INVALID_INPUT', message: expect.any(String), field }] });
    expect(await locationsWithCode(bad)).toBe(0);
  });

  it('accepts codes of 2 and of 32 characters', async () => {
    const admin = await anAdmin(t);
    const long = unique('MAX').padEnd(32, '9');
    const { locationCreate } = await t.data(LocationCreateDocument, { input: input(long) }, { token: admin.token });
    expect(locationCreate.location?.code).toBe(long);
    // Each run has its own database and no other test makes two-character codes.
    const short = await t.data(LocationCreateDocument, { input: input('q7') }, { token: admin.token });
    expect(short.locationCreate.location?.code).toBe('Q7');
  });

  it.each([
    ['an empty name', ''],
    ['a blank name', '   '],
    ['a name over 200 characters', 'n'.repeat(201)],
  ])('refuses %s with INVALID_INPUT at name, creating nothing', async (_case, name) => {
    const admin = await anAdmin(t);
    const code = unique('NAME');
    const { locationCreate } = await t.data(LocationCreateDocument, { input: input(code, 'STORE', true, name) }, { token: admin.token });
    expect(locationCreate).toEqual({ location: null, userErrors: [{ code: 'INVALID_INPUT', message: expect.any(String), field: ['input', 'name'] }] });
    expect(await locationsWithCode(code)).toBe(0);
  });

  it('is for admins only: guests are UNAUTHENTICATED; customers, associates and managers FORBIDDEN', async () => {
    const store = await aStore(t);
    const callers = [
      [undefined, 'UNAUTHENTICATED'],
      [(await aCustomer(t)).token, 'FORBIDDEN'],
      [(await aStaff(t, StaffRole.ASSOCIATE, store)).token, 'FORBIDDEN'],
      [(await aStaff(t, StaffRole.MANAGER, store)).token, 'FORBIDDEN'],
    ] as const;
    for (const [token, code] of callers) {
      const locationCode = unique('NOPE');
      const res = await t.gql(LocationCreateDocument, { input: input(locationCode) }, { token });
      expect(errorCodes(res)).toEqual([code]);
      expect(res.data?.locationCreate ?? null).toBeNull();
      expect(await locationsWithCode(locationCode)).toBe(0);
    }
  });
});
