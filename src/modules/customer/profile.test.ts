import { StaffRole } from '../../core/auth/actor';
import { luhnValid } from '../../core/contact';
import { aCustomer, anAdmin, aProduct, aStaff, aStore, aWarehouse, PASSWORD, sqlNumber, stock } from '../../../test/support/fixtures';
import {
  CartCreateDocument,
  CartSetFulfillmentDocument,
  CheckoutCompleteDocument,
  ClientelingLookupDocument,
  CustomerAccessLogDocument,
  CustomerAddressAddDocument,
  CustomerAddressRemoveDocument,
  CustomerSetConsentDocument,
  CustomerSignUpDocument,
  CustomerUpdateDocument,
  MyProfileDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../../test/support/harness';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const address = { name: 'Ada Lovelace', line1: '12 Rambla', city: 'Barcelona', postalCode: '08002', countryCode: 'es' };
const profileOf = async (token: string) => (await t.data(MyProfileDocument, {}, { token })).me!;
/** A phone number no other test uses (lookups by phone must find exactly this customer). */
const aPhone = () => `+3460${String(Date.now() % 1e7).padStart(7, '0')}${Math.floor(Math.random() * 10)}`;

describe('loyalty numbers', () => {
  it('are issued at sign-up: unique, short, all digits, with a check digit that catches a mistyped digit', async () => {
    const numbers = [];
    for (let i = 0; i < 3; i++) {
      const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: { email: `${unique('ln')}@shop.test`.toLowerCase(), password: PASSWORD } });
      numbers.push((await profileOf(customerSignUp.token!)).loyaltyNumber);
    }
    expect(new Set(numbers).size).toBe(3);
    for (const n of numbers) {
      expect(n).toMatch(/^\d{9,12}$/);
      expect(luhnValid(n)).toBe(true);
      // Any single changed digit breaks the check.
      for (let i = 0; i < n.length; i++) expect(luhnValid(`${n.slice(0, i)}${(Number(n[i]) + 1) % 10}${n.slice(i + 1)}`)).toBe(false);
    }
  });
});

describe('customerUpdate', () => {
  it('a size saved in the app shows at the till, found by phone and by loyalty number, in one query', async () => {
    const store = await aStore(t);
    const customer = await aCustomer(t);
    const phone = aPhone();
    const { customerUpdate } = await t.data(
      CustomerUpdateDocument,
      {
        input: {
          name: 'Ada',
          phone: ` ${phone.slice(0, 3)} ${phone.slice(3, 6)}-${phone.slice(6)} `,
          language: 'IT',
          preferredLocationId: store.id,
          preferences: [
            { key: 'shoeSize', value: '38' },
            { key: 'fit', value: 'slim' },
          ],
        },
      },
      { token: customer.token, channel: 'APP' },
    );
    expect(customerUpdate.userErrors).toEqual([]);
    expect(customerUpdate.customer).toMatchObject({
      name: 'Ada',
      phone,
      language: 'it',
      preferredLocation: { id: store.id },
      preferences: [
        { key: 'fit', value: 'slim' },
        { key: 'shoeSize', value: '38' },
      ],
    });

    const associate = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    const loyaltyNumber = customerUpdate.customer!.loyaltyNumber;
    for (const query of [phone, `00${phone.slice(1)}`, loyaltyNumber, customer.account.email.toUpperCase()]) {
      const { customerLookup } = await t.data(ClientelingLookupDocument, { query }, { token: associate.token });
      expect(customerLookup.map((c) => c.id)).toEqual([customer.account.id]);
      expect(customerLookup[0].preferences).toContainEqual({ key: 'shoeSize', value: '38' });
    }
    // Each read was recorded for audit.
    expect(
      await sqlNumber(t, `select count(*) n from customer_access where customer_id = ? and staff_id = ? and via = 'customerLookup'`, [
        customer.account.id,
        associate.account.id,
      ]),
    ).toBe(4);
  });

  it('replaces the value of each key given and removes a key given empty; other keys stay', async () => {
    const customer = await aCustomer(t);
    await t.data(
      CustomerUpdateDocument,
      {
        input: {
          preferences: [
            { key: 'size', value: 'M' },
            { key: 'colour', value: 'navy' },
          ],
        },
      },
      { token: customer.token },
    );
    const { customerUpdate } = await t.data(
      CustomerUpdateDocument,
      {
        input: {
          preferences: [
            { key: 'size', value: 'L' },
            { key: 'colour', value: '' },
          ],
        },
      },
      { token: customer.token },
    );
    expect(customerUpdate.customer!.preferences).toEqual([{ key: 'size', value: 'L' }]);
  });

  it('lets staff of any store update the customer they serve (customerId); customers only themselves; guests not at all', async () => {
    const customer = await aCustomer(t);
    const other = await aCustomer(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    const { customerUpdate } = await t.data(
      CustomerUpdateDocument,
      { input: { preferences: [{ key: 'jeans', value: '32/34' }] }, customerId: customer.account.id },
      { token: associate.token },
    );
    expect(customerUpdate.customer!.preferences).toEqual([{ key: 'jeans', value: '32/34' }]);
    expect(errorCodes(await t.gql(CustomerUpdateDocument, { input: { name: 'x' }, customerId: customer.account.id }, { token: other.token }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await t.gql(CustomerUpdateDocument, { input: { name: 'x' } }, { token: associate.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.gql(CustomerUpdateDocument, { input: { name: 'x' } }))).toEqual(['UNAUTHENTICATED']);
    expect((await profileOf(customer.token)).name).toBe('Test Customer');
  });

  it.each([
    ['a phone without its country code', { phone: '600123456' }, ['input', 'phone']],
    ['an unknown language', { language: 'xx' }, ['input', 'language']],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, ['input', 'name']],
    ['an empty preference key', { preferences: [{ key: '  ', value: 'x' }] }, ['input', 'preferences', '0', 'key']],
    ['a preference key of 65 characters', { preferences: [{ key: 'k'.repeat(65), value: 'x' }] }, ['input', 'preferences', '0', 'key']],
    ['a preference value of 501 characters', { preferences: [{ key: 'k', value: 'v'.repeat(501) }] }, ['input', 'preferences', '0', 'value']],
    [
      'one key twice',
      {
        preferences: [
          { key: 'size', value: 'M' },
          { key: 'size', value: 'L' },
        ],
      },
      ['input', 'preferences', '1', 'key'],
    ],
    ['51 preferences', { preferences: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }, ['input', 'preferences']],
    ['a preferred store that does not exist', { preferredLocationId: '00000000-0000-4000-8000-000000000000' }, ['input', 'preferredLocationId']],
  ])('refuses %s, changing nothing', async (_case, input, field) => {
    const customer = await aCustomer(t);
    const before = await profileOf(customer.token);
    const { customerUpdate } = await t.data(CustomerUpdateDocument, { input: { name: 'Changed', ...input } }, { token: customer.token });
    expect(customerUpdate.customer).toBeNull();
    expect(customerUpdate.userErrors.map((e) => [e.code, e.field])).toEqual([
      [field[0] === 'input' && field[1] === 'preferredLocationId' ? 'NOT_FOUND' : 'INVALID_INPUT', field],
    ]);
    expect(await profileOf(customer.token)).toEqual(before);
  });

  it('holds at most 50 preferences per customer, counting those already saved', async () => {
    const customer = await aCustomer(t);
    await t.data(
      CustomerUpdateDocument,
      { input: { preferences: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' })) } },
      { token: customer.token },
    );
    const { customerUpdate } = await t.data(CustomerUpdateDocument, { input: { preferences: [{ key: 'one-more', value: 'v' }] } }, { token: customer.token });
    expect(customerUpdate.userErrors.map((e) => e.code)).toEqual(['INVALID_INPUT']);
    expect(await sqlNumber(t, 'select count(*) n from customer_preference where customer_id = ?', [customer.account.id])).toBe(50);
  });
});

describe('address book', () => {
  it('keeps one default; a saved address is used at checkout without typing it', async () => {
    const customer = await aCustomer(t);
    const first = await t.data(CustomerAddressAddDocument, { input: address }, { token: customer.token });
    expect(first.customerAddressAdd.customer!.addresses).toEqual([
      { id: expect.any(String), isDefault: true, address: { ...address, line2: null, countryCode: 'ES' } },
    ]);
    const second = await t.data(
      CustomerAddressAddDocument,
      { input: { ...address, line1: '1 Passeig de Gràcia' }, isDefault: true },
      { token: customer.token },
    );
    const book = second.customerAddressAdd.customer!.addresses;
    expect(book.map((a) => [a.address.line1, a.isDefault])).toEqual([
      ['1 Passeig de Gràcia', true],
      ['12 Rambla', false],
    ]);

    const [v] = await aProduct(t);
    const warehouse = await aWarehouse(t);
    await stock(t, warehouse, v, 5);
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } }, { token: customer.token, channel: 'APP' });
    const cartId = cartCreate.cart!.id;
    const { cartSetFulfillment } = await t.data(
      CartSetFulfillmentDocument,
      { cartId, input: { method: 'SHIP', addressId: book[1].id } },
      { token: customer.token, channel: 'APP' },
    );
    expect(cartSetFulfillment.userErrors).toEqual([]);
    expect(cartSetFulfillment.cart!.fulfillment!.shippingAddress).toMatchObject({ line1: '12 Rambla', city: 'Barcelona', countryCode: 'ES' });
    const { checkoutComplete } = await t.data(
      CheckoutCompleteDocument,
      { cartId, idempotencyKey: unique('key'), paymentMethod: 'CARD', paymentToken: 'tok_visa' },
      { token: customer.token, channel: 'APP' },
    );
    expect(checkoutComplete.order!.fulfillment.shippingAddress).toEqual({ line1: '12 Rambla', city: 'Barcelona', countryCode: 'ES' });

    // Removing the default hands it to the newest address left.
    const removed = await t.data(CustomerAddressRemoveDocument, { addressId: book[0].id }, { token: customer.token });
    expect(removed.customerAddressRemove.customer!.addresses.map((a) => [a.address.line1, a.isDefault])).toEqual([['12 Rambla', true]]);
  });

  it("refuses another customer's addressId at checkout as if it named nothing, and changes nothing", async () => {
    const owner = await aCustomer(t);
    const other = await aCustomer(t);
    const saved = (await t.data(CustomerAddressAddDocument, { input: address }, { token: owner.token })).customerAddressAdd.customer!.addresses[0];
    const [v] = await aProduct(t);
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } }, { token: other.token });
    const cartId = cartCreate.cart!.id;
    const { cartSetFulfillment } = await t.data(CartSetFulfillmentDocument, { cartId, input: { method: 'SHIP', addressId: saved.id } }, { token: other.token });
    expect(cartSetFulfillment).toEqual({ cart: null, userErrors: [{ code: 'NOT_FOUND', message: expect.any(String), field: ['input', 'addressId'] }] });
    expect(
      await sqlNumber(t, 'select count(*) n from cart where id = ? and shipping_address is null and version = ?', [cartId, cartCreate.cart!.version]),
    ).toBe(1);
    // Nor can the other customer remove it.
    const removed = await t.data(CustomerAddressRemoveDocument, { addressId: saved.id }, { token: other.token });
    expect(removed.customerAddressRemove.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
  });

  it.each([
    ['no line1', { ...address, line1: ' ' }, ['input', 'line1']],
    ['a three-letter country', { ...address, countryCode: 'ESP' }, ['input', 'countryCode']],
    ['a city of 201 characters', { ...address, city: 'c'.repeat(201) }, ['input', 'city']],
  ])('refuses an address with %s', async (_case, input, field) => {
    const customer = await aCustomer(t);
    const { customerAddressAdd } = await t.data(CustomerAddressAddDocument, { input }, { token: customer.token });
    expect(customerAddressAdd.userErrors.map((e) => [e.code, e.field])).toEqual([['INVALID_INPUT', field]]);
    expect(await sqlNumber(t, 'select count(*) n from saved_address where customer_id = ?', [customer.account.id])).toBe(0);
  });

  it('is the customer’s own: staff and guests cannot add to it', async () => {
    const associate = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    expect(errorCodes(await t.gql(CustomerAddressAddDocument, { input: address }, { token: associate.token }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.gql(CustomerAddressAddDocument, { input: address }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('consent', () => {
  it('keeps the history and shows the current state, with the channel where it was last said', async () => {
    const customer = await aCustomer(t);
    await t.data(CustomerSetConsentDocument, { purpose: 'EMAIL_MARKETING', granted: true }, { token: customer.token, channel: 'WEB' });
    await t.data(CustomerSetConsentDocument, { purpose: 'SMS_MARKETING', granted: true }, { token: customer.token, channel: 'WEB' });
    const { customerSetConsent } = await t.data(
      CustomerSetConsentDocument,
      { purpose: 'EMAIL_MARKETING', granted: false },
      { token: customer.token, channel: 'APP' },
    );
    expect(customerSetConsent.customer!.consents).toEqual([
      { purpose: 'EMAIL_MARKETING', granted: false, channel: 'APP', updatedAt: expect.any(String) },
      { purpose: 'SMS_MARKETING', granted: true, channel: 'WEB', updatedAt: expect.any(String) },
    ]);
    expect(await sqlNumber(t, 'select count(*) n from consent_record where customer_id = ?', [customer.account.id])).toBe(3);
  });
});

describe('customerLookup', () => {
  it('refuses a query of fewer than 5 characters, and finds nothing by a loyalty number with a wrong check digit', async () => {
    const customer = await aCustomer(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, await aStore(t));
    const res = await t.gql(ClientelingLookupDocument, { query: ' abc ' }, { token: associate.token });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    const n = customer.account.loyaltyNumber;
    const typo = `${n.slice(0, -1)}${(Number(n.at(-1)) + 1) % 10}`;
    expect((await t.data(ClientelingLookupDocument, { query: typo }, { token: associate.token })).customerLookup).toEqual([]);
    expect(await sqlNumber(t, 'select count(*) n from customer_access where staff_id = ?', [associate.account.id])).toBe(0);
  });

  it('is for staff; the access log is for ADMIN', async () => {
    const customer = await aCustomer(t);
    expect(errorCodes(await t.gql(ClientelingLookupDocument, { query: customer.account.email }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await t.gql(ClientelingLookupDocument, { query: customer.account.email }, { token: customer.token }))).toEqual(['FORBIDDEN']);
    const manager = await aStaff(t, StaffRole.MANAGER, await aStore(t));
    await t.data(ClientelingLookupDocument, { query: customer.account.email }, { token: manager.token });
    expect(errorCodes(await t.gql(CustomerAccessLogDocument, { customerId: customer.account.id }, { token: manager.token }))).toEqual(['FORBIDDEN']);
    const admin = await anAdmin(t);
    const { customerAccessLog } = await t.data(CustomerAccessLogDocument, { customerId: customer.account.id }, { token: admin.token });
    expect(customerAccessLog).toEqual([{ id: expect.any(String), staffId: manager.account.id, via: 'customerLookup', at: expect.any(String) }]);
  });
});
