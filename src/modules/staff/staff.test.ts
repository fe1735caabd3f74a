import { randomUUID } from 'node:crypto';
import { StaffRole } from '../../core/auth/actor';
import { PASSWORD, aCustomer, anAdmin, aStaff, aStore, sqlNumber } from '../../../test/support/fixtures';
import { StaffCreateDocument, StaffMeDocument, StaffSignInDocument } from '../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../test/support/harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const newEmail = (prefix = 'staff') => `${unique(prefix).toLowerCase()}@staff.test`;
const staffWithEmail = (email: string) => sqlNumber(t, `select count(*) n from staff where email = ?`, [email.toLowerCase()]);

describe('staffSignIn', () => {
  it('signs a manager in at POS whatever the client says; staffMe shows the role and store', async () => {
    const store = await aStore(t);
    const manager = await aStaff(t, StaffRole.MANAGER, store);
    const { staffSignIn } = await t.data(StaffSignInDocument, { email: manager.account.email.toUpperCase(), password: PASSWORD }, { channel: 'WEB' });
    expect(staffSignIn.userErrors).toEqual([]);
    expect(staffSignIn.token).toMatch(/^stf_[A-Za-z0-9_-]{43}$/);
    const expected = { id: manager.account.id, email: manager.account.email, role: 'MANAGER', location: { id: store.id, code: store.code } };
    expect(staffSignIn.staff).toEqual(expected);
    expect((await t.data(StaffMeDocument, {}, { token: staffSignIn.token! })).staffMe).toEqual(expected);
    const sessions = await t.app.orm.em
      .fork()
      .getConnection()
      .execute<{ channel: string }[]>(`select channel from session where subject_kind = 'STAFF' and subject_id = ? order by created_at`, [manager.account.id]);
    expect(sessions.map((s) => s.channel)).toEqual(['POS', 'POS']);
  });

  it('shows an ADMIN without a store', async () => {
    const admin = await anAdmin(t);
    const { staffSignIn } = await t.data(StaffSignInDocument, { email: admin.account.email, password: PASSWORD });
    const { staffMe } = await t.data(StaffMeDocument, {}, { token: staffSignIn.token! });
    expect(staffMe).toEqual({ id: admin.account.id, email: admin.account.email, role: 'ADMIN', location: null });
  });

  it('answers a wrong password, an unknown email and customer credentials alike with INVALID_CREDENTIALS', async () => {
    const associate = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    const customer = await aCustomer(t);
    const attempts = [
      { email: associate.account.email, password: `${PASSWORD}!` },
      { email: newEmail('nobody'), password: PASSWORD },
      { email: customer.account.email, password: PASSWORD },
    ];
    const answers = [];
    for (const attempt of attempts) {
      const { staffSignIn } = await t.data(StaffSignInDocument, attempt);
      expect(staffSignIn.token).toBeNull();
      expect(staffSignIn.staff).toBeNull();
      answers.push(staffSignIn.userErrors);
    }
    expect(answers[0]).toEqual([{ code: 'INVALID_CREDENTIALS', message: expect.any(String), field: null }]);
    expect(answers.slice(1)).toEqual([answers[0], answers[0]]);
    expect(await sqlNumber(t, `select count(*) n from session where subject_id = ?`, [associate.account.id])).toBe(1);
  });
});

describe('staffCreate', () => {
  it.each([StaffRole.ASSOCIATE, StaffRole.MANAGER])('lets an admin create a %s of a store, who can then sign in', async (role) => {
    const admin = await anAdmin(t);
    const store = await aStore(t);
    const email = newEmail(role);
    const { staffCreate } = await t.data(
      StaffCreateDocument,
      { input: { email: ` ${email.toUpperCase()}`, password: 'store-password', role, locationId: store.id } },
      { token: admin.token },
    );
    expect(staffCreate.userErrors).toEqual([]);
    const expected = { id: expect.any(String), email, role, location: { id: store.id, code: store.code } };
    expect(staffCreate.staff).toEqual(expected);
    const { staffSignIn } = await t.data(StaffSignInDocument, { email, password: 'store-password' });
    expect(staffSignIn.userErrors).toEqual([]);
    expect((await t.data(StaffMeDocument, {}, { token: staffSignIn.token! })).staffMe).toEqual({ ...expected, id: staffCreate.staff!.id });
  });

  it('lets an admin create another admin, who works without a store', async () => {
    const admin = await anAdmin(t);
    const email = newEmail('admin');
    const { staffCreate } = await t.data(StaffCreateDocument, { input: { email, password: 'admin-password', role: 'ADMIN' } }, { token: admin.token });
    expect(staffCreate).toEqual({ staff: { id: expect.any(String), email, role: 'ADMIN', location: null }, userErrors: [] });
    const { staffSignIn } = await t.data(StaffSignInDocument, { email, password: 'admin-password' });
    // The new admin can create staff in turn.
    const next = await t.data(
      StaffCreateDocument,
      { input: { email: newEmail('next'), password: 'admin-password', role: 'ADMIN' } },
      { token: staffSignIn.token! },
    );
    expect(next.staffCreate.userErrors).toEqual([]);
  });

  type Input = { email: string; role: 'ASSOCIATE' | 'MANAGER' | 'ADMIN'; locationId?: string; password?: string };
  const input = (fields: Input) => ({ password: 'good-password', ...fields });
  const refusals: [string, string, string[], (email: string, storeId: string) => Input][] = [
    ['an ASSOCIATE without a store', 'INVALID_INPUT', ['input', 'locationId'], (email) => ({ email, role: 'ASSOCIATE' })],
    ['a MANAGER without a store', 'INVALID_INPUT', ['input', 'locationId'], (email) => ({ email, role: 'MANAGER' })],
    ['an ADMIN with a store', 'INVALID_INPUT', ['input', 'locationId'], (email, storeId) => ({ email, role: 'ADMIN', locationId: storeId })],
    ['a store id that names no location', 'NOT_FOUND', ['input', 'locationId'], (email) => ({ email, role: 'MANAGER', locationId: randomUUID() })],
    ['a store id that is not an id', 'NOT_FOUND', ['input', 'locationId'], (email) => ({ email, role: 'ASSOCIATE', locationId: 'store-1' })],
    ['a malformed email', 'INVALID_INPUT', ['input', 'email'], (email) => ({ email: email.replace('@', ' at '), role: 'ADMIN' })],
    ['a short password', 'WEAK_PASSWORD', ['input', 'password'], (email) => ({ email, role: 'ADMIN', password: 'short-pw1' })],
    ['a common password', 'WEAK_PASSWORD', ['input', 'password'], (email) => ({ email, role: 'ADMIN', password: 'iloveyou123' })],
  ];
  it.each(refusals)('refuses %s with %s at the field, creating nothing', async (_case, code, field, make) => {
    const admin = await anAdmin(t);
    const store = await aStore(t);
    const email = newEmail();
    const { staffCreate } = await t.data(StaffCreateDocument, { input: input(make(email, store.id)) }, { token: admin.token });
    expect(staffCreate).toEqual({ staff: null, userErrors: [{ code, message: expect.any(String), field }] });
    expect(await sqlNumber(t, `select count(*) n from staff where email like ?`, [`${email.split('@')[0]}%`])).toBe(0);
  });

  it('refuses an email already used by staff, in any letter case, with EMAIL_TAKEN', async () => {
    const admin = await anAdmin(t);
    const store = await aStore(t);
    const existing = await aStaff(t, StaffRole.ASSOCIATE, store);
    const { staffCreate } = await t.data(
      StaffCreateDocument,
      { input: { email: existing.account.email.toUpperCase(), password: 'other-password', role: 'MANAGER', locationId: store.id } },
      { token: admin.token },
    );
    expect(staffCreate).toEqual({ staff: null, userErrors: [{ code: 'EMAIL_TAKEN', message: expect.any(String), field: ['input', 'email'] }] });
    expect(await staffWithEmail(existing.account.email)).toBe(1);
    // The existing account is untouched: same role, same password.
    const { staffSignIn } = await t.data(StaffSignInDocument, { email: existing.account.email, password: PASSWORD });
    expect(staffSignIn.staff!.role).toBe('ASSOCIATE');
  });

  it('forgets a refused create: a valid create later in the same request still succeeds', async () => {
    const admin = await anAdmin(t);
    const store = await aStore(t);
    const existing = await aStaff(t, StaffRole.ASSOCIATE, store);
    const fresh = newEmail('fresh');
    const res = await t.post(
      {
        query: `mutation($a: StaffCreateInput!, $b: StaffCreateInput!) {
          a: staffCreate(input: $a) { staff { email } userErrors { code } }
          b: staffCreate(input: $b) { staff { email } userErrors { code } }
        }`,
        variables: {
          a: { email: existing.account.email, password: 'long-enough-1', role: 'ASSOCIATE', locationId: store.id },
          b: { email: fresh, password: 'long-enough-2', role: 'ASSOCIATE', locationId: store.id },
        },
      },
      { token: admin.token },
    );
    const { data } = (await res.json()) as { data: Record<'a' | 'b', { staff: { email: string } | null; userErrors: { code: string }[] }> };
    expect(data.a.userErrors.map((e) => e.code)).toEqual(['EMAIL_TAKEN']);
    expect(data.b).toEqual({ staff: { email: fresh }, userErrors: [] });
    expect(await staffWithEmail(fresh)).toBe(1);
  });

  it('is for admins only: guests are UNAUTHENTICATED; associates, managers and customers FORBIDDEN', async () => {
    const store = await aStore(t);
    const callers = [
      [undefined, 'UNAUTHENTICATED'],
      [(await aCustomer(t)).token, 'FORBIDDEN'],
      [(await aStaff(t, StaffRole.ASSOCIATE, store)).token, 'FORBIDDEN'],
      [(await aStaff(t, StaffRole.MANAGER, store)).token, 'FORBIDDEN'],
    ] as const;
    for (const [token, code] of callers) {
      const email = newEmail('nope');
      // A manager hiring for their own store is still refused.
      const res = await t.gql(StaffCreateDocument, { input: { email, password: 'good-password', role: 'ASSOCIATE', locationId: store.id } }, { token });
      expect(errorCodes(res)).toEqual([code]);
      expect(res.data?.staffCreate ?? null).toBeNull();
      expect(await staffWithEmail(email)).toBe(0);
    }
  });
});

describe('staffMe', () => {
  it('is null for guests and customers', async () => {
    expect((await t.data(StaffMeDocument, {})).staffMe).toBeNull();
    const customer = await aCustomer(t);
    expect((await t.data(StaffMeDocument, {}, { token: customer.token })).staffMe).toBeNull();
  });
});
