import { StaffRole } from '../../core/auth/actor';
import { aCustomer, aProduct, aStaff, aStore, aWarehouse, PASSWORD, sqlNumber, stock, systemContext } from '../../../test/support/fixtures';
import {
  CartCreateDocument,
  CartDocument,
  CartLinesAddDocument,
  CartSetFulfillmentDocument,
  CartWithPickupDocument,
  CustomerCartAtCounterDocument,
  MyCartDocument,
  SignInWithCartDocument,
  SignUpWithCartDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, unique } from '../../../test/support/harness';
import { cartService } from './cart.service';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const emailFor = (name: string) => `${unique(name)}@example.test`.toLowerCase();

describe('one cart across web, app and POS', () => {
  it('follows a guest from the web into the app and to the counter', async () => {
    const [tee, cap] = await aProduct(t, [20_00, 8_00]);
    const store = await aStore(t);
    const associate = await aStaff(t, StaffRole.ASSOCIATE, store);

    // WEB: a guest builds a cart.
    const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: [{ sku: tee.sku, quantity: 1 }] } }, { channel: 'WEB' });
    const cartId = cartCreate.cart!.id;

    // APP: signing up with the cart id makes it the customer's active cart.
    const email = emailFor('ada');
    const { customerSignUp } = await t.data(SignUpWithCartDocument, { input: { email, password: PASSWORD, name: 'Ada' }, cartId }, { channel: 'APP' });
    expect(customerSignUp.userErrors).toEqual([]);
    expect(customerSignUp.customer!.activeCart).toMatchObject({ id: cartId, channel: 'WEB', customer: { email } });
    const token = customerSignUp.token!;

    // The same cart on every channel, and a line added in the app.
    for (const channel of ['WEB', 'APP'] as const) expect((await t.data(MyCartDocument, {}, { token, channel })).me!.activeCart!.id).toBe(cartId);
    await t.data(CartLinesAddDocument, { cartId, lines: [{ sku: cap.sku, quantity: 2 }] }, { token, channel: 'APP' });

    // POS: the associate finds the customer and sees the same cart, with where each line came from.
    const { customerByEmail } = await t.data(CustomerCartAtCounterDocument, { email: email.toUpperCase() }, { token: associate.token });
    expect(customerByEmail!.activeCart).toMatchObject({ id: cartId, totalQuantity: 3, subtotal: { amount: 36_00 } });
    expect(customerByEmail!.activeCart!.lines.map((l) => [l.variant.sku, l.channel])).toEqual([
      [tee.sku, 'WEB'],
      [cap.sku, 'APP'],
    ]);
    // Lines of a customer's cart carry the customer's id.
    expect(await sqlNumber(t, 'select count(*) n from cart_line where cart_id = ? and customer_id = ?', [cartId, customerSignUp.customer!.id])).toBe(2);
  });

  it("merges a guest cart into the customer's existing cart on sign-in: quantities add up, the guest cart is MERGED", async () => {
    const [a, b] = await aProduct(t, [5_00, 7_00]);
    const customer = await aCustomer(t);
    const own = await t.data(CartCreateDocument, { input: { lines: [{ sku: a.sku, quantity: 1 }] } }, { token: customer.token, channel: 'APP' });
    const guest = await t.data(
      CartCreateDocument,
      {
        input: {
          lines: [
            { sku: a.sku, quantity: 2 },
            { sku: b.sku, quantity: 1 },
          ],
        },
      },
      { channel: 'WEB' },
    );
    await t.data(CartSetFulfillmentDocument, { cartId: guest.cartCreate.cart!.id, input: { method: 'PICKUP', locationId: (await aStore(t)).id } });

    const { customerSignIn } = await t.data(
      SignInWithCartDocument,
      { email: customer.account.email, password: PASSWORD, cartId: guest.cartCreate.cart!.id },
      { channel: 'WEB' },
    );
    expect(customerSignIn.userErrors).toEqual([]);
    const active = customerSignIn.customer!.activeCart!;
    expect(active.id).toBe(own.cartCreate.cart!.id);
    expect(active.lines.map((l) => [l.variant.sku, l.quantity, l.channel])).toEqual([
      [a.sku, 3, 'APP'],
      [b.sku, 1, 'WEB'],
    ]);
    expect(active.fulfillment!.method).toBe('PICKUP');
    expect((await t.data(CartDocument, { id: guest.cartCreate.cart!.id })).cart!.status).toBe('MERGED');

    // A merged cart cannot be merged again: the sign-in is refused and opens no session.
    const sessions = await sqlNumber(t, 'select count(*) n from session where subject_id = ?', [customer.account.id]);
    const again = await t.data(SignInWithCartDocument, { email: customer.account.email, password: PASSWORD, cartId: guest.cartCreate.cart!.id });
    expect(again.customerSignIn).toMatchObject({ token: null, userErrors: [{ code: 'CART_NOT_ACTIVE', field: ['cartId'] }] });
    expect(await sqlNumber(t, 'select count(*) n from session where subject_id = ?', [customer.account.id])).toBe(sessions);
  });

  it('refuses to sign up with an unknown cart and creates no account', async () => {
    const email = emailFor('nocart');
    const { customerSignUp } = await t.data(SignUpWithCartDocument, { input: { email, password: PASSWORD }, cartId: '00000000-0000-4000-8000-000000000000' });
    expect(customerSignUp.userErrors).toEqual([{ code: 'NOT_FOUND', message: expect.any(String), field: ['cartId'] }]);
    expect(await sqlNumber(t, 'select count(*) n from customer where email = ?', [email])).toBe(0);
  });

  it('gives a customer one ACTIVE cart: cartCreate on any channel returns the same cart', async () => {
    const [v] = await aProduct(t);
    const customer = await aCustomer(t);
    const results = await Promise.all(
      (['WEB', 'APP', 'WEB', 'APP', 'WEB', 'APP'] as const).map((channel) =>
        t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } }, { token: customer.token, channel }),
      ),
    );
    expect(new Set(results.map((r) => r.cartCreate.cart!.id)).size).toBe(1);
    expect(await sqlNumber(t, `select count(*) n from cart where customer_id = ? and status = 'ACTIVE'`, [customer.account.id])).toBe(1);
    expect((await t.data(MyCartDocument, {}, { token: customer.token })).me!.activeCart!.totalQuantity).toBe(6);
  });

  it('gives racing empty cartCreate calls of one customer the same cart, each raising its version once', async () => {
    const customer = await aCustomer(t);
    const results = await Promise.all(Array.from({ length: 6 }, () => t.data(CartCreateDocument, {}, { token: customer.token })));
    const carts = results.map((r) => r.cartCreate.cart!);
    expect(new Set(carts.map((c) => c.id)).size).toBe(1);
    expect(carts.map((c) => c.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await t.data(MyCartDocument, {}, { token: customer.token })).me!.activeCart).toMatchObject({ id: carts[0].id, version: 6, totalQuantity: 0 });
  });
});

describe('concurrency', () => {
  it('applies 50 parallel additions of one unit: quantity 50, version 51, nothing lost', async () => {
    const [v] = await aProduct(t);
    const { cartCreate } = await t.data(CartCreateDocument, {});
    const cartId = cartCreate.cart!.id;
    const results = await Promise.all(Array.from({ length: 50 }, () => t.data(CartLinesAddDocument, { cartId, lines: [{ sku: v.sku, quantity: 1 }] })));
    expect(results.every((r) => r.cartLinesAdd.userErrors.length === 0)).toBe(true);
    expect((await t.data(CartDocument, { id: cartId })).cart).toMatchObject({ totalQuantity: 50, version: 51 });
  });

  it('lets exactly one of 20 writers holding the same expectedVersion win', async () => {
    const [v] = await aProduct(t);
    const { cartCreate } = await t.data(CartCreateDocument, {});
    const cartId = cartCreate.cart!.id;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.data(CartLinesAddDocument, { cartId, lines: [{ sku: v.sku, quantity: 1 }], expectedVersion: 1 })),
    );
    const codes: string[] = results.map((r) => r.cartLinesAdd.userErrors[0]?.code ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
    expect(codes.filter((c) => c === 'VERSION_CONFLICT')).toHaveLength(19);
    expect((await t.data(CartDocument, { id: cartId })).cart).toMatchObject({ totalQuantity: 1, version: 2 });
  });
});

describe('batching', () => {
  it('reads a cart with lines, variants, prices and pickup stores in the same number of statements for 2 or 20 lines', async () => {
    const store = await aStore(t);
    const warehouse = await aWarehouse(t);
    const variants = await aProduct(
      t,
      Array.from({ length: 20 }, (_, i) => 100 + i),
    );
    for (const v of variants) await stock(t, store, v, 5);
    await stock(t, warehouse, variants[0], 50);
    const cartWith = async (n: number) => {
      const { cartCreate } = await t.data(CartCreateDocument, { input: { lines: variants.slice(0, n).map((v) => ({ sku: v.sku, quantity: 2 })) } });
      return cartCreate.cart!.id;
    };
    const small = await t.statementsOf(CartWithPickupDocument, { id: await cartWith(2) });
    const large = await t.statementsOf(CartWithPickupDocument, { id: await cartWith(20) });
    expect(large.data.cart!.lines).toHaveLength(20);
    expect(large.data.cart!.pickupLocations.map((l) => l.id)).toContain(store.id);
    expect(large.data.cart!.pickupLocations.map((l) => l.id)).not.toContain(warehouse.id);
    expect(large.statements.length).toBe(small.statements.length);
    expect(large.statements.length).toBeLessThanOrEqual(6);
  });

  it('lists as pickup locations only the stores that can hand over every line now', async () => {
    const [a, b] = await aProduct(t, [100, 100]);
    const both = await aStore(t);
    const onlyA = await aStore(t);
    await stock(t, both, a, 2);
    await stock(t, both, b, 1);
    await stock(t, onlyA, a, 10);
    const { cartCreate } = await t.data(CartCreateDocument, {
      input: {
        lines: [
          { sku: a.sku, quantity: 2 },
          { sku: b.sku, quantity: 1 },
        ],
      },
    });
    const ids = (await t.data(CartWithPickupDocument, { id: cartCreate.cart!.id })).cart!.pickupLocations.map((l) => l.id);
    expect(ids).toContain(both.id);
    expect(ids).not.toContain(onlyA.id);
  });
});

describe('abandoned carts', () => {
  it('marks carts idle past the configured time ABANDONED, once, even with several instances running the job', async () => {
    const [v] = await aProduct(t);
    const idle = (await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } })).cartCreate.cart!.id;
    const fresh = (await t.data(CartCreateDocument, {})).cartCreate.cart!.id;
    await sqlNumber(t, `update cart set updated_at = now() - interval '31 days' where id = ? returning 1 as n`, [idle]);

    // Three instances at once: the cart is claimed by exactly one of them.
    const handled = await Promise.all([1, 2, 3].map(() => cartService.abandonIdleCarts(systemContext(t))));
    expect(handled.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect((await t.data(CartDocument, { id: idle })).cart).toMatchObject({ status: 'ABANDONED', version: 2 });
    expect((await t.data(CartDocument, { id: fresh })).cart!.status).toBe('ACTIVE');
    const { cartLinesAdd } = await t.data(CartLinesAddDocument, { cartId: idle, lines: [{ sku: v.sku, quantity: 1 }] });
    expect(cartLinesAdd.userErrors[0].code).toBe('CART_NOT_ACTIVE');
  });

  it('runs as a timed job when the service is configured to', async () => {
    const [v] = await aProduct(t);
    const idle = (await t.data(CartCreateDocument, { input: { lines: [{ sku: v.sku, quantity: 1 }] } })).cartCreate.cart!.id;
    await sqlNumber(t, `update cart set updated_at = now() - interval '2 hours' where id = ? returning 1 as n`, [idle]);
    const withJobs = await TestApp.start({ JOBS_ENABLED: 'true', JOB_INTERVAL_SECONDS: '1', CART_ABANDON_AFTER_HOURS: '1' });
    try {
      const deadline = Date.now() + 10_000;
      while ((await sqlNumber(t, `select count(*) n from cart where id = ? and status = 'ABANDONED'`, [idle])) === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await t.data(CartDocument, { id: idle })).cart!.status).toBe('ABANDONED');
    } finally {
      await withJobs.close();
    }
  });
});
