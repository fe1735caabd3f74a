// A database fault in the middle of a checkout: the built service talks to PostgreSQL through a
// small TCP proxy of this test, which cuts the service's connection at a chosen statement (inside
// the checkout's transaction, or on its COMMIT), or refuses connections for a while; and the
// service's backends are terminated while a checkout waits for a row lock. Each time the client
// gets a masked error, nothing of the checkout is left (no order, payment, reservation, points,
// key), the invariants hold, and the same checkout succeeds once the database is back.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Client } from 'pg';
import { SERVER_URL, createRunDatabase, dropRunDatabase, serverOrSkip } from '../../setup/databases';
import { ServiceProcess, cleanUp, gql, healthz, tmpDir } from '../../build/service-process';
import { recordFigures } from '../results';
import { serverInvariants, sleep } from './crash-cycles';
import { buildWorld, type World } from './load';

afterAll(cleanUp);

/** Forwards to PostgreSQL; can cut the connection that sends a matching statement, or refuse all. */
class FaultProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  /** Statements to see in order on one connection; the chunk with the last one is cut. */
  private cutOn: RegExp[] = [];
  cuts = 0;
  refusing = false;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(target: { host: string; port: number }): Promise<FaultProxy> {
    return new Promise((resolve) => {
      let proxy: FaultProxy;
      const server = createServer((client) => {
        if (proxy.refusing) return client.destroy();
        let seen = 0;
        const upstream = connect(target.port, target.host);
        const pair: [Socket, Socket] = [client, upstream];
        proxy.pairs.add(pair);
        const drop = () => {
          proxy.pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on('data', (chunk: Buffer) => {
          // The chunk that carries the statement is never forwarded: the server sees the
          // connection end with the transaction open, and rolls it back.
          const wanted = proxy.cutOn[seen];
          if (wanted?.test(chunk.toString('latin1'))) {
            if (++seen === proxy.cutOn.length) {
              proxy.cutOn = [];
              proxy.cuts++;
              return drop();
            }
          }
          upstream.write(chunk);
        });
        upstream.on('data', (chunk: Buffer) => client.write(chunk));
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(0, '127.0.0.1', () => {
        proxy = new FaultProxy(server, (server.address() as { port: number }).port);
        resolve(proxy);
      });
    });
  }

  cutNext(...statements: RegExp[]): void {
    this.cutOn = statements;
  }

  dropAll(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const CHECKOUT = `mutation Checkout($cartId: ID!, $idempotencyKey: String!, $paymentMethod: PaymentMethod!, $paymentToken: String) {
  checkoutComplete(cartId: $cartId, idempotencyKey: $idempotencyKey, paymentMethod: $paymentMethod, paymentToken: $paymentToken) {
    order { id number total { amount } } userErrors { code message } } }`;

let runUrl: string | undefined;
let db: Client;
let proxy: FaultProxy;
let service: ServiceProcess;
let url: string;
let world: World;

beforeAll(async () => {
  if (!(await serverOrSkip('the database fault tests'))) return;
  runUrl = await createRunDatabase(SERVER_URL);
  const target = new URL(runUrl);
  proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(runUrl);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  service = ServiceProcess.start({ PORT: '0', LOG_LEVEL: 'info', JOBS_ENABLED: 'false', DATABASE_URL: viaProxy.toString() }, tmpDir('cwd'));
  url = await service.ready();
  world = await buildWorld(url, 1);
  db = new Client({ connectionString: runUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await service?.stop();
  await proxy?.close();
  if (runUrl) await dropRunDatabase(SERVER_URL, runUrl);
});

const count = async (sql: string, params: unknown[]) => Number((await db.query<{ n: string }>(sql, params)).rows[0].n);

/** A web customer's pickup cart with points applied: stock, points and a card all take part. */
async function customerCart(): Promise<{ cartId: string; token: string }> {
  const { token } = world.customers[0];
  // Points to spend: a counter sale to the customer completes at once and earns them.
  const sale = await gql<{ cartCreate: { cart: { id: string } } }>(
    url,
    `mutation($i: CartCreateInput) { cartCreate(input: $i) { cart { id } } }`,
    { i: { lines: [{ sku: world.skus[0], quantity: 1 }], customerId: world.customers[0].id } },
    world.associateToken,
  );
  await gql(
    url,
    `mutation($c: ID!) { cartSetFulfillment(cartId: $c, input: { method: IN_STORE }) { userErrors { code } } }`,
    { c: sale.cartCreate.cart.id },
    world.associateToken,
  );
  await gql(
    url,
    CHECKOUT,
    { cartId: sale.cartCreate.cart.id, idempotencyKey: `sale-${Date.now()}-${Math.random()}`, paymentMethod: 'PAY_IN_STORE' },
    world.associateToken,
  );

  const { cartCreate } = await gql<{ cartCreate: { cart: { id: string } } }>(
    url,
    `mutation($i: CartCreateInput) { cartCreate(input: $i) { cart { id } } }`,
    { i: { lines: [{ sku: world.skus[1], quantity: 2 }] } },
    token,
  );
  const cartId = cartCreate.cart.id;
  await gql(
    url,
    `mutation($c: ID!, $l: ID!) { cartSetFulfillment(cartId: $c, input: { method: PICKUP, locationId: $l }) { userErrors { code } } }`,
    { c: cartId, l: world.storeId },
    token,
  );
  const applied = await gql<{ cartApplyLoyaltyPoints: { userErrors: unknown[] } }>(
    url,
    `mutation($c: ID!) { cartApplyLoyaltyPoints(cartId: $c, points: 5) { userErrors { code } } }`,
    { c: cartId },
    token,
  );
  expect(applied.cartApplyLoyaltyPoints.userErrors).toEqual([]);
  return { cartId, token };
}

async function snapshot(cartId: string) {
  return {
    orders: await count('select count(*) n from orders where cart_id = $1', [cartId]),
    cart: (await db.query('select status, version from cart where id = $1', [cartId])).rows[0],
    reserved: await count(`select coalesce(sum(reserved), 0) n from stock_level where location_id = $1`, [world.storeId]),
    points: await count('select balance n from loyalty_account where customer_id = $1', [world.customers[0].id]),
    ledgerRows: await count('select count(*) n from loyalty_transaction where customer_id = $1', [world.customers[0].id]),
    payments: await count('select count(*) n from payment', []),
  };
}

const figures = { faults: 0, maskedErrors: 0, halfWritten: 0, servedAgain: 0, violations: 0 };

/** The fault happens during `checkout`; then nothing may be left and the same request must work. */
async function expectCleanFailureThenSuccess(fault: (checkout: () => Promise<Response>) => Promise<Response>) {
  const { cartId, token } = await customerCart();
  const key = `fault-${Date.now()}`;
  const variables = { cartId, idempotencyKey: key, paymentMethod: 'CARD', paymentToken: 'tok_visa' };
  const send = () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: CHECKOUT, variables }),
    });
  const before = await snapshot(cartId);

  const res = await fault(send);
  figures.faults++;
  const text = await res.text();
  const body = JSON.parse(text) as { data?: { checkoutComplete: unknown } | null; errors?: { message: string; extensions?: { code?: string } }[] };
  expect(body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['Internal server error', 'INTERNAL_SERVER_ERROR']]);
  expect(text).not.toMatch(/insert|select|commit|ECONN|terminat|stack|at \//i);
  figures.maskedErrors++;

  const after = await snapshot(cartId);
  if (JSON.stringify(after) !== JSON.stringify(before)) figures.halfWritten++;
  expect(after).toEqual(before);
  expect(await count('select count(*) n from idempotency_record where key = $1', [key])).toBe(0);
  const violations = await serverInvariants(runUrl!);
  figures.violations += violations.length;
  expect(violations).toEqual([]);

  for (let i = 0; i < 50 && (await healthz(url)).status !== 200; i++) await sleep(100);
  const again = (await (await send()).json()) as { data: { checkoutComplete: { order: { id: string } | null; userErrors: unknown[] } } };
  expect(again.data.checkoutComplete.userErrors).toEqual([]);
  expect(again.data.checkoutComplete.order).not.toBeNull();
  expect(await count('select count(*) n from orders where cart_id = $1', [cartId])).toBe(1);
  figures.servedAgain++;
}

const onServer = () => Boolean(runUrl);

it('a connection cut inside the checkout transaction', async () => {
  if (!onServer()) return;
  await expectCleanFailureThenSuccess(async (send) => {
    proxy.cutNext(/insert into "?orders"?\b/);
    const res = await send();
    expect(proxy.cuts).toBe(1);
    return res;
  });
});

it('a connection cut as the checkout commits', async () => {
  if (!onServer()) return;
  await expectCleanFailureThenSuccess(async (send) => {
    // On the connection that wrote the order: its COMMIT never reaches the server.
    const cuts = proxy.cuts;
    proxy.cutNext(/insert into "?orders"?\b/, /\bcommit\b/i);
    const res = await send();
    expect(proxy.cuts).toBe(cuts + 1);
    return res;
  });
});

it("the service's backends terminated while its checkout waits for a row lock", async () => {
  if (!onServer()) return;
  await expectCleanFailureThenSuccess(async (send) => {
    const blocker = new Client({ connectionString: runUrl });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('select * from stock_level where location_id = $1 for update', [world.storeId]);
    const pending = send();
    // Wait until the checkout is blocked on the lock, then end every backend but the blocker's.
    let waiting = 0;
    for (let i = 0; i < 100 && !waiting; i++) {
      await sleep(50);
      waiting = await count(`select count(*) n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`, []);
    }
    expect(waiting).toBe(1);
    await blocker.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and pid <> $1`, [
      (await db.query<{ pid: number }>('select pg_backend_pid() pid')).rows[0].pid,
    ]);
    const res = await pending;
    await blocker.query('rollback');
    await blocker.end();
    return res;
  });
});

it('the database unreachable for a while: /healthz says 503, then the service serves again', async () => {
  if (!onServer()) return;
  await expectCleanFailureThenSuccess(async (send) => {
    proxy.refusing = true;
    proxy.dropAll();
    const res = await send();
    expect((await healthz(url)).status).toBe(503);
    await sleep(1000);
    proxy.refusing = false;
    return res;
  });
  recordFigures('Database faults mid-checkout', 'PostgreSQL 15 server', {
    'faults injected': figures.faults,
    'masked errors returned': figures.maskedErrors,
    'checkouts that left something behind': figures.halfWritten,
    'invariant violations': figures.violations,
    'same checkout succeeded afterwards': figures.servedAgain,
    'statement timeout (lock held past DB_STATEMENT_TIMEOUT_MS)': 'test/db-guards.test.ts',
  });
});
