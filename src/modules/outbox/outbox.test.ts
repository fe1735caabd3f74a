import { aCustomer, anAdmin, aPickupOrder, aProduct, aStore, stock, systemContext } from '../../../test/support/fixtures';
import { dispatchingApp } from '../../../test/support/dispatching';
import { WebhookCreateDocument, WebhookDeleteDocument } from '../../../test/support/generated/graphql';
import { TestApp } from '../../../test/support/harness';
import { eventually, HttpReceiver, sleep } from '../../../test/support/receivers';
import { retryDelayMs } from './outbox.queue';
import { pruneOldEvents } from './outbox.service';

const DISPATCHING = { OUTBOX_DISPATCHER_ENABLED: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_BASE_MS: '50', OUTBOX_POLL_MS: '250' };

describe('the dispatcher on several instances', () => {
  let a: TestApp;
  let b: TestApp;
  const receivers: HttpReceiver[] = [];
  const webhooks: string[] = [];
  let admin: string;
  beforeAll(async () => {
    [a, b] = await Promise.all([dispatchingApp(DISPATCHING), dispatchingApp(DISPATCHING)]);
    admin = (await anAdmin(a)).token;
  });
  afterAll(async () => {
    for (const id of webhooks) await a.data(WebhookDeleteDocument, { id }, { token: admin });
    await Promise.all([a.close(), b.close()]);
    for (const r of receivers) await r.close();
  });

  it('delivers every event exactly once per webhook when two instances dispatch from one database', async () => {
    // One receiver answers slowly and sometimes fails, so claims, retries and leases overlap.
    receivers.push(await HttpReceiver.start(), await HttpReceiver.start((_r, attempt) => (attempt === 1 && Math.random() < 0.3 ? 503 : 200)));
    for (const receiver of receivers) {
      const { webhookCreate } = await a.data(
        WebhookCreateDocument,
        { input: { url: receiver.url, topics: ['ORDER_PLACED', 'ORDER_READY_FOR_PICKUP'] } },
        { token: admin },
      );
      webhooks.push(webhookCreate.webhook!.id);
    }
    const [variant] = await aProduct(a);
    const store = await aStore(a);
    await stock(a, store, variant, 100);
    const customers = await Promise.all(Array.from({ length: 16 }, () => aCustomer(a)));
    // Orders placed through both instances, concurrently.
    const orders = await Promise.all(customers.map((customer, i) => aPickupOrder(i % 2 ? b : a, store, customer.token, variant.sku)));
    const ids = new Set(orders.map((o) => o.id));

    const about = (r: HttpReceiver) => r.received.filter((x) => ids.has(x.json.data.order?.id ?? ''));
    const accepted = (r: HttpReceiver) => about(r).filter((x) => x.answered === 200);
    for (const receiver of receivers) await eventually(() => accepted(receiver).length >= 16, 15_000, 'every order at a receiver');
    await sleep(800);
    for (const receiver of receivers) {
      // Each event accepted exactly once per webhook, whatever the retries of the failing one.
      expect(accepted(receiver)).toHaveLength(16);
      expect(new Set(accepted(receiver).map((x) => x.headers['webhook-id'])).size).toBe(16);
      expect(new Set(accepted(receiver).map((x) => x.json.data.order?.id))).toEqual(ids);
    }
    const [steady] = receivers;
    expect(about(steady)).toHaveLength(16);
    const rows = await a.app.orm.em
      .fork()
      .getConnection()
      .execute<{ status: string; n: number }[]>(
        `select d.status, count(*)::int as n from webhook_delivery d join outbox_event e on e.id = d.event_id
        where e.subject_id in (select jsonb_array_elements_text(?::jsonb)::uuid) and d.webhook_id in (?, ?) group by d.status`,
        [JSON.stringify([...ids]), ...webhooks],
      );
    expect(rows).toEqual([{ status: 'DELIVERED', n: 32 }]);
  });
});

describe('a dead receiver', () => {
  it('holds at most its share of the slots: a healthy receiver gets its deliveries meanwhile', async () => {
    // 4 slots: at most one to a receiver.
    const app = await dispatchingApp({ ...DISPATCHING, OUTBOX_CONCURRENCY: '4', WEBHOOK_TIMEOUT_MS: '4000' });
    const dead = await HttpReceiver.start(() => 'hang');
    const healthy = await HttpReceiver.start();
    try {
      const admin = (await anAdmin(app)).token;
      const hooks: string[] = [];
      for (const receiver of [dead, healthy]) {
        const { webhookCreate } = await app.data(WebhookCreateDocument, { input: { url: receiver.url, topics: ['ORDER_PLACED'] } }, { token: admin });
        hooks.push(webhookCreate.webhook!.id);
      }
      const [variant] = await aProduct(app);
      const store = await aStore(app);
      await stock(app, store, variant, 20);
      const customers = await Promise.all(Array.from({ length: 6 }, () => aCustomer(app)));
      const started = Date.now();
      const orders = await Promise.all(customers.map((c) => aPickupOrder(app, store, c.token, variant.sku)));
      await eventually(() => orders.every((o) => healthy.about(o.id).length === 1), 10_000, 'every order at the healthy receiver');
      // Well before the dead receiver's first timeouts (4 s) free any slot.
      expect(Date.now() - started).toBeLessThan(3_500);
      expect(orders.filter((o) => dead.about(o.id).length > 0).length).toBeLessThanOrEqual(2);
      for (const id of hooks) await app.data(WebhookDeleteDocument, { id }, { token: admin });
    } finally {
      await app.close();
      await dead.close();
      await healthy.close();
    }
  });
});

describe('waking up', () => {
  it('delivers at once after a commit, with polling as good as off (LISTEN/NOTIFY)', async () => {
    const app = await dispatchingApp({ ...DISPATCHING, OUTBOX_POLL_MS: '600000' });
    const receiver = await HttpReceiver.start();
    try {
      const admin = (await anAdmin(app)).token;
      const { webhookCreate } = await app.data(WebhookCreateDocument, { input: { url: receiver.url, topics: ['ORDER_PLACED'] } }, { token: admin });
      const [variant] = await aProduct(app);
      const store = await aStore(app);
      await stock(app, store, variant, 5);
      const customer = await aCustomer(app);
      // Let the start-up cycle pass: from now on only a notification can wake the dispatcher.
      await sleep(300);
      const order = await aPickupOrder(app, store, customer.token, variant.sku);
      const placed = Date.now();
      await eventually(() => receiver.about(order.id).length, 3_000, 'a delivery woken by the commit');
      expect(Date.now() - placed).toBeLessThan(3_000);
      await app.data(WebhookDeleteDocument, { id: webhookCreate.webhook!.id }, { token: admin });
    } finally {
      await app.close();
      await receiver.close();
    }
  });
});

describe('retention', () => {
  it('prunes events past OUTBOX_RETENTION_DAYS with their deliveries, and keeps the messages', async () => {
    const app = await TestApp.start({ OUTBOX_RETENTION_DAYS: '30' });
    try {
      const [variant] = await aProduct(app);
      const store = await aStore(app);
      await stock(app, store, variant, 5);
      const customer = await aCustomer(app);
      const order = await aPickupOrder(app, store, customer.token, variant.sku);
      const sql = (text: string, params: unknown[] = []) => app.app.orm.em.fork().getConnection().execute(text, params);
      // As the dispatcher would have left it, 40 days ago: fanned out into a message and a delivery.
      await sql(`update outbox_event set dispatched_at = now() - interval '40 days' where subject_id = ?`, [order.id]);
      const [event] = await sql(`select id from outbox_event where subject_id = ?`, [order.id]);
      await sql(
        `insert into webhook (id, url, topics, secret, active, created_at) values (gen_random_uuid(), 'http://127.0.0.1:9/', '{ORDER_PLACED}', 's', false, now())`,
      );
      await sql(
        `insert into webhook_delivery (id, event_id, webhook_id, topic, status, attempts, created_at)
         select gen_random_uuid(), ?, id, 'ORDER_PLACED', 'DELIVERED', 1, now() from webhook where url = 'http://127.0.0.1:9/' limit 1`,
        [event.id],
      );
      await sql(
        `insert into notification (id, event_id, order_id, kind, channel, "to", language, status, attempts, created_at)
         values (gen_random_uuid(), ?, ?, 'ORDER_PLACED', 'SMS', '+15550100', 'en', 'SENT', 1, now())`,
        [event.id, order.id],
      );
      expect(await pruneOldEvents(systemContext(app))).toBeGreaterThanOrEqual(1);
      expect(await sql(`select id from outbox_event where id = ?`, [event.id])).toEqual([]);
      expect(await sql(`select id from webhook_delivery where event_id = ?`, [event.id])).toEqual([]);
      expect(await sql(`select event_id from notification where order_id = ? and channel = 'SMS'`, [order.id])).toEqual([{ event_id: null }]);
      // A recent event stays.
      const recent = await aPickupOrder(app, store, customer.token, variant.sku);
      await sql(`update outbox_event set dispatched_at = now() where subject_id = ?`, [recent.id]);
      await pruneOldEvents(systemContext(app));
      expect(await sql(`select id from outbox_event where subject_id = ?`, [recent.id])).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});

describe('retry delays', () => {
  it('double from the base with ±25 % jitter and stop growing at 12 hours', () => {
    expect(retryDelayMs(1, 30_000, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(2, 30_000, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(3, 30_000, () => 0)).toBe(90_000);
    expect(retryDelayMs(3, 30_000, () => 1)).toBe(150_000);
    expect(retryDelayMs(30, 30_000, () => 0.5)).toBe(12 * 3600_000);
    // The default schedule: 12 attempts span about 17 hours.
    const total = Array.from({ length: 11 }, (_, i) => retryDelayMs(i + 1, 30_000, () => 0.5)).reduce((s, d) => s + d, 0);
    expect(total / 3600_000).toBeGreaterThan(15);
    expect(total / 3600_000).toBeLessThan(24);
  });
});
