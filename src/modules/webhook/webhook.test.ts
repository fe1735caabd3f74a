import { Webhook as Verifier } from 'standardwebhooks';
import { dispatchingApp } from '../../../test/support/dispatching';
import { StaffRole } from '../../core/auth/actor';
import { aCustomer, anAdmin, aPickupOrder, aProduct, aStaff, aStore, sqlNumber, stock } from '../../../test/support/fixtures';
import {
  OrderMarkReadyDocument,
  WebhookCreateDocument,
  WebhookDeleteDocument,
  WebhookDeliveriesDocument,
  WebhooksDocument,
} from '../../../test/support/generated/graphql';
import { TestApp } from '../../../test/support/harness';
import { eventually, HttpReceiver, sleep } from '../../../test/support/receivers';
import { post, signedRequest } from './webhook.sender';

// A dispatcher that retries fast and may reach the receivers on 127.0.0.1.
const FAST = {
  OUTBOX_DISPATCHER_ENABLED: 'true',
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_RETRY_BASE_MS: '50',
  OUTBOX_POLL_MS: '250',
  WEBHOOK_TIMEOUT_MS: '1500',
};

let t: TestApp;
let admin: string;
const receivers: HttpReceiver[] = [];
const webhooks: string[] = [];
beforeAll(async () => {
  t = await dispatchingApp(FAST);
  admin = (await anAdmin(t)).token;
});
afterAll(async () => {
  for (const id of webhooks) await t.data(WebhookDeleteDocument, { id }, { token: admin });
  await t.close();
  for (const r of receivers) await r.close();
});

async function aReceiver(answer?: ConstructorParameters<typeof HttpReceiver>[0]): Promise<HttpReceiver> {
  const receiver = await HttpReceiver.start(answer);
  receivers.push(receiver);
  return receiver;
}

async function aWebhook(url: string, topics: string[] = ['ORDER_PLACED', 'ORDER_READY_FOR_PICKUP']) {
  const { webhookCreate } = await t.data(WebhookCreateDocument, { input: { url, topics: topics as never } }, { token: admin });
  expect(webhookCreate.userErrors).toEqual([]);
  webhooks.push(webhookCreate.webhook!.id);
  return { id: webhookCreate.webhook!.id, secret: webhookCreate.secret! };
}

async function aPlacedOrder() {
  const [variant] = await aProduct(t);
  const store = await aStore(t);
  await stock(t, store, variant, 5);
  const customer = await aCustomer(t);
  const associate = await aStaff(t, StaffRole.ASSOCIATE, store);
  const order = await aPickupOrder(t, store, customer.token, variant.sku);
  return { order, store, customer, associate, variant };
}

describe('webhooks', () => {
  it('retries a receiver that answers 500, 500, 200 with the same webhook-id and a valid signature, and logs 3 attempts', async () => {
    const receiver = await aReceiver((_req, attempt) => (attempt <= 2 ? 500 : 200));
    const { id, secret } = await aWebhook(receiver.url);
    expect(secret).toMatch(/^whsec_/);
    const { order } = await aPlacedOrder();

    const arrived = await eventually(
      () => receiver.about(order.id, 'ORDER_PLACED').length >= 3 && receiver.about(order.id, 'ORDER_PLACED'),
      15_000,
      'three attempts',
    );
    await sleep(300);
    expect(receiver.about(order.id, 'ORDER_PLACED')).toHaveLength(3);
    const ids = new Set(arrived.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const verifier = new Verifier(secret);
    for (const r of arrived) {
      expect(() => verifier.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    }
    // A body tampered with does not verify.
    expect(() => verifier.verify(arrived[0].body.replace('PLACED', 'COMPLETED'), arrived[0].headers as Record<string, string>)).toThrow();
    const body = arrived[0].json;
    expect(body.type).toBe('ORDER_PLACED');
    expect(body.data.order).toMatchObject({ id: order.id, number: expect.stringMatching(/^W-\d+$/), status: 'PLACED' });
    // The pickup code is the customer's: it never leaves in a webhook.
    expect(arrived[0].body).not.toContain(order.code);

    const [eventId] = [...ids];
    const log = await eventually(
      async () => {
        const { webhook } = await t.data(WebhookDeliveriesDocument, { id, first: 50 }, { token: admin });
        const delivery = webhook!.deliveries.edges.map((e) => e.node).find((d) => d.eventId === eventId);
        return delivery?.status === 'DELIVERED' && delivery;
      },
      5_000,
      'the log to say DELIVERED',
    );
    expect(log).toMatchObject({
      topic: 'ORDER_PLACED',
      status: 'DELIVERED',
      attempts: 3,
      lastResponseStatus: 200,
      nextAttemptAt: null,
      deliveredAt: expect.any(String),
    });
  });

  it('sends the order as it was when the event happened, and one slow receiver does not hold up another', async () => {
    const slow = await aReceiver(() => 'hang');
    const fast = await aReceiver();
    await aWebhook(slow.url);
    await aWebhook(fast.url);
    const { order, associate } = await aPlacedOrder();
    // Marked ready before the first delivery may have gone: the ORDER_PLACED event still says PLACED.
    await t.data(OrderMarkReadyDocument, { orderId: order.id }, { token: associate.token });

    const started = Date.now();
    await eventually(() => fast.about(order.id).length >= 2, 10_000, 'both events at the healthy receiver');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(fast.about(order.id, 'ORDER_PLACED')[0].json.data.order?.status).toBe('PLACED');
    expect(fast.about(order.id, 'ORDER_READY_FOR_PICKUP')[0].json.data.order?.status).toBe('READY_FOR_PICKUP');
    expect(slow.about(order.id).length).toBeGreaterThan(0);
  });

  it('retries a receiver that answered too late, with the same webhook-id', async () => {
    const late = await aReceiver((_req, attempt) => (attempt === 1 ? 'hang' : 200));
    const { id } = await aWebhook(late.url, ['ORDER_PLACED']);
    const { order } = await aPlacedOrder();
    await eventually(() => late.about(order.id).some((r) => r.answered === 200), 10_000, 'the retry after the timeout');
    const requests = late.about(order.id);
    expect(requests).toHaveLength(2);
    expect(requests[0].headers['webhook-id']).toBe(requests[1].headers['webhook-id']);
    // The retry came after WEBHOOK_TIMEOUT_MS (1.5 s), not after the claim's lease.
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(1400);
    expect(requests[1].at - requests[0].at).toBeLessThan(5000);
    const delivery = await eventually(
      async () => {
        const { webhook } = await t.data(WebhookDeliveriesDocument, { id, first: 10 }, { token: admin });
        const found = webhook!.deliveries.edges.map((e) => e.node).find((d) => d.eventId === requests[0].headers['webhook-id']);
        return found?.status === 'DELIVERED' && found;
      },
      5_000,
      'DELIVERED in the log',
    );
    expect(delivery.attempts).toBe(2);
  });

  it('shows the log page by page, newest first, to ADMIN only', async () => {
    const receiver = await aReceiver();
    const { id } = await aWebhook(receiver.url, ['ORDER_PLACED']);
    const one = await aPlacedOrder();
    const two = await aPlacedOrder();
    await eventually(() => receiver.about(one.order.id).length && receiver.about(two.order.id).length, 10_000, 'two deliveries');
    const first = await t.data(WebhookDeliveriesDocument, { id, first: 1 }, { token: admin });
    expect(first.webhook!.deliveries.pageInfo.hasNextPage).toBe(true);
    const next = await t.data(WebhookDeliveriesDocument, { id, first: 1, after: first.webhook!.deliveries.pageInfo.endCursor }, { token: admin });
    expect(next.webhook!.deliveries.edges[0].node.id).not.toBe(first.webhook!.deliveries.edges[0].node.id);

    const customer = await aCustomer(t);
    const refused = await t.gql(WebhooksDocument, {}, { token: customer.token });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const list = await t.data(WebhooksDocument, {}, { token: admin });
    expect(list.webhooks.map((w) => w.id)).toContain(id);
    // The secret is shown once: no query returns it.
    expect(JSON.stringify(list)).not.toContain('whsec_');
  });

  it('stops delivering to a deleted webhook', async () => {
    const receiver = await aReceiver(() => 500);
    const { id } = await aWebhook(receiver.url, ['ORDER_PLACED']);
    const { order } = await aPlacedOrder();
    await eventually(() => receiver.about(order.id).length >= 1, 10_000, 'a first attempt');
    const { webhookDelete } = await t.data(WebhookDeleteDocument, { id }, { token: admin });
    expect(webhookDelete.webhook).toMatchObject({ id, active: false });
    await sleep(500);
    const count = receiver.about(order.id).length;
    await sleep(500);
    expect(receiver.about(order.id).length).toBe(count);
    expect(await sqlNumber(t, `select count(*) as n from webhook_delivery where webhook_id = ? and status = 'PENDING'`, [id])).toBe(0);
    const again = await t.data(WebhookDeleteDocument, { id }, { token: admin });
    expect(again.webhookDelete.userErrors[0].code).toBe('NOT_FOUND');
  });
});

describe('no server-side request forgery', () => {
  let strict: TestApp;
  let strictAdmin: string;
  beforeAll(async () => {
    strict = await TestApp.start({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' });
    strictAdmin = (await anAdmin(strict)).token;
  });
  afterAll(() => strict.close());

  it.each([
    ['http://127.0.0.1:8080/hook', 'FORBIDDEN_TARGET'],
    ['http://169.254.169.254/latest/meta-data', 'FORBIDDEN_TARGET'],
    ['http://localhost/hook', 'FORBIDDEN_TARGET'],
    ['http://[::1]/hook', 'FORBIDDEN_TARGET'],
    ['http://10.1.2.3/hook', 'FORBIDDEN_TARGET'],
    ['http://[::ffff:127.0.0.1]/hook', 'FORBIDDEN_TARGET'],
    ['not a url', 'INVALID_INPUT'],
    ['ftp://example.com/hook', 'INVALID_INPUT'],
    ['https://user:pass@example.com/hook', 'INVALID_INPUT'],
  ])('refuses %s with %s and saves nothing', async (url, code) => {
    const before = await sqlNumber(strict, 'select count(*) as n from webhook');
    const { webhookCreate } = await strict.data(WebhookCreateDocument, { input: { url, topics: ['ORDER_PLACED'] } }, { token: strictAdmin });
    expect(webhookCreate).toMatchObject({ webhook: null, secret: null, userErrors: [{ code, field: ['input', 'url'] }] });
    expect(await sqlNumber(strict, 'select count(*) as n from webhook')).toBe(before);
  });

  it('refuses a webhook without topics', async () => {
    const { webhookCreate } = await strict.data(WebhookCreateDocument, { input: { url: 'https://example.com/hook', topics: [] } }, { token: strictAdmin });
    expect(webhookCreate.userErrors).toMatchObject([{ code: 'INVALID_INPUT', field: ['input', 'topics'] }]);
  });

  it('allows private addresses when WEBHOOK_ALLOW_PRIVATE_NETWORKS=true', async () => {
    const { webhookCreate } = await t.data(WebhookCreateDocument, { input: { url: 'http://127.0.0.1:9/hook', topics: ['ORDER_PLACED'] } }, { token: admin });
    expect(webhookCreate.userErrors).toEqual([]);
    webhooks.push(webhookCreate.webhook!.id);
  });

  it('checks the address connected to: a name that resolves to loopback is refused at connect time', async () => {
    const receiver = await aReceiver();
    const port = new URL(receiver.url).port;
    const request = signedRequest(`http://localhost:${port}/hook`, 'whsec_' + Buffer.from('k'.repeat(24)).toString('base64'), {
      id: 'evt',
      type: 'ORDER_PLACED',
      data: {},
      created_at: new Date(),
    });
    const attempt = await post(request, 2000, false);
    expect(attempt).toMatchObject({ ok: false, retry: false });
    expect(receiver.received).toHaveLength(0);
    // The same request, private networks allowed, arrives.
    expect(await post(request, 2000, true)).toMatchObject({ ok: true, responseStatus: 200 });
    expect(receiver.received).toHaveLength(1);
  });

  it('does not follow a redirect (to a private address or anywhere)', async () => {
    const inside = await aReceiver();
    const redirecting = await aReceiver(() => ({ status: 302, headers: { location: inside.url } }));
    const request = signedRequest(redirecting.url, 'whsec_' + Buffer.from('k'.repeat(24)).toString('base64'), {
      id: 'evt',
      type: 'ORDER_PLACED',
      data: {},
      created_at: new Date(),
    });
    expect(await post(request, 2000, true)).toMatchObject({ ok: false, responseStatus: 302 });
    expect(redirecting.received).toHaveLength(1);
    expect(inside.received).toHaveLength(0);
  });

  it('fails an attempt whose connection is reset, to be retried', async () => {
    const { createServer } = await import('node:net');
    const server = createServer((socket) => socket.on('data', () => socket.resetAndDestroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const request = signedRequest(`http://127.0.0.1:${port}/hook`, 'whsec_' + Buffer.from('k'.repeat(24)).toString('base64'), {
        id: 'evt',
        type: 'ORDER_PLACED',
        data: {},
        created_at: new Date(),
      });
      const attempt = await post(request, 2000, true);
      expect(attempt).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNRESET|socket hang up/) });
      expect(attempt.retry).not.toBe(false);
    } finally {
      server.close();
    }
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const hanging = await aReceiver(() => 'hang');
    const request = signedRequest(hanging.url, 'whsec_' + Buffer.from('k'.repeat(24)).toString('base64'), {
      id: 'evt',
      type: 'ORDER_PLACED',
      data: {},
      created_at: new Date(),
    });
    const started = Date.now();
    expect(await post(request, 300, true)).toMatchObject({ ok: false, error: expect.stringContaining('no answer') });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
