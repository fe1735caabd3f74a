// The outbox across a crash: the built service is killed with SIGKILL right after an order's
// commit, while the webhook call is in flight, and a new process on the same database delivers
// the webhook and the e-mail — each accepted exactly once. On the embedded database and, when
// one is reachable, on a PostgreSQL server.
import { Client } from 'pg';
import { HttpReceiver, SmtpReceiver, eventually, sleep } from '../support/receivers';
import { ADMIN, adminCreatesStoreAndStock, cleanUp, expectNoUserErrors, gql, ServiceProcess, staffSignIn, tmpDir } from './service-process';

const PG_SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

afterAll(cleanUp);

let smtp: SmtpReceiver;
let receiver: HttpReceiver;
/** Webhook-ids whose first request is left hanging (the service is killed meanwhile). */
let hangFirst = true;
beforeAll(async () => {
  smtp = await SmtpReceiver.start();
  receiver = await HttpReceiver.start((_req, attempt) => (attempt === 1 && hangFirst ? 'hang' : 200));
});
afterAll(async () => {
  await receiver.close();
  await smtp.close();
});

const serviceEnv = (database: Record<string, string>) => ({
  PORT: '0',
  LOG_LEVEL: 'info',
  ...database,
  SMTP_URL: smtp.url,
  MAIL_FROM: 'orders@shop.test',
  DEFAULT_LANGUAGE: 'ca',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_RETRY_BASE_MS: '100',
  OUTBOX_POLL_MS: '500',
});

async function crashAfterCommitThenRestart(database: Record<string, string>): Promise<void> {
  hangFirst = true;
  const cwd = tmpDir('outbox-cwd');
  const first = ServiceProcess.start(serviceEnv(database), cwd);
  const url = await first.ready();
  const admin = await staffSignIn(url, ADMIN.email, ADMIN.password);
  const { webhookCreate } = await gql<{ webhookCreate: { webhook: { id: string }; userErrors: unknown[] } }>(
    url,
    `mutation($input: WebhookCreateInput!) { webhookCreate(input: $input) { webhook { id } secret userErrors { code message } } }`,
    { input: { url: receiver.url, topics: ['ORDER_PLACED'] } },
    admin,
  );
  expectNoUserErrors(webhookCreate);
  const { storeId, sku } = await adminCreatesStoreAndStock(url);
  const email = `crash-${Date.now()}@customer.test`;
  const { customerSignUp } = await gql<{ customerSignUp: { token: string; userErrors: unknown[] } }>(
    url,
    `mutation($input: CustomerSignUpInput!) { customerSignUp(input: $input) { token userErrors { code message } } }`,
    { input: { email, password: 'correct-horse-battery' } },
  );
  const token = customerSignUp.token;
  const { cartCreate } = await gql<{ cartCreate: { cart: { id: string } } }>(
    url,
    `mutation($input: CartCreateInput!) { cartCreate(input: $input) { cart { id } } }`,
    { input: { lines: [{ sku, quantity: 1 }] } },
    token,
  );
  const cartId = cartCreate.cart.id;
  await gql(
    url,
    `mutation($cartId: ID!, $input: CartFulfillmentInput!) { cartSetFulfillment(cartId: $cartId, input: $input) { userErrors { code } } }`,
    { cartId, input: { method: 'PICKUP', locationId: storeId } },
    token,
  );
  const { checkoutComplete } = await gql<{
    checkoutComplete: { order: { id: string; number: string; fulfillment: { pickupCode: string } }; userErrors: unknown[] };
  }>(
    url,
    `mutation($cartId: ID!, $key: String!) { checkoutComplete(cartId: $cartId, idempotencyKey: $key, paymentMethod: PAY_IN_STORE) { order { id number fulfillment { pickupCode } } userErrors { code message } } }`,
    { cartId, key: `crash-${Date.now()}` },
    token,
  );
  expectNoUserErrors(checkoutComplete);
  const order = checkoutComplete.order;

  // The commit is done; the webhook call is in flight (its receiver holds it): kill -9 now.
  await eventually(() => receiver.about(order.id).length === 1, 15_000, 'the first webhook attempt');
  await first.kill();
  hangFirst = false;

  const second = ServiceProcess.start(serviceEnv(database), cwd);
  await second.ready();
  await eventually(() => receiver.about(order.id).some((r) => r.answered === 200), 30_000, 'the webhook after restart');
  await eventually(() => smtp.to(email).length >= 1, 30_000, 'the confirmation e-mail');
  await sleep(2_000);

  const requests = receiver.about(order.id);
  expect(requests.filter((r) => r.answered === 200)).toHaveLength(1);
  expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
  expect(requests[requests.length - 1].json.data.order).toMatchObject({ id: order.id, number: order.number, status: 'PLACED' });
  const mails = smtp.to(email);
  expect(mails).toHaveLength(1);
  // DEFAULT_LANGUAGE=ca: the customer chose no other.
  expect(mails[0].subject).toBe(`Comanda ${order.number} confirmada`);
  expect(mails[0].text).toContain(order.fulfillment.pickupCode);
  await second.stop();
}

describe('kill -9 right after an order commits', () => {
  it('on the embedded database: after restart the webhook and the e-mail arrive exactly once', async () => {
    await crashAfterCommitThenRestart({ DATA_DIR: tmpDir('outbox-data') });
  }, 120_000);

  it('on a PostgreSQL server: the same', async () => {
    const admin = new Client({ connectionString: PG_SERVER_URL, connectionTimeoutMillis: 2_000 });
    try {
      await admin.connect();
    } catch {
      if (process.env.CI) throw new Error(`No PostgreSQL server at ${PG_SERVER_URL}`);
      console.warn(`No PostgreSQL server at ${PG_SERVER_URL}: skipped.`);
      return;
    }
    const name = `commerce_outbox_${Date.now()}_${process.pid}`;
    await admin.query(`create database "${name}"`);
    try {
      const url = new URL(PG_SERVER_URL);
      url.pathname = `/${name}`;
      await crashAfterCommitThenRestart({ DATABASE_URL: url.toString() });
    } finally {
      await cleanUp();
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  }, 120_000);
});
