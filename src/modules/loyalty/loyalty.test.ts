import { StaffRole } from '../../core/auth/actor';
import { aCustomer, aProduct, aStaff, aStore, givePoints, inTransaction, sqlNumber, stock, systemContext } from '../../../test/support/fixtures';
import { CartCreateDocument, CartSetFulfillmentDocument, CheckoutCompleteDocument, MyOrdersDocument } from '../../../test/support/generated/graphql';
import { TestApp, unique } from '../../../test/support/harness';
import { invariantViolations } from '../../../test/support/invariants';
import { LoyaltyTransactionKind } from './loyalty.entity';
import { loyaltyService } from './loyalty.service';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterEach(async () => expect(await invariantViolations(t)).toEqual([]));
afterAll(() => t.close());

/** Lifetime points as if earned before (they count towards the tier). */
async function lifetime(customerId: string, points: number): Promise<void> {
  const ctx = systemContext(t);
  await inTransaction(ctx, (tx) => loyaltyService.post(tx, { customerId, kind: LoyaltyTransactionKind.ADJUSTMENT, points, countsForTier: true }));
}

/** A counter sale to the customer of one unit at `price`, returning the points it earned. */
async function counterSale(app: TestApp, customerId: string, price: number): Promise<number> {
  const [v] = await aProduct(app, [price]);
  const store = await aStore(app);
  await stock(app, store, v, 1);
  const associate = await aStaff(app, StaffRole.ASSOCIATE, store);
  const { cartCreate } = await app.data(CartCreateDocument, { input: { customerId, lines: [{ sku: v.sku, quantity: 1 }] } }, { token: associate.token });
  await app.data(CartSetFulfillmentDocument, { cartId: cartCreate.cart!.id, input: { method: 'IN_STORE' } }, { token: associate.token });
  const { checkoutComplete } = await app.data(
    CheckoutCompleteDocument,
    { cartId: cartCreate.cart!.id, idempotencyKey: unique('sale'), paymentMethod: 'PAY_IN_STORE' },
    { token: associate.token },
  );
  expect(checkoutComplete.userErrors).toEqual([]);
  return checkoutComplete.order!.loyaltyPointsEarned;
}

describe('tiers', () => {
  it.each([
    ['BRONZE', 0, 100_00, 100],
    ['SILVER', 1000, 100_00, 125],
    ['GOLD', 5000, 100_00, 150],
    ['BRONZE, whole units only', 0, 99_99, 99],
  ])('earns at %s rates on what was paid', async (tier, before, price, earned) => {
    const customer = await aCustomer(t);
    if (before) await lifetime(customer.account.id, before);
    const { me } = await t.data(MyOrdersDocument, {}, { token: customer.token });
    expect(me!.loyalty.tier).toBe(tier.split(',')[0]);
    expect(await counterSale(t, customer.account.id, price)).toBe(earned);
    const after = await t.data(MyOrdersDocument, {}, { token: customer.token, channel: 'WEB' });
    expect(after.me!.loyalty).toMatchObject({ balance: before + earned, lifetimePoints: before + earned });
    expect(after.me!.loyalty.transactions.edges[0].node).toMatchObject({ kind: 'EARN', points: earned, channel: 'POS' });
  });

  it('takes rates, thresholds and multipliers from configuration', async () => {
    const custom = await TestApp.start({
      LOYALTY_POINTS_PER_UNIT: '2',
      LOYALTY_SILVER_THRESHOLD: '10',
      LOYALTY_GOLD_THRESHOLD: '20',
      LOYALTY_SILVER_MULTIPLIER: '3',
    });
    try {
      const customer = await aCustomer(custom);
      const ctx = systemContext(custom);
      await inTransaction(ctx, (tx) =>
        loyaltyService.post(tx, { customerId: customer.account.id, kind: LoyaltyTransactionKind.ADJUSTMENT, points: 15, countsForTier: true }),
      );
      expect(await counterSale(custom, customer.account.id, 10_00)).toBe(10 * 2 * 3);
    } finally {
      await custom.close();
    }
  });
});

describe('the ledger', () => {
  it('is append-only and can never take a balance below zero, whatever writes to it', async () => {
    const customer = await aCustomer(t);
    await givePoints(t, customer.account.id, 50);
    const conn = t.app.orm.em.fork().getConnection();
    await expect(conn.execute(`update loyalty_transaction set points = 5000 where customer_id = ?`, [customer.account.id])).rejects.toThrow(/append-only/);
    await expect(conn.execute(`delete from loyalty_transaction where customer_id = ?`, [customer.account.id])).rejects.toThrow(/append-only/);
    await expect(conn.execute(`update loyalty_account set balance = -1 where customer_id = ?`, [customer.account.id])).rejects.toThrow(
      /loyalty_account_balance_not_negative/,
    );
    const ctx = systemContext(t);
    const spent = await inTransaction(ctx, (tx) =>
      loyaltyService.post(tx, { customerId: customer.account.id, kind: LoyaltyTransactionKind.REDEEM, points: -51 }),
    );
    expect(spent).toBe(false);
    expect(await sqlNumber(t, 'select balance n from loyalty_account where customer_id = ?', [customer.account.id])).toBe(50);
  });

  it('never overspends when many spends of the whole balance race each other', async () => {
    const customer = await aCustomer(t);
    await givePoints(t, customer.account.id, 300);
    const spend = () => {
      const ctx = systemContext(t);
      return inTransaction(ctx, (tx) => loyaltyService.post(tx, { customerId: customer.account.id, kind: LoyaltyTransactionKind.REDEEM, points: -300 }));
    };
    const results = await Promise.all(Array.from({ length: 10 }, spend));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await sqlNumber(t, 'select balance n from loyalty_account where customer_id = ?', [customer.account.id])).toBe(0);
  });
});
