// The database guards every connection carries: a statement timeout and an idle-in-transaction
// timeout. PostgreSQL enforces both; PGlite accepts the settings and cannot enforce either (it
// has no timers), which the embedded run records.
import { CheckoutCompleteDocument } from './support/generated/graphql';
import { aPickupCart, aProduct, aStore, sqlNumber, stock, stockLevel } from './support/fixtures';
import { TestApp, errorCodes, unique } from './support/harness';
import { invariantViolations } from './support/invariants';

// The postgres project falls back to PGlite on a machine without a server (test/setup).
const onServer = process.env.TEST_DATABASE_KIND === 'postgres' && process.env.TEST_POSTGRES_SERVER === 'true';

const setting = async (t: TestApp, name: string) => (await t.app.orm.em.fork().getConnection().execute<Record<string, string>[]>(`show ${name}`))[0][name];

describe('connection guards', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('sets the statement and idle-in-transaction timeouts on every connection (15 s and 60 s by default)', async () => {
    t = await TestApp.start();
    if (process.env.TEST_DATABASE_KIND === 'embedded') {
      // One session whose settings nobody sent: PGlite ignores startup parameters.
      expect(await setting(t, 'statement_timeout')).toBe('0');
      return;
    }
    const conn = t.app.orm.em.fork().getConnection();
    // Several connections at once, so the pool has to open more than one.
    const seen = await Promise.all(
      Array.from({ length: 4 }, () =>
        conn.execute<{ s: string; i: string; pid: number }[]>(
          `select current_setting('statement_timeout') s, current_setting('idle_in_transaction_session_timeout') i, pg_backend_pid() pid, pg_sleep(0.05)`,
        ),
      ),
    );
    expect(new Set(seen.map(([row]) => `${row.s} ${row.i}`))).toEqual(new Set(['15s 1min']));
  });

  (onServer ? it : it.skip)(
    'ends a statement that waits past DB_STATEMENT_TIMEOUT_MS: a masked error, nothing written, and the next checkout works',
    async () => {
      t = await TestApp.start({ DB_STATEMENT_TIMEOUT_MS: '300' });
      const [v] = await aProduct(t, [7_00]);
      const store = await aStore(t);
      await stock(t, store, v, 3);
      const cartId = await aPickupCart(t, store, [{ sku: v.sku, quantity: 1 }]);

      // Another client holds the stock row, as a long transaction elsewhere would.
      const { Client } = await import('pg');
      const blocker = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await blocker.connect();
      try {
        await blocker.query('begin');
        await blocker.query('select * from stock_level where location_id = $1 and variant_id = $2 for update', [store.id, v.id]);
        const res = await t.gql(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('timeout'), paymentMethod: 'PAY_IN_STORE' });
        expect(errorCodes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
        expect(JSON.stringify(res.errors)).not.toMatch(/statement|timeout|select|stock_level/i);
      } finally {
        await blocker.query('rollback');
        await blocker.end();
      }
      expect(await sqlNumber(t, 'select count(*) n from orders where cart_id = ?', [cartId])).toBe(0);
      expect(await stockLevel(t, store.id, v.id)).toEqual({ on_hand: 3, reserved: 0 });
      expect(await invariantViolations(t)).toEqual([]);

      const again = await t.gql(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('after'), paymentMethod: 'PAY_IN_STORE' });
      expect(again.data?.checkoutComplete.order?.status).toBe('PLACED');
    },
  );

  (onServer ? it : it.skip)('closes a connection left idle in a transaction past DB_IDLE_IN_TRANSACTION_TIMEOUT_MS, so its locks go', async () => {
    t = await TestApp.start({ DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '300' });
    const em = t.app.orm.em.fork();
    await expect(
      em.transactional(async (tx) => {
        await tx.getConnection().execute('select 1', [], 'all', tx.getTransactionContext());
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await tx.getConnection().execute('select 1', [], 'all', tx.getTransactionContext());
      }),
    ).rejects.toThrow();
    // The pool replaces the closed connection.
    expect(await setting(t, 'idle_in_transaction_session_timeout')).toBe('300ms');
  });
});
