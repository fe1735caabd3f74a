import { print } from 'graphql';
import { aCustomer, anAdmin, aProduct, aStore, sqlNumber, systemContext } from '../../test/support/fixtures';
import { CustomerSignUpDocument, InventorySetDocument, LocationsDocument, MeDocument, StaffMeDocument } from '../../test/support/generated/graphql';
import { TestApp, errorCodes, unique } from '../../test/support/harness';
import { SessionSubject } from './auth/session.entity';
import { issueToken } from './auth/sessions';
import { Channel } from './channel';
import { ConfigError, loadConfig } from './config';

let t: TestApp;
beforeAll(async () => {
  t = await TestApp.start();
});
afterAll(() => t.close());

const healthz = (app: TestApp) => fetch(new URL('/healthz', app.url));

describe('authentication', () => {
  it.each([
    ['a scheme other than Bearer', 'Basic dXNlcjpwYXNz'],
    ['Bearer without a token', 'Bearer'],
    ['a token of the wrong shape', 'Bearer not-a-token'],
    ['a token one character short', `Bearer cst_${'a'.repeat(42)}`],
    ['a token with an unknown prefix', `Bearer abc_${'a'.repeat(43)}`],
  ])('answers %s with HTTP 401 UNAUTHENTICATED, not as a guest', async (_case, authorization) => {
    const res = await t.post({ query: print(MeDocument) }, { headers: { authorization } });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    expect(body.data ?? null).toBeNull();
  });

  it.each(['cst', 'stf'])('refuses a well-shaped %s_ token that was never issued', async (prefix) => {
    const res = await t.gql(MeDocument, {}, { token: `${prefix}_${'Ab0_-'.repeat(8)}xyz` });
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['expired', `update session set expires_at = now() - interval '1 second' where subject_id = ?`],
    ['revoked', `update session set revoked_at = now() where subject_id = ?`],
  ])('refuses a token whose session was %s', async (_case, update) => {
    const customer = await aCustomer(t);
    const ctx = systemContext(t);
    const token = await issueToken(ctx.em, SessionSubject.CUSTOMER, customer.account.id, Channel.APP, 1);
    await ctx.em.flush();
    expect((await t.data(MeDocument, {}, { token })).me!.id).toBe(customer.account.id);

    await t.app.orm.em.fork().getConnection().execute(update, [customer.account.id]);
    for (const session of [token, customer.token]) {
      const res = await t.gql(MeDocument, {}, { token: session });
      expect(res.status).toBe(401);
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('resolves a staff token to the staff member, not to a customer', async () => {
    const admin = await anAdmin(t);
    expect((await t.data(StaffMeDocument, {}, { token: admin.token })).staffMe!.id).toBe(admin.account.id);
    expect((await t.data(MeDocument, {}, { token: admin.token })).me).toBeNull();
  });
});

describe('x-channel', () => {
  it.each(['FAX', 'web,app', 'STORE'])('refuses x-channel: %s with HTTP 400 BAD_REQUEST', async (channel) => {
    const res = await t.post({ query: print(MeDocument) }, { headers: { 'x-channel': channel } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['BAD_REQUEST']);
  });

  it('accepts a channel in any letter case and records it', async () => {
    const email = `${unique('chan').toLowerCase()}@shop.test`;
    const { customerSignUp } = await t.data(CustomerSignUpDocument, { input: { email, password: 'channel-password' } }, { headers: { 'x-channel': ' app ' } });
    expect(await sqlNumber(t, `select count(*) n from session where subject_id = ? and channel = 'APP'`, [customerSignUp.customer!.id])).toBe(1);
  });

  it('is always POS for a staff token, whatever the header says', async () => {
    const admin = await anAdmin(t);
    const store = await aStore(t);
    const [variant] = await aProduct(t);
    await t.data(InventorySetDocument, { locationId: store.id, sku: variant.sku, onHand: 2 }, { token: admin.token, channel: 'WEB' });
    expect(await sqlNumber(t, `select count(*) n from inventory_movement where variant_id = ? and channel = 'POS'`, [variant.id])).toBe(1);
  });
});

describe('health and unexpected errors', () => {
  it('answers GET /healthz with 200 while the database is reachable', async () => {
    const res = await healthz(t);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('masks unexpected errors behind a request id and reports 503 from /healthz when the database is gone', async () => {
    const t2 = await TestApp.start();
    try {
      expect((await t2.data(LocationsDocument, {})).locations).toEqual(expect.any(Array));
      await t2.app.orm.close();

      const res = await t2.post({ query: print(LocationsDocument) });
      const text = await res.text();
      const body = JSON.parse(text) as { data: unknown; errors: { message: string; path?: string[]; extensions: Record<string, unknown> }[] };
      expect(body.errors).toEqual([
        { message: 'Internal server error', path: ['locations'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) } },
      ]);
      // The id in the error is the one in the response header (and in the log line), so support can find it.
      expect(body.errors[0].extensions.requestId).toBe(res.headers.get('x-request-id'));
      for (const leak of [/select/i, /sql/i, /stack/i, /knex/i, /pool/i, /"location"/, /\bfrom\b/i, /\.ts\b/]) expect(text).not.toMatch(leak);

      // A failure while resolving the caller's token is masked the same way.
      const withToken = await t2.post({ query: print(MeDocument) }, { token: `cst_${'a'.repeat(43)}`, headers: { 'x-request-id': 'support-ticket-42' } });
      const withTokenText = await withToken.text();
      expect(JSON.parse(withTokenText).errors).toEqual([
        { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'support-ticket-42' } },
      ]);
      expect(withTokenText).not.toMatch(/select|session|token_hash/i);

      const health = await healthz(t2);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'unavailable' });
    } finally {
      await t2.close();
    }
    expect(t2.app.httpServer.listening).toBe(false);
  });
});

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 4000,
      dataDir: './data',
      dbPoolMax: 10,
      dbStatementTimeoutMs: 15_000,
      dbIdleInTransactionTimeoutMs: 60_000,
      adminEmail: 'admin@example.com',
      adminPassword: 'admin',
      seedDemoData: true,
      currencyCode: 'USD',
      logLevel: 'info',
      tokenTtlHours: 720,
      maxLineQuantity: 999,
      pickupHoldHours: 168,
      cartAbandonAfterHours: 720,
      loyalty: { pointsPerUnit: 1, minorUnitsPerPoint: 1, silverThreshold: 1000, goldThreshold: 5000, silverMultiplier: 1.25, goldMultiplier: 1.5 },
    });
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('warn');
    // Blank values count as unset.
    expect(loadConfig({ PORT: '  ', DATABASE_URL: '' })).toMatchObject({ port: 4000, databaseUrl: undefined });
  });

  it('reads the values given', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://app@db:5432/shop',
      DB_POOL_MAX: '25',
      LOG_LEVEL: 'debug',
      CURRENCY_CODE: 'EUR',
      ADMIN_EMAIL: 'Boss@Shop.TEST',
      SEED_DEMO_DATA: 'no',
      PICKUP_HOLD_HOURS: '48',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgresql://app@db:5432/shop',
      dbPoolMax: 25,
      logLevel: 'debug',
      currencyCode: 'EUR',
      adminEmail: 'boss@shop.test',
      seedDemoData: false,
      pickupHoldHours: 48,
    });
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['DB_POOL_MAX', '0'],
    ['DB_POOL_MAX', '1001'],
    ['DB_POOL_MAX', 'ten'],
    ['DB_STATEMENT_TIMEOUT_MS', '-1'],
    ['DB_STATEMENT_TIMEOUT_MS', '1.5s'],
    ['DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 'never'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://db/shop'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_LEVEL', 'INFO'],
    ['CURRENCY_CODE', 'usd'],
    ['CURRENCY_CODE', 'EURO'],
    ['NODE_ENV', 'staging'],
    ['SEED_DEMO_DATA', 'maybe'],
    ['REDIS_URL', 'http://cache:6379'],
    ['LOYALTY_GOLD_THRESHOLD', '500'],
    ['SMTP_URL', 'http://mail:25'],
    ['DEFAULT_LANGUAGE', 'de'],
    ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'sometimes'],
    ['WEBHOOK_TIMEOUT_MS', '0'],
  ])('refuses %s=%s with a ConfigError naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });

  it.each([
    ['unset', {}],
    ['set to the default', { ADMIN_PASSWORD: 'admin' }],
    ['blank', { ADMIN_PASSWORD: '   ' }],
  ])('refuses to run in production with ADMIN_PASSWORD %s', (_case, env: Record<string, string>) => {
    expect(() => loadConfig({ NODE_ENV: 'production', ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', ...env })).toThrow(/ADMIN_PASSWORD/);
  });

  it('has the outbox defaults and reads its settings', () => {
    expect(loadConfig({}).outbox).toEqual({
      dispatcherEnabled: true,
      pollMs: 5_000,
      concurrency: 32,
      webhookTimeoutMs: 10_000,
      webhookRetryBaseMs: 30_000,
      webhookMaxAttempts: 12,
      retryBaseMs: 30_000,
      webhookAllowPrivateNetworks: false,
      smtpUrl: undefined,
      mailFrom: 'orders@example.com',
      sms: undefined,
      defaultLanguage: 'en',
      pickupReminderHours: 24,
      retentionDays: 30,
    });
    // The dispatcher follows JOBS_ENABLED unless told otherwise.
    expect(loadConfig({ JOBS_ENABLED: 'false' }).outbox.dispatcherEnabled).toBe(false);
    expect(loadConfig({ JOBS_ENABLED: 'false', OUTBOX_DISPATCHER_ENABLED: 'true' }).outbox.dispatcherEnabled).toBe(true);
    expect(loadConfig({ WEBHOOK_RETRY_BASE_MS: '100' }).outbox.retryBaseMs).toBe(100);
    // SMS settings come all together: the error names one that is missing.
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: 'AC1' })).toThrow(/TWILIO_AUTH_TOKEN/);
    expect(loadConfig({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+1555', TWILIO_BASE_URL: 'http://sms.test/' }).outbox.sms).toEqual({
      accountSid: 'AC1',
      authToken: 't',
      from: '+1555',
      baseUrl: 'http://sms.test',
    });
  });

  it('runs in production with a chosen ADMIN_PASSWORD', () => {
    expect(loadConfig({ NODE_ENV: 'production', ADMIN_PASSWORD: 'a-long-secret' })).toMatchObject({ nodeEnv: 'production', adminPassword: 'a-long-secret' });
  });
});
