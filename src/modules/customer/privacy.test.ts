import { createHash, randomBytes } from 'node:crypto';
import { StaffRole } from '../../core/auth/actor';
import { aCustomer, anAdmin, aPickupCart, aProduct, aStaff, aStore, PASSWORD, sqlNumber, stock } from '../../../test/support/fixtures';
import {
  CheckoutCompleteDocument,
  ClientelingLookupDocument,
  CustomerAddressAddDocument,
  CustomerByEmailDocument,
  CustomerDeleteDocument,
  CustomerRequestPasswordResetDocument,
  CustomerResetPasswordDocument,
  CustomerSetConsentDocument,
  CustomerSignInDocument,
  CustomerSignUpDocument,
  CustomerUpdateDocument,
  MeDocument,
  MyOrdersDocument,
  OrderDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../test/support/harness';
import { invariantViolations } from '../../../test/support/invariants';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterEach(async () => expect(await invariantViolations(t)).toEqual([]));
afterAll(() => t.close());

const NEW_PASSWORD = 'a-new-long-passphrase';

/**
 * The token the reset e-mail carries, as the mutation recorded it for the outbox (the e-mail itself
 * is tested against a real SMTP server in the notification tests).
 */
async function anEmailedToken(email: string): Promise<string> {
  expect((await t.data(CustomerRequestPasswordResetDocument, { email })).customerRequestPasswordReset.userErrors).toEqual([]);
  const rows = await t.app.orm.em
    .fork()
    .getConnection()
    .execute(
      `select e.data->'private'->>'resetToken' as token from outbox_event e join customer c on c.id = e.subject_id where c.email = ? and e.type = 'PASSWORD_RESET'`,
      [email],
    );
  expect(rows).toHaveLength(1);
  return rows[0].token as string;
}

/** A reset link for the customer as the service stores it (the token's SHA-256), expiring in `minutes`. */
async function aResetToken(customerId: string, minutes = 30): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await t.app.orm.em
    .fork()
    .getConnection()
    .execute(
      `insert into password_reset_token (id, customer_id, token_hash, expires_at, created_at) values (gen_random_uuid(), ?, ?, now() + make_interval(mins => ?), now())`,
      [customerId, createHash('sha256').update(token).digest('hex'), minutes],
    );
  return token;
}

describe('password reset', () => {
  it('answers the same whether or not the email exists, and stores only a hash of the token', async () => {
    const customer = await aCustomer(t);
    const known = await t.data(CustomerRequestPasswordResetDocument, { email: customer.account.email.toUpperCase() });
    const unknown = await t.data(CustomerRequestPasswordResetDocument, { email: `${unique('nobody')}@shop.test` });
    expect(known).toEqual({ customerRequestPasswordReset: { ok: true, userErrors: [] } });
    expect(unknown).toEqual(known);
    expect(
      await sqlNumber(
        t,
        `select count(*) n from password_reset_token where customer_id = ? and length(token_hash) = 64 and expires_at between now() + interval '29 minutes' and now() + interval '31 minutes'`,
        [customer.account.id],
      ),
    ).toBe(1);
    // Asking again at once sends nothing more (one inbox is not flooded).
    await t.data(CustomerRequestPasswordResetDocument, { email: customer.account.email });
    expect(await sqlNumber(t, 'select count(*) n from password_reset_token where customer_id = ?', [customer.account.id])).toBe(1);
  });

  it('sets the new password once: every session ends, the old password stops working, the token cannot be used again', async () => {
    const customer = await aCustomer(t);
    const otherDevice = await t.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD }, { channel: 'APP' });
    const token = await anEmailedToken(customer.account.email);
    const { customerResetPassword } = await t.data(CustomerResetPasswordDocument, { token, password: NEW_PASSWORD });
    expect(customerResetPassword.userErrors).toEqual([]);
    expect(customerResetPassword.customer!.id).toBe(customer.account.id);
    for (const old of [customer.token, otherDevice.customerSignIn.token!])
      expect(errorCodes(await t.gql(MeDocument, {}, { token: old }))).toEqual(['UNAUTHENTICATED']);
    expect((await t.data(MeDocument, {}, { token: customerResetPassword.token! })).me!.id).toBe(customer.account.id);
    expect((await t.data(CustomerSignInDocument, { email: customer.account.email, password: PASSWORD })).customerSignIn.userErrors.map((e) => e.code)).toEqual([
      'INVALID_CREDENTIALS',
    ]);
    expect((await t.data(CustomerSignInDocument, { email: customer.account.email, password: NEW_PASSWORD })).customerSignIn.userErrors).toEqual([]);
    const again = await t.data(CustomerResetPasswordDocument, { token, password: 'yet-another-passphrase' });
    expect(again.customerResetPassword).toEqual({
      token: null,
      customer: null,
      userErrors: [{ code: 'INVALID_TOKEN', message: expect.any(String), field: ['token'] }],
    });
  });

  it('refuses an expired or unknown token with INVALID_TOKEN and a weak password with WEAK_PASSWORD, changing nothing', async () => {
    const customer = await aCustomer(t);
    const expired = await aResetToken(customer.account.id, -1);
    const fresh = await aResetToken(customer.account.id);
    for (const token of [expired, 'not-a-real-token-at-all-xxxxxxxx', '']) {
      const { customerResetPassword } = await t.data(CustomerResetPasswordDocument, { token, password: NEW_PASSWORD });
      expect(customerResetPassword.userErrors.map((e) => e.code)).toEqual(['INVALID_TOKEN']);
    }
    const weak = await t.data(CustomerResetPasswordDocument, { token: fresh, password: 'short' });
    expect(weak.customerResetPassword.userErrors.map((e) => [e.code, e.field])).toEqual([['WEAK_PASSWORD', ['password']]]);
    // Nothing changed: the session lives, the password works, the fresh token still does.
    expect((await t.data(MeDocument, {}, { token: customer.token })).me!.id).toBe(customer.account.id);
    expect((await t.data(CustomerResetPasswordDocument, { token: fresh, password: NEW_PASSWORD })).customerResetPassword.userErrors).toEqual([]);
  });

  it('lets exactly one of two simultaneous uses of a token through', async () => {
    const customer = await aCustomer(t);
    const token = await anEmailedToken(customer.account.email);
    const results = await Promise.all([1, 2].map((i) => t.data(CustomerResetPasswordDocument, { token, password: `${NEW_PASSWORD}-${i}` })));
    expect(results.map((r) => r.customerResetPassword.userErrors.map((e) => e.code)).sort()).toEqual([[], ['INVALID_TOKEN']]);
  });
});

describe('customerDelete', () => {
  it('erases the personal data, keeps the orders and the books, ends the sessions and frees the email', async () => {
    const customer = await aCustomer(t);
    const { email } = customer.account;
    await t.data(CustomerUpdateDocument, { input: { phone: '+34 611 222 333', preferences: [{ key: 'size', value: 'M' }] } }, { token: customer.token });
    await t.data(
      CustomerAddressAddDocument,
      { input: { line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'US' } },
      { token: customer.token },
    );
    await t.data(CustomerSetConsentDocument, { purpose: 'EMAIL_MARKETING', granted: true }, { token: customer.token });
    const [v] = await aProduct(t, [50_00]);
    const store = await aStore(t);
    await stock(t, store, v, 5);
    const cartId = await aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }], customer.token);
    const { checkoutComplete } = await t.data(
      CheckoutCompleteDocument,
      { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' },
      { token: customer.token },
    );
    const order = checkoutComplete.order!;

    const wrong = await t.data(CustomerDeleteDocument, { password: 'not-the-password' }, { token: customer.token });
    expect(wrong.customerDelete).toEqual({ ok: false, userErrors: [{ code: 'INVALID_CREDENTIALS', message: expect.any(String), field: ['password'] }] });
    expect((await t.data(MeDocument, {}, { token: customer.token })).me!.email).toBe(email);

    expect((await t.data(CustomerDeleteDocument, { password: PASSWORD }, { token: customer.token })).customerDelete).toEqual({ ok: true, userErrors: [] });
    expect(errorCodes(await t.gql(MeDocument, {}, { token: customer.token }))).toEqual(['UNAUTHENTICATED']);

    // Nothing finds the customer by what was theirs.
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
    expect((await t.data(CustomerByEmailDocument, { email }, { token: associate.token })).customerByEmail).toBeNull();
    for (const query of [email, '+34611222333', customer.account.loyaltyNumber]) {
      expect((await t.data(ClientelingLookupDocument, { query }, { token: associate.token })).customerLookup).toEqual([]);
    }
    expect((await t.data(CustomerSignInDocument, { email, password: PASSWORD })).customerSignIn.userErrors.map((e) => e.code)).toEqual(['INVALID_CREDENTIALS']);
    const row = await t.app.orm.em
      .fork()
      .getConnection()
      .execute<Record<string, unknown>[]>('select email, name, phone, erased_at from customer where id = ?', [customer.account.id]);
    expect(row).toEqual([{ email: `erased-${customer.account.id}@erased.invalid`, name: null, phone: null, erased_at: expect.anything() }]);
    for (const table of ['customer_preference', 'saved_address', 'consent_record']) {
      expect(await sqlNumber(t, `select count(*) n from ${table} where customer_id = ?`, [customer.account.id])).toBe(0);
    }

    // The order stays, with its money, for the store and the books.
    const { order: kept } = await t.data(OrderDocument, { id: order.id }, { token: associate.token });
    expect(kept).toMatchObject({ id: order.id, total: { amount: 50_00 }, customer: { id: customer.account.id } });
    expect(await sqlNumber(t, 'select count(*) n from loyalty_account where customer_id = ?', [customer.account.id])).toBe(1);

    // The email can open a new account, which starts empty.
    const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: { email, password: PASSWORD } });
    expect(customerSignUp.userErrors).toEqual([]);
    expect(customerSignUp.customer!.id).not.toBe(customer.account.id);
    expect((await t.data(MyOrdersDocument, { first: 5 }, { token: customerSignUp.token! })).me!.orders.edges).toEqual([]);
  });

  it('is for the signed-in customer only', async () => {
    expect(errorCodes(await t.gql(CustomerDeleteDocument, { password: PASSWORD }))).toEqual(['UNAUTHENTICATED']);
    const admin = await anAdmin(t);
    expect(errorCodes(await t.gql(CustomerDeleteDocument, { password: PASSWORD }, { token: admin.token }))).toEqual(['FORBIDDEN']);
  });
});
