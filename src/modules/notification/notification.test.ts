import { createServer } from 'node:http';
import { dispatchingApp } from '../../../test/support/dispatching';
import type { AddressInfo } from 'node:net';
import { StaffRole } from '../../core/auth/actor';
import { loadConfig } from '../../core/config';
import { aCustomer, aGuestContact, aPickupCart, aPickupOrder, aProduct, aStaff, aStore, stock, systemContext } from '../../../test/support/fixtures';
import {
  CheckoutCompleteDocument,
  CustomerRequestPasswordResetDocument,
  CustomerResetPasswordDocument,
  OrderCancelDocument,
  OrderNotificationsDocument,
} from '../../../test/support/generated/graphql';
import { TestApp, unique } from '../../../test/support/harness';
import { eventually, sleep, SmtpReceiver } from '../../../test/support/receivers';
import { fulfilmentService } from '../order';
import { sendSms } from './notification.channels';
import { render } from './notification.templates';

const FAST = { OUTBOX_DISPATCHER_ENABLED: 'true', OUTBOX_RETRY_BASE_MS: '50', OUTBOX_POLL_MS: '250', MAIL_FROM: 'Shop <orders@shop.test>' };

let smtp: SmtpReceiver;
let t: TestApp;
beforeAll(async () => {
  smtp = await SmtpReceiver.start();
  t = await dispatchingApp({ ...FAST, SMTP_URL: smtp.url });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

async function aCustomerSpeaking(app: TestApp, language: string) {
  const customer = await aCustomer(app);
  await app.app.orm.em.fork().getConnection().execute('update customer set language = ? where id = ?', [language, customer.account.id]);
  return customer;
}

async function aStoreWithStock(app: TestApp) {
  const [variant] = await aProduct(app);
  const store = await aStore(app);
  await stock(app, store, variant, 5);
  const associate = await aStaff(app, StaffRole.ASSOCIATE, store);
  return { variant, store, associate };
}

describe('messages to the customer', () => {
  it('e-mails the confirmation and, once, the ready-for-pickup message in the customer’s language with the code and the store', async () => {
    const { variant, store, associate } = await aStoreWithStock(t);
    const customer = await aCustomerSpeaking(t, 'it');
    const order = await aPickupOrder(t, store, customer.token, variant.sku, { ready: true, readyBy: associate.token });
    const email = customer.account.email;

    const ready = await eventually(() => smtp.to(email).find((m) => m.subject?.includes('pronto per il ritiro')), 10_000, 'the ready e-mail');
    const { order: seen } = await t.data(OrderNotificationsDocument, { id: order.id }, { token: customer.token });
    expect(ready.subject).toBe(`Il tuo ordine ${seen!.number} è pronto per il ritiro`);
    expect(ready.text).toContain(order.code);
    expect(ready.text).toContain(store.name);
    expect(ready.from?.text).toContain('orders@shop.test');
    const confirmation = smtp.to(email).find((m) => m.subject === `Ordine ${seen!.number} confermato`);
    expect(confirmation?.text).toContain(order.code);

    await sleep(700);
    expect(smtp.to(email).filter((m) => m.subject?.includes('pronto per il ritiro'))).toHaveLength(1);
    expect(smtp.to(email)).toHaveLength(2);

    // The owner sees what was sent; so does staff of the store.
    const mine = await eventually(
      async () => {
        const { order: o } = await t.data(OrderNotificationsDocument, { id: order.id }, { token: customer.token });
        return o!.notifications.every((n) => n.status === 'SENT') && o!.notifications;
      },
      5_000,
      'both messages SENT',
    );
    expect(mine.map((n) => [n.kind, n.channel, n.to, n.status])).toEqual([
      ['ORDER_PLACED', 'EMAIL', email, 'SENT'],
      ['ORDER_READY_FOR_PICKUP', 'EMAIL', email, 'SENT'],
    ]);
    expect(mine[1].sentAt).toEqual(expect.any(String));
    const { order: forStaff } = await t.data(OrderNotificationsDocument, { id: order.id }, { token: associate.token });
    expect(forStaff!.notifications).toHaveLength(2);
  });

  it('reminds once before an uncollected pickup expires, and tells the customer it was cancelled', async () => {
    const { variant, store, associate } = await aStoreWithStock(t);
    const customer = await aCustomerSpeaking(t, 'pl');
    const order = await aPickupOrder(t, store, customer.token, variant.sku, { ready: true, readyBy: associate.token });
    // Due to expire within PICKUP_REMINDER_HOURS (24 by default).
    await t.app.orm.em.fork().getConnection().execute(`update orders set expires_at = now() + interval '3 hours' where id = ?`, [order.id]);
    let reminded = 0;
    for (let i = 0; i < 3; i++) reminded += await fulfilmentService.remindUncollected(systemContext(t));
    expect(reminded).toBeGreaterThanOrEqual(1);
    const reminder = await eventually(() => smtp.to(customer.account.email).find((m) => m.subject?.includes('czeka na Ciebie')), 10_000, 'the reminder');
    expect(reminder.text).toContain(order.code);
    expect(reminder.text).toMatch(/jeszcze [23] godz/);

    await t.data(OrderCancelDocument, { orderId: order.id, reason: 'test' }, { token: associate.token });
    await eventually(() => smtp.to(customer.account.email).find((m) => m.subject?.includes('anulowane')), 10_000, 'the cancellation');
    await sleep(500);
    expect(smtp.to(customer.account.email).filter((m) => m.subject?.includes('czeka na Ciebie'))).toHaveLength(1);
  });

  it('shows a customer nothing of another’s messages', async () => {
    const { variant, store } = await aStoreWithStock(t);
    const owner = await aCustomer(t);
    const other = await aCustomer(t);
    const order = await aPickupOrder(t, store, owner.token, variant.sku);
    const res = await t.gql(OrderNotificationsDocument, { id: order.id }, { token: other.token });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('account and guest messages', () => {
  it('e-mails a password reset once, in the customer’s language, with a code that resets the password once', async () => {
    const customer = await aCustomerSpeaking(t, 'ca');
    const email = customer.account.email;
    expect((await t.data(CustomerRequestPasswordResetDocument, { email })).customerRequestPasswordReset.userErrors).toEqual([]);
    const mail = await eventually(() => smtp.to(email).find((m) => m.subject === 'Restableix la contrasenya'), 10_000, 'the reset e-mail');
    const token = /minuts: (\S+)/.exec(mail.text ?? '')?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.text).toMatch(/propers (29|30) minuts/);

    const first = await t.data(CustomerResetPasswordDocument, { token: token!, password: 'a-new-long-passphrase' });
    expect(first.customerResetPassword.userErrors).toEqual([]);
    expect(first.customerResetPassword.customer!.id).toBe(customer.account.id);
    const again = await t.data(CustomerResetPasswordDocument, { token: token!, password: 'yet-another-passphrase' });
    expect(again.customerResetPassword.userErrors.map((e) => e.code)).toEqual(['INVALID_TOKEN']);

    await sleep(700);
    expect(smtp.to(email)).toHaveLength(1);
    // The token lives only in the event's private part and the message; the notification row says what was sent.
    const rows = await t.app.orm.em
      .fork()
      .getConnection()
      .execute(`select n.kind, n.channel, n.status, n.order_id from notification n where n.customer_id = ?`, [customer.account.id]);
    expect(rows).toEqual([{ kind: 'PASSWORD_RESET', channel: 'EMAIL', status: 'SENT', order_id: null }]);
  });

  it('does not e-mail an erased customer', async () => {
    const customer = await aCustomer(t);
    const conn = t.app.orm.em.fork().getConnection();
    // The customer erased their data after asking for a reset, before the message was written.
    await conn.execute(`update customer set erased_at = now() where id = ?`, [customer.account.id]);
    await conn.execute(`insert into outbox_event (id, type, subject_id, data, created_at) values (gen_random_uuid(), 'PASSWORD_RESET', ?, ?::jsonb, now())`, [
      customer.account.id,
      JSON.stringify({ customer: { id: customer.account.id }, private: { resetToken: 'x'.repeat(43), expiresAt: new Date(Date.now() + 1800_000) } }),
    ]);
    await eventually(
      async () =>
        Number((await conn.execute(`select count(*) n from outbox_event where subject_id = ? and dispatched_at is null`, [customer.account.id]))[0].n) === 0,
      10_000,
      'the event fanned out',
    );
    await sleep(300);
    expect(Number((await conn.execute(`select count(*) n from notification where customer_id = ?`, [customer.account.id]))[0].n)).toBe(0);
    expect(smtp.to(customer.account.email)).toHaveLength(0);
  });

  it('e-mails a guest’s order confirmation to the contact email of the cart', async () => {
    const { variant, store } = await aStoreWithStock(t);
    const cartId = await aPickupCart(t, store, [{ sku: variant.sku, quantity: 1 }]);
    const email = await aGuestContact(t, cartId, `${unique('guest')}@guest.test`.toLowerCase());
    const { checkoutComplete } = await t.data(CheckoutCompleteDocument, { cartId, idempotencyKey: unique('key'), paymentMethod: 'PAY_IN_STORE' });
    expect(checkoutComplete.userErrors).toEqual([]);
    const order = checkoutComplete.order!;
    const mail = await eventually(() => smtp.to(email).find((m) => m.subject?.includes('confirmed')), 10_000, 'the guest confirmation');
    expect(mail.subject).toBe(`Order ${order.number} confirmed`);
    expect(mail.text).toContain(order.fulfillment.pickupCode!);
    await sleep(500);
    expect(smtp.to(email)).toHaveLength(1);
  });
});

describe('without mail settings', () => {
  // The same instance with SMTP_URL unset: a second instance with other settings would fan out
  // concurrently with the first (instances of one deployment share their settings).
  it('records messages as SKIPPED: visible, not lost, not an error', async () => {
    const bare = t;
    const smtpUrl = t.config.outbox.smtpUrl;
    t.config.outbox.smtpUrl = undefined;
    try {
      const { variant, store, associate } = await aStoreWithStock(bare);
      const customer = await aCustomer(bare);
      const order = await aPickupOrder(bare, store, customer.token, variant.sku, { ready: true, readyBy: associate.token });
      const notes = await eventually(
        async () => {
          const { order: o } = await bare.data(OrderNotificationsDocument, { id: order.id }, { token: customer.token });
          return o!.notifications.length === 2 && o!.notifications;
        },
        10_000,
        'two messages recorded',
      );
      expect(notes.map((n) => n.status)).toEqual(['SKIPPED', 'SKIPPED']);
      expect(notes.every((n) => n.sentAt === null)).toBe(true);
    } finally {
      t.config.outbox.smtpUrl = smtpUrl;
    }
  });
});

describe('templates and SMS', () => {
  it('has every message in English, Italian, Catalan and Polish', () => {
    for (const kind of ['ORDER_PLACED', 'ORDER_READY_FOR_PICKUP', 'PICKUP_REMINDER', 'ORDER_CANCELLED', 'ORDER_EXPIRED']) {
      const texts = ['en', 'it', 'ca', 'pl'].map((lang) => render(kind, lang, { number: 'W-1', code: 'ABC234', store: 'Via Roma', hours: 5 }));
      expect(new Set(texts.map((m) => m.subject)).size).toBe(4);
      for (const m of texts) expect(m.subject).toContain('W-1');
    }
    expect(render('ORDER_READY_FOR_PICKUP', 'ca', { number: 'W-1', code: 'ABC234', store: 'Gràcia' }).text).toContain('ABC234');
    expect(render('ORDER_PLACED', 'xx', { number: 'W-1' }).subject).toBe('Order W-1 confirmed');
    const resets = ['en', 'it', 'ca', 'pl'].map((lang) => render('PASSWORD_RESET', lang, { number: '', token: 'TOKEN-123', minutes: 30 }));
    expect(new Set(resets.map((m) => m.subject)).size).toBe(4);
    for (const m of resets) expect(m.text).toMatch(/30.*TOKEN-123/);
  });

  it('sends an SMS through a Twilio-compatible API', async () => {
    const got: { url: string; auth: string; form: URLSearchParams }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push({ url: req.url!, auth: req.headers.authorization ?? '', form: new URLSearchParams(body) });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SM1"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const config = loadConfig({
        TWILIO_ACCOUNT_SID: 'AC123',
        TWILIO_AUTH_TOKEN: 'secret',
        TWILIO_FROM: '+15550001',
        TWILIO_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      }).outbox;
      const attempt = await sendSms(config, { id: 'n1', to: '+390600000', subject: 's', text: 'Pronto: ABC234' }, 2000);
      expect(attempt).toMatchObject({ ok: true, responseStatus: 201 });
      expect(got).toHaveLength(1);
      expect(got[0].url).toBe('/2010-04-01/Accounts/AC123/Messages.json');
      expect(got[0].auth).toBe(`Basic ${Buffer.from('AC123:secret').toString('base64')}`);
      expect(Object.fromEntries(got[0].form)).toEqual({ To: '+390600000', From: '+15550001', Body: 'Pronto: ABC234' });
    } finally {
      server.close();
    }
  });
});
