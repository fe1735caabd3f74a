import { StaffRole } from '../../core/auth/actor';
import { PASSWORD, aCustomer, anAdmin, aStaff, aStore, sqlNumber } from '../../../test/support/fixtures';
import { CustomerByEmailDocument, CustomerSignInDocument, CustomerSignUpDocument, MeDocument } from '../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../test/support/harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const newEmail = (prefix = 'new') => `${unique(prefix).toLowerCase()}@shop.test`;
const customersWithEmail = (email: string) => sqlNumber(t, `select count(*) n from customer where email = ?`, [email.toLowerCase()]);

describe('customerSignUp', () => {
  it('creates an account with a lower-case email whose token signs the customer in as `me`', async () => {
    const email = newEmail();
    const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: { email: `  ${email.toUpperCase()} `, password: PASSWORD, name: ' Ada ' } });
    expect(customerSignUp.userErrors).toEqual([]);
    expect(customerSignUp.customer).toEqual({ id: expect.any(String), email, name: 'Ada' });
    expect(customerSignUp.token).toMatch(/^cst_[A-Za-z0-9_-]{43}$/);
    const { me } = await t.data(MeDocument, {}, { token: customerSignUp.token! });
    expect(me).toEqual(customerSignUp.customer);
    expect(await customersWithEmail(email)).toBe(1);
  });

  it('opens the session on the channel the request came from', async () => {
    const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: { email: newEmail(), password: PASSWORD } }, { channel: 'APP' });
    const channel = await t.app.orm.em
      .fork()
      .getConnection()
      .execute<{ channel: string }[]>(`select channel from session where subject_id = ?`, [customerSignUp.customer!.id]);
    expect(channel).toEqual([{ channel: 'APP' }]);
  });

  it('refuses an email already registered, in any letter case, with EMAIL_TAKEN', async () => {
    const email = newEmail('taken');
    await t.data(CustomerSignUpDocument, { input: { email, password: PASSWORD } });
    for (const again of [email, email.toUpperCase(), `${email[0].toUpperCase()}${email.slice(1)}`]) {
      const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: { email: again, password: 'another-password' } });
      expect(customerSignUp).toEqual({
        token: null,
        customer: null,
        userErrors: [{ code: 'EMAIL_TAKEN', message: expect.any(String), field: ['input', 'email'] }],
      });
    }
    expect(await customersWithEmail(email)).toBe(1);
    // The first password still signs in: the refused sign-ups changed nothing.
    const { customerSignIn } = await t.data(CustomerSignInDocument, { email, password: PASSWORD });
    expect(customerSignIn.userErrors).toEqual([]);
  });

  it.each([
    ['an email without @', (b: string) => ({ email: b, password: PASSWORD }), ['input', 'email']],
    ['an email without a domain', (b: string) => ({ email: `${b}@`, password: PASSWORD }), ['input', 'email']],
    ['an email with a space', (b: string) => ({ email: `${b} x@shop.test`, password: PASSWORD }), ['input', 'email']],
    ['an email over 254 characters', (b: string) => ({ email: `${b}@${'d'.repeat(250)}.test`, password: PASSWORD }), ['input', 'email']],
    ['a password over 200 characters', (b: string) => ({ email: `${b}@shop.test`, password: 'p'.repeat(201) }), ['input', 'password']],
    ['a name over 200 characters', (b: string) => ({ email: `${b}@shop.test`, password: PASSWORD, name: 'n'.repeat(201) }), ['input', 'name']],
  ])('refuses %s with INVALID_INPUT at the field, creating nothing', async (_case, input, field) => {
    const base = unique('bad').toLowerCase();
    const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: input(base) });
    expect(customerSignUp).toEqual({ token: null, customer: null, userErrors: [{ code: 'INVALID_INPUT', message: expect.any(String), field }] });
    expect(await sqlNumber(t, `select count(*) n from customer where email like ?`, [`${base}%`])).toBe(0);
  });

  it.each([
    ['of 9 characters', 'k7#pQ2x!v'],
    ['on the common-password list', 'password123'],
    ['on the common-password list in other case', 'QwertyUiop'],
  ])('refuses a password %s with WEAK_PASSWORD, creating nothing', async (_case, password) => {
    const email = newEmail('weak');
    const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: { email, password } });
    expect(customerSignUp).toEqual({
      token: null,
      customer: null,
      userErrors: [{ code: 'WEAK_PASSWORD', message: expect.any(String), field: ['input', 'password'] }],
    });
    expect(await sqlNumber(t, 'select count(*) n from customer where email = ?', [email])).toBe(0);
  });

  it('accepts an uncommon password of exactly 10 characters', async () => {
    const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: { email: newEmail(), password: 'k7#pQ2x!vM' } });
    expect(customerSignUp.userErrors).toEqual([]);
  });

  it('lets exactly one of 20 simultaneous sign-ups with one email through; the others get EMAIL_TAKEN', async () => {
    const email = newEmail('race');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.data(CustomerSignUpDocument, { input: { email: i % 2 ? email.toUpperCase() : email, password: `unusual-password-${i}` } }),
      ),
    );
    const won = results.filter((r) => r.customerSignUp.customer);
    const lost = results.filter((r) => !r.customerSignUp.customer);
    expect(won).toHaveLength(1);
    expect(lost.map((r) => r.customerSignUp.userErrors.map((e) => e.code))).toEqual(Array(19).fill(['EMAIL_TAKEN']));
    expect(await customersWithEmail(email)).toBe(1);
    const { me } = await t.data(MeDocument, {}, { token: won[0].customerSignUp.token! });
    expect(me!.id).toBe(won[0].customerSignUp.customer!.id);
  });
});

describe('customerSignIn', () => {
  it('signs in with the email in any case and returns a new token that works', async () => {
    const customer = await aCustomer(t);
    const { customerSignIn } = await t.data(CustomerSignInDocument, { email: ` ${customer.account.email.toUpperCase()} `, password: PASSWORD });
    expect(customerSignIn.userErrors).toEqual([]);
    expect(customerSignIn.customer).toMatchObject({ id: customer.account.id, email: customer.account.email });
    expect(customerSignIn.token).not.toBe(customer.token);
    const { me } = await t.data(MeDocument, {}, { token: customerSignIn.token! });
    expect(me!.id).toBe(customer.account.id);
  });

  it('answers a wrong password and an unknown email alike with INVALID_CREDENTIALS, opening no session', async () => {
    const customer = await aCustomer(t);
    const sessions = () => sqlNumber(t, `select count(*) n from session where subject_id = ?`, [customer.account.id]);
    const before = await sessions();
    const attempts = [
      { email: customer.account.email, password: `${PASSWORD}x` },
      { email: customer.account.email, password: '' },
      { email: newEmail('nobody'), password: PASSWORD },
    ];
    const answers = [];
    for (const attempt of attempts) {
      const { customerSignIn } = await t.data(CustomerSignInDocument, attempt);
      expect(customerSignIn.token).toBeNull();
      expect(customerSignIn.customer).toBeNull();
      answers.push(customerSignIn.userErrors);
    }
    expect(answers[0]).toEqual([{ code: 'INVALID_CREDENTIALS', message: expect.any(String), field: null }]);
    // Same answer whatever was wrong: the response does not tell which emails are registered.
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(await sessions()).toBe(before);
  });

  it('does not accept staff credentials', async () => {
    const staff = await aStaff(t, StaffRole.MANAGER, await aStore(t));
    const { customerSignIn } = await t.data(CustomerSignInDocument, { email: staff.account.email, password: PASSWORD });
    expect(customerSignIn.userErrors.map((e) => e.code)).toEqual(['INVALID_CREDENTIALS']);
  });
});

describe('me', () => {
  it('is null for guests and for staff', async () => {
    const store = await aStore(t);
    expect((await t.data(MeDocument, {})).me).toBeNull();
    for (const staff of [await anAdmin(t), await aStaff(t, StaffRole.ASSOCIATE, store)]) {
      expect((await t.data(MeDocument, {}, { token: staff.token })).me).toBeNull();
    }
  });
});

describe('customerByEmail', () => {
  it('lets any staff member find a customer by email in any letter case', async () => {
    const store = await aStore(t);
    const customer = await aCustomer(t);
    const expected = { id: customer.account.id, email: customer.account.email, name: 'Test Customer' };
    for (const staff of [await aStaff(t, StaffRole.ASSOCIATE, store), await aStaff(t, StaffRole.MANAGER, store), await anAdmin(t)]) {
      for (const email of [customer.account.email, customer.account.email.toUpperCase(), ` ${customer.account.email} `]) {
        const { customerByEmail } = await t.data(CustomerByEmailDocument, { email }, { token: staff.token });
        expect(customerByEmail).toEqual(expected);
      }
    }
  });

  it('answers null for an email nobody registered', async () => {
    const admin = await anAdmin(t);
    const { customerByEmail } = await t.data(CustomerByEmailDocument, { email: newEmail('nobody') }, { token: admin.token });
    expect(customerByEmail).toBeNull();
  });

  it('is for staff only: guests are UNAUTHENTICATED, customers FORBIDDEN, even for their own email', async () => {
    const customer = await aCustomer(t);
    const guest = await t.gql(CustomerByEmailDocument, { email: customer.account.email });
    expect(errorCodes(guest)).toEqual(['UNAUTHENTICATED']);
    expect(guest.data?.customerByEmail ?? null).toBeNull();
    const self = await t.gql(CustomerByEmailDocument, { email: customer.account.email }, { token: customer.token });
    expect(errorCodes(self)).toEqual(['FORBIDDEN']);
    expect(self.data?.customerByEmail ?? null).toBeNull();
  });
});
