// The reference pickup console (/console) in a real browser: Playwright drives Debian's Chromium
// against the built service. A customer orders online; the order appears live in the console,
// staff mark it ready, the customer says "I'm here" from the app and the order jumps to the top of
// the queue with their note, and staff hand it over with the customer's code, adding an item at
// the counter.
// Screenshots of each step are written to test/artifacts/console/ on every run.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { chromium, type Browser, type Page } from 'playwright-core';
import * as storefront from '../../clients/generated/storefront';
import { DEMO_STAFF_PASSWORD, demoStaffEmail } from '../../src/seed/demo-data';
import { ADMIN, cleanUp, gql, locations, ServiceProcess, staffSignIn, tmpDir } from './service-process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = join(__dirname, '..', 'artifacts', 'console');
const WAIT_MS = 15_000;

let service: ServiceProcess | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await cleanUp();
});

/** A client document over plain HTTP, typed by its generated document. */
const call = <R, V>(url: string, document: TypedDocumentNode<R, V>, variables: V, token?: string) =>
  gql<R>(url, print(document), variables as Record<string, unknown>, token);

describe('the pickup console in Chromium', () => {
  it('takes a pickup order from placed to completed, live, with an item added at the counter', async () => {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install chromium (see .ci/run).`);
      console.warn(`${CHROMIUM} is missing: the console browser test is skipped (apt-get install chromium).`);
      return;
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    service = ServiceProcess.start({ PORT: '0', LOG_LEVEL: 'info', DATA_DIR: 'memory://' }, tmpDir('console'));
    const url = await service.ready();
    const base = url.replace(/\/graphql$/, '');

    // The demo store gets known stock of what the customer orders and what is added at the counter.
    const store = (await locations(url)).find((l) => l.code === 'DOWNTOWN')!;
    const admin = await staffSignIn(url, ADMIN.email, ADMIN.password);
    for (const sku of ['DENIM-M', 'SOCKS-M']) {
      await gql(
        url,
        'mutation Stock($l: ID!, $s: String!) { inventorySet(locationId: $l, sku: $s, onHand: 10) { userErrors { code } } }',
        { l: store.id, s: sku },
        admin,
      );
    }

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console error: ${msg.text()} (${msg.location().url})`));
    const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

    // Staff sign in; the queue goes live.
    const response = await page.goto(`${base}/console`);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toContain("connect-src 'self'");
    await page.fill('#sign-in input[name=email]', 'nobody@example.com');
    await page.fill('#sign-in input[name=password]', 'wrong-password');
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#message:not([hidden])', { timeout: WAIT_MS });
    expect(await page.textContent('#message')).not.toBe('');
    await page.fill('#sign-in input[name=email]', demoStaffEmail('DOWNTOWN', 'associate'));
    await page.fill('#sign-in input[name=password]', DEMO_STAFF_PASSWORD);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#live[data-state="live"]', { timeout: WAIT_MS });
    expect(await page.textContent('#store-name')).toBe('Downtown Store');
    expect(await page.isVisible('#store-picker')).toBe(false); // an associate serves their own store only
    await shot('01-signed-in');

    // Someone else's order is already waiting (placed earlier, so first in the queue).
    const earlier = await staffOrder(url, admin, store.id);
    await page.waitForSelector(`#queue tr[data-order-number="${earlier}"]`, { timeout: WAIT_MS });

    // A customer orders online for pickup downtown, after the console is open.
    const email = `console-${Date.now()}@example.test`;
    const { customerSignUp } = await call(url, storefront.SignUpDocument, { input: { email, password: 'correct-horse-battery', name: 'Casey Console' } });
    const token = customerSignUp.token!;
    const { cartCreate } = await call(url, storefront.CreateCartDocument, { input: { lines: [{ sku: 'DENIM-M', quantity: 1 }] } }, token);
    const cartId = cartCreate.cart!.id;
    await call(url, storefront.SetFulfillmentDocument, { cartId, input: { method: 'PICKUP', locationId: store.id } }, token);
    const { checkoutComplete } = await call(
      url,
      storefront.CheckoutDocument,
      { cartId, idempotencyKey: `console-${Date.now()}`, paymentMethod: 'CARD', paymentToken: 'tok_visa' },
      token,
    );
    expect(checkoutComplete.userErrors).toEqual([]);
    const order = checkoutComplete.order!;
    const row = `#queue tr[data-order-number="${order.number}"]`;

    // It appears without a reload.
    await page.waitForSelector(row, { timeout: WAIT_MS });
    expect(await page.textContent(`${row} .status`)).toBe('Placed');
    expect(await page.textContent(row)).toContain('Casey Console');
    await shot('02-order-arrived');

    await page.click(`${row} button:text("Mark ready")`);
    await page.waitForSelector(`${row} .status:text("Ready")`, { timeout: WAIT_MS });
    await shot('03-ready');
    expect(await queueNumbers(page)).toEqual([earlier, order.number]);

    // The customer arrives and checks in from the app: the row shows it and moves to the top, live.
    const checkIn = await gql<{ orderCheckIn: { userErrors: unknown[] } }>(
      url,
      'mutation CheckIn($o: ID!, $n: String) { orderCheckIn(orderId: $o, note: $n) { userErrors { code } } }',
      { o: order.id, n: 'blue car, bay 4' },
      token,
    );
    expect(checkIn.orderCheckIn.userErrors).toEqual([]);
    await page.waitForSelector(`${row}.here .arrival:has-text("blue car, bay 4")`, { timeout: WAIT_MS });
    expect(await queueNumbers(page)).toEqual([order.number, earlier]);
    await shot('03b-checked-in');

    // A wrong code is refused and changes nothing; the right one hands the order over.
    await page.click(`${row} button:text("Hand over")`);
    await handOver(page, 'ZZZZZZ', 'SOCKS-M', 2);
    await page.waitForSelector('#message:not(.info):not([hidden])', { timeout: WAIT_MS });
    await shot('04-wrong-code');
    expect(await page.isVisible('#handover')).toBe(true);
    await handOver(page, order.fulfillment.pickupCode!.toLowerCase(), 'SOCKS-M', 2);
    await page.waitForSelector(`#done li[data-order-number="${order.number}"]`, { timeout: WAIT_MS });
    await page.waitForSelector(row, { state: 'detached', timeout: WAIT_MS });
    expect(await page.textContent('#message')).toBe(`${order.number} handed over.`);
    await shot('05-handed-over');

    // The customer's view: completed, with the counter item, paid.
    const { order: after } = await call(url, storefront.OrderDetailsDocument, { id: order.id }, token);
    expect(after!.status).toBe('COMPLETED');
    expect(after!.lines.map((l) => [l.sku, l.quantity, l.channel])).toEqual([
      ['DENIM-M', 1, 'WEB'],
      ['SOCKS-M', 2, 'POS'],
    ]);
    expect(after!.payment.status).toBe('CAPTURED');

    // The session survives a reload (sessionStorage) and ends with sign-out.
    await page.reload();
    await page.waitForSelector('#live[data-state="live"]', { timeout: WAIT_MS });
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in:not([hidden])', { timeout: WAIT_MS });
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await shot('06-signed-out');

    expect(problems).toEqual([]);
    expect((await service.stop()).code).toBe(0);
  }, 180_000);
});

/** The order numbers in the queue, top to bottom. */
const queueNumbers = (page: Page): Promise<string[]> => page.$$eval('#queue tbody tr', (rows) => rows.map((r) => r.getAttribute('data-order-number')!));

/** A pickup order at `storeId` placed by staff for a guest over HTTP (1 × DENIM-M, paid in store); its number. */
async function staffOrder(url: string, token: string, storeId: string): Promise<string> {
  const { cartCreate } = await gql<{ cartCreate: { cart: { id: string } } }>(
    url,
    'mutation { cartCreate(input: { lines: [{ sku: "DENIM-M", quantity: 1 }] }) { cart { id } } }',
    {},
    token,
  );
  const cartId = cartCreate.cart.id;
  await gql(
    url,
    'mutation F($c: ID!, $l: ID!) { cartSetFulfillment(cartId: $c, input: { method: PICKUP, locationId: $l }) { userErrors { code } } }',
    { c: cartId, l: storeId },
    token,
  );
  await gql(
    url,
    'mutation E($c: ID!, $e: String!) { cartSetContact(cartId: $c, input: { email: $e }) { userErrors { code } } }',
    { c: cartId, e: `guest-${Date.now()}@example.test` },
    token,
  );
  const { checkoutComplete } = await gql<{ checkoutComplete: { order: { number: string } | null } }>(
    url,
    'mutation C($c: ID!, $k: String!) { checkoutComplete(cartId: $c, idempotencyKey: $k, paymentMethod: PAY_IN_STORE) { order { number } userErrors { code message } } }',
    { c: cartId, k: `console-earlier-${Date.now()}` },
    token,
  );
  if (!checkoutComplete.order) throw new Error(`the earlier order was refused: ${JSON.stringify(checkoutComplete)}`);
  return checkoutComplete.order.number;
}

async function handOver(page: Page, code: string, sku: string, quantity: number): Promise<void> {
  await page.fill('#handover input[name=code]', code);
  await page.fill('#handover input[name=sku]', sku);
  await page.fill('#handover input[name=quantity]', String(quantity));
  await page.click('#handover button[type=submit]');
}
