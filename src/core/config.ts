import { availableParallelism } from 'node:os';
import { MIN_PASSWORD_LENGTH, weakPassword } from './auth/credentials';

/**
 * Typed configuration from the environment. Every variable is read here and nowhere else, so a
 * bad value stops start-up with a message naming the variable instead of failing at first use.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export interface LoyaltyConfig {
  /** Points earned per whole currency unit paid. */
  pointsPerUnit: number;
  /** Minor units of discount one point is worth ×100 (100 points = 1.00 → 1 minor unit per point). */
  minorUnitsPerPoint: number;
  silverThreshold: number;
  goldThreshold: number;
  silverMultiplier: number;
  goldMultiplier: number;
}

/** OpenTelemetry trace export; absent when tracing is off. */
export interface TracingConfig {
  /** Full OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces. */
  endpoint: string;
  serviceName: string;
}

export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  /** PostgreSQL server URL; when absent the embedded database in `dataDir` is used. */
  databaseUrl?: string;
  /** Embedded database directory, or `memory://` to keep nothing. */
  dataDir: string;
  dbPoolMax: number;
  /** Per-connection guards on a PostgreSQL server (the embedded database cannot enforce them). */
  dbStatementTimeoutMs: number;
  dbIdleInTransactionTimeoutMs: number;
  adminEmail: string;
  adminPassword: string;
  /** Seed the demo catalog when the database is empty (off by default in production). */
  seedDemoData: boolean;
  /** The demo staff's password; the published one (README) when absent, refused in production. */
  demoStaffPassword?: string;
  currencyCode: string;
  logLevel: LogLevel;
  tokenTtlHours: number;
  /** How long an instance may answer for a token from memory; 0: every request reads its session. */
  sessionCacheSeconds: number;
  maxLineQuantity: number;
  /** PRICES_INCLUDE_TAX: prices already include tax (EU style); otherwise tax is added on top. */
  pricesIncludeTax: boolean;
  /** Keep the pricing rules in memory, kept current by LISTEN (off behind a transaction-mode pooler). */
  pricingCache: boolean;
  pickupHoldHours: number;
  /** INVENTORY_LOW when a location's available units of a variant fall to this or below (a location may set its own). */
  lowStockThreshold: number;
  /** A pickup order never readied (PLACED) is released after this many hours, so no one holds a store's stock for ever. */
  pickupPlacedHoldHours: number;
  cartAbandonAfterHours: number;
  payInStore: PayInStoreConfig;
  redisUrl?: string;
  /** Run the timed jobs (cart abandonment, pickup expiry) in this instance. */
  jobsEnabled: boolean;
  jobIntervalMs: number;
  loyalty: LoyaltyConfig;
  /** Serve the reference pickup console at /console. */
  consoleEnabled: boolean;
  /** Serve Prometheus metrics at GET /metrics. */
  metricsEnabled: boolean;
  tracing?: TracingConfig;
  /** Send each GraphQL response's SQL statement count in `x-sql-statements` (benchmarks only). */
  sqlStatsHeader: boolean;
  security: SecurityConfig;
  outbox: OutboxConfig;
}

/** Events, webhooks, customer messages and money calls delivered after commit (src/modules/outbox). */
export interface OutboxConfig {
  /** Run the dispatcher in this instance (default: JOBS_ENABLED). Any number of instances may. */
  dispatcherEnabled: boolean;
  /** Polling period when no notification wakes the dispatcher. */
  pollMs: number;
  /** Calls in flight at once per instance, over every receiver (a quarter of them at most to one receiver). */
  concurrency: number;
  webhookTimeoutMs: number;
  /** First retry delay; doubles per attempt (with jitter) up to about a day. */
  webhookRetryBaseMs: number;
  webhookMaxAttempts: number;
  /** First retry delay of messages and payment calls. */
  retryBaseMs: number;
  /** Deliver to loopback, private and link-local addresses, and over plain http (tests, private deployments). */
  webhookAllowPrivateNetworks: boolean;
  smtpUrl?: string;
  mailFrom: string;
  sms?: { accountSid: string; authToken: string; from: string; baseUrl: string };
  /** Language of messages to a customer who chose none. */
  defaultLanguage: string;
  /** Remind the customer this many hours before an uncollected pickup expires; 0: never. */
  pickupReminderHours: number;
  /** Events older than this are deleted with their webhook deliveries (messages stay); 0: kept for ever. */
  retentionDays: number;
}

export const LANGUAGES = ['en', 'it', 'ca', 'pl'] as const;

/**
 * Caps on orders paid in store, which reserve stock with no payment taken: for customers and
 * guests (staff at the counter vouch for their own orders). Past a cap the client must pay by card.
 */
export interface PayInStoreConfig {
  maxUnitsPerOrder: number;
  /** Open (PLACED or READY_FOR_PICKUP) orders still to be paid in store, per customer. */
  maxOpenOrdersPerCustomer: number;
  /** The same, per client address (IPv6 by /64), whoever places them. */
  maxOpenOrdersPerAddress: number;
}

/** Request limits, HTTP hygiene and abuse limits (see src/core/security and src/core/auth/throttle.ts). */
export interface SecurityConfig {
  /** Origins allowed by CORS; `'*'` reflects any origin (the default outside production). */
  corsOrigins: string[] | '*';
  /** Express 'trust proxy' hops: how many proxies' X-Forwarded-For entries to believe for the client address. */
  trustProxyHops: number;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
  bodyLimitKb: number;
  signInMaxPerAccount: number;
  signInMaxPerAddress: number;
  signInWindowSeconds: number;
  /** The longest wait of a sign-in to an account that many failed sign-ins aimed at (0: no wait). */
  signInMaxDelayMs: number;
  signUpMaxPerAddress: number;
  signUpWindowSeconds: number;
  /** Password hashes computed at once in a process; the others wait (src/core/auth/password.ts). */
  passwordHashConcurrency: number;
  pickupCodeMaxAttempts: number;
  pickupCodeLockMinutes: number;
  /** Open WebSocket connections allowed from one client address (per instance). */
  wsMaxConnectionsPerAddress: number;
  /** Operations running at once on one WebSocket connection (live subscriptions included). */
  wsMaxSubscriptionsPerConnection: number;
  /**
   * WebSocket operations of one client address being checked and run at once (a subscription until
   * it is set up); the rest wait their turn. 1: one address's operations are served one by one, so
   * a client opening a thousand subscriptions slows only itself.
   */
  wsMaxConcurrentOperationsPerAddress: number;
  /** Characters allowed in a String or ID input without a declared exception (src/core/security/input-policy.ts). */
  maxStringLength: number;
  /** Guests, per client address and window: new carts, and checkout attempts (src/core/security/limits.ts). */
  guestCartsPerAddress: number;
  guestCheckoutsPerAddress: number;
  guestLimitWindowSeconds: number;
  /**
   * orderByPickupCode: lookups that find nothing, per staff member and per store and window,
   * counted on every instance (Redis, else the database). Half a limit raises an alert.
   */
  pickupLookupMaxFailuresPerStaff: number;
  pickupLookupMaxFailuresPerStore: number;
  pickupLookupWindowSeconds: number;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_ADMIN_PASSWORD = 'admin';

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function int(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function decimal(env: Env, name: string, fallback: number, min: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new ConfigError(name, `must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

function origins(env: Env, name: string, fallback: string[] | '*'): string[] | '*' {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (raw === '*') return '*';
  return raw.split(',').map((origin) => {
    const value = origin.trim();
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(name, `must be * or a comma-separated list of origins like https://shop.example.com, got "${value}"`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== value) {
      throw new ConfigError(name, `must list origins only (scheme://host[:port], no path or trailing slash), got "${value}"`);
    }
    return value;
  });
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'test', 'production'], 'development');
  const adminEmail = (read(env, 'ADMIN_EMAIL') ?? 'admin@example.com').toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(adminEmail)) throw new ConfigError('ADMIN_EMAIL', 'must be an email address');
  const adminPassword = read(env, 'ADMIN_PASSWORD') ?? DEFAULT_ADMIN_PASSWORD;
  if (nodeEnv === 'production' && adminPassword === DEFAULT_ADMIN_PASSWORD) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be set to a non-default password when NODE_ENV=production');
  }
  if (nodeEnv === 'production' && !weakPassword(adminPassword).ok) {
    throw new ConfigError('ADMIN_PASSWORD', `must have at least ${MIN_PASSWORD_LENGTH} characters and not be a common password when NODE_ENV=production`);
  }
  // Demo data in production only when asked for, and never with the password the README publishes.
  const seedDemoData = bool(env, 'SEED_DEMO_DATA', nodeEnv !== 'production');
  const demoStaffPassword = read(env, 'DEMO_STAFF_PASSWORD');
  if (demoStaffPassword !== undefined && !weakPassword(demoStaffPassword).ok) {
    throw new ConfigError('DEMO_STAFF_PASSWORD', `must have at least ${MIN_PASSWORD_LENGTH} characters and not be a common password`);
  }
  if (nodeEnv === 'production' && seedDemoData && demoStaffPassword === undefined) {
    throw new ConfigError('DEMO_STAFF_PASSWORD', 'must be set when SEED_DEMO_DATA=true and NODE_ENV=production: the default demo password is published');
  }
  const currencyCode = read(env, 'CURRENCY_CODE') ?? 'USD';
  if (!/^[A-Z]{3}$/.test(currencyCode)) throw new ConfigError('CURRENCY_CODE', `must be an ISO 4217 code like USD, got "${currencyCode}"`);

  const silverThreshold = int(env, 'LOYALTY_SILVER_THRESHOLD', 1000, 1);
  const goldThreshold = int(env, 'LOYALTY_GOLD_THRESHOLD', 5000, 1);
  if (goldThreshold <= silverThreshold) {
    throw new ConfigError('LOYALTY_GOLD_THRESHOLD', `must be above LOYALTY_SILVER_THRESHOLD (${silverThreshold})`);
  }

  return {
    nodeEnv,
    port: int(env, 'PORT', 4000, 0, 65535),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: read(env, 'DATA_DIR') ?? './data',
    dbPoolMax: int(env, 'DB_POOL_MAX', 10, 1, 1000),
    dbStatementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 15_000, 0, 2_147_483_647),
    dbIdleInTransactionTimeoutMs: int(env, 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 60_000, 0, 2_147_483_647),
    adminEmail,
    adminPassword,
    seedDemoData,
    demoStaffPassword,
    currencyCode,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'warn' : 'info'),
    tokenTtlHours: int(env, 'TOKEN_TTL_HOURS', 24 * 30, 1),
    sessionCacheSeconds: int(env, 'SESSION_CACHE_SECONDS', 30, 0, 3600),
    maxLineQuantity: int(env, 'CART_MAX_LINE_QUANTITY', 999, 1, 1_000_000),
    pricesIncludeTax: bool(env, 'PRICES_INCLUDE_TAX', false),
    pricingCache: bool(env, 'PRICING_CACHE', true),
    pickupHoldHours: int(env, 'PICKUP_HOLD_HOURS', 24 * 7, 1),
    lowStockThreshold: int(env, 'LOW_STOCK_THRESHOLD', 5, 0),
    pickupPlacedHoldHours: int(env, 'PICKUP_PLACED_HOLD_HOURS', 48, 1),
    cartAbandonAfterHours: int(env, 'CART_ABANDON_AFTER_HOURS', 24 * 30, 1),
    payInStore: {
      maxUnitsPerOrder: int(env, 'PAY_IN_STORE_MAX_UNITS_PER_ORDER', 20, 1, 1_000_000),
      maxOpenOrdersPerCustomer: int(env, 'PAY_IN_STORE_MAX_OPEN_ORDERS_PER_CUSTOMER', 3, 1, 1_000_000),
      maxOpenOrdersPerAddress: int(env, 'PAY_IN_STORE_MAX_OPEN_ORDERS_PER_ADDRESS', 10, 1, 1_000_000),
    },
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    jobsEnabled: bool(env, 'JOBS_ENABLED', true),
    jobIntervalMs: int(env, 'JOB_INTERVAL_SECONDS', 60, 1, 86_400) * 1000,
    loyalty: {
      pointsPerUnit: int(env, 'LOYALTY_POINTS_PER_UNIT', 1, 0, 1000),
      minorUnitsPerPoint: decimal(env, 'LOYALTY_MINOR_UNITS_PER_POINT', 1, 0),
      silverThreshold,
      goldThreshold,
      silverMultiplier: decimal(env, 'LOYALTY_SILVER_MULTIPLIER', 1.25, 1),
      goldMultiplier: decimal(env, 'LOYALTY_GOLD_MULTIPLIER', 1.5, 1),
    },
    consoleEnabled: bool(env, 'CONSOLE_ENABLED', true),
    metricsEnabled: bool(env, 'METRICS_ENABLED', true),
    tracing: tracingConfig(env),
    security: {
      // Production allows no browser origin until one is listed; development and tests any.
      corsOrigins: origins(env, 'CORS_ORIGINS', nodeEnv === 'production' ? [] : '*'),
      trustProxyHops: int(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
      maxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 10, 2, 100),
      maxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 15, 0, 1000),
      maxTokens: int(env, 'GRAPHQL_MAX_TOKENS', 1000, 50, 100_000),
      maxDirectives: int(env, 'GRAPHQL_MAX_DIRECTIVES', 10, 0, 1000),
      maxCost: int(env, 'GRAPHQL_MAX_COST', 10_000, 10, 10_000_000),
      bodyLimitKb: int(env, 'HTTP_BODY_LIMIT_KB', 100, 1, 100_000),
      signInMaxPerAccount: int(env, 'SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT', 5, 1, 1000),
      signInMaxPerAddress: int(env, 'SIGNIN_MAX_ATTEMPTS_PER_ADDRESS', 50, 1, 100_000),
      signInWindowSeconds: int(env, 'SIGNIN_WINDOW_SECONDS', 900, 1, 86_400),
      signInMaxDelayMs: int(env, 'SIGNIN_MAX_DELAY_MS', 2000, 0, 60_000),
      // Development and tests sign many accounts up from one machine.
      signUpMaxPerAddress: int(env, 'SIGNUP_MAX_PER_ADDRESS', nodeEnv === 'production' ? 10 : 1000, 1, 1_000_000),
      signUpWindowSeconds: int(env, 'SIGNUP_WINDOW_SECONDS', 3600, 1, 86_400),
      // One core is left to the event loop: hashing on every core starves all other requests.
      passwordHashConcurrency: int(env, 'PASSWORD_HASH_CONCURRENCY', Math.max(1, Math.min(2, availableParallelism() - 1)), 1, 64),
      pickupCodeMaxAttempts: int(env, 'PICKUP_CODE_MAX_ATTEMPTS', 5, 1, 100),
      pickupCodeLockMinutes: int(env, 'PICKUP_CODE_LOCK_MINUTES', 15, 1, 1440),
      wsMaxConnectionsPerAddress: int(env, 'WS_MAX_CONNECTIONS_PER_ADDRESS', 50, 1, 100_000),
      wsMaxSubscriptionsPerConnection: int(env, 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 20, 1, 10_000),
      wsMaxConcurrentOperationsPerAddress: int(env, 'WS_MAX_CONCURRENT_OPERATIONS_PER_ADDRESS', 1, 1, 1000),
      maxStringLength: int(env, 'GRAPHQL_MAX_STRING_LENGTH', 1000, 10, 1_000_000),
      guestCartsPerAddress: int(env, 'GUEST_CARTS_PER_ADDRESS', 60, 1, 1_000_000),
      guestCheckoutsPerAddress: int(env, 'GUEST_CHECKOUTS_PER_ADDRESS', 30, 1, 1_000_000),
      guestLimitWindowSeconds: int(env, 'GUEST_LIMIT_WINDOW_SECONDS', 600, 1, 86_400),
      pickupLookupMaxFailuresPerStaff: int(env, 'PICKUP_LOOKUP_MAX_FAILURES_PER_STAFF', 20, 1, 1_000_000),
      pickupLookupMaxFailuresPerStore: int(env, 'PICKUP_LOOKUP_MAX_FAILURES_PER_STORE', 60, 1, 1_000_000),
      pickupLookupWindowSeconds: int(env, 'PICKUP_LOOKUP_WINDOW_SECONDS', 900, 1, 86_400),
    },
    sqlStatsHeader: bool(env, 'SQL_STATS_HEADER', false),
    outbox: outboxConfig(env),
  };
}

function outboxConfig(env: Env): OutboxConfig {
  const sid = read(env, 'TWILIO_ACCOUNT_SID');
  const token = read(env, 'TWILIO_AUTH_TOKEN');
  const from = read(env, 'TWILIO_FROM');
  if ((sid || token || from) && !(sid && token && from)) {
    throw new ConfigError(sid ? (token ? 'TWILIO_FROM' : 'TWILIO_AUTH_TOKEN') : 'TWILIO_ACCOUNT_SID', 'must be set with the other TWILIO_ variables');
  }
  return {
    dispatcherEnabled: bool(env, 'OUTBOX_DISPATCHER_ENABLED', bool(env, 'JOBS_ENABLED', true)),
    pollMs: int(env, 'OUTBOX_POLL_MS', 5_000, 50, 3_600_000),
    concurrency: int(env, 'OUTBOX_CONCURRENCY', 32, 1, 1000),
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 300_000),
    webhookRetryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 30_000, 1, 3_600_000),
    webhookMaxAttempts: int(env, 'WEBHOOK_MAX_ATTEMPTS', 12, 1, 100),
    retryBaseMs: int(env, 'OUTBOX_RETRY_BASE_MS', int(env, 'WEBHOOK_RETRY_BASE_MS', 30_000, 1, 3_600_000), 1, 3_600_000),
    webhookAllowPrivateNetworks: bool(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: read(env, 'MAIL_FROM') ?? 'orders@example.com',
    sms:
      sid && token && from
        ? {
            accountSid: sid,
            authToken: token,
            from,
            baseUrl: (url(env, 'TWILIO_BASE_URL', ['http:', 'https:']) ?? 'https://api.twilio.com').replace(/\/+$/, ''),
          }
        : undefined,
    defaultLanguage: oneOf(env, 'DEFAULT_LANGUAGE', LANGUAGES, 'en'),
    pickupReminderHours: int(env, 'PICKUP_REMINDER_HOURS', 24, 0, 24 * 30),
    retentionDays: int(env, 'OUTBOX_RETENTION_DAYS', 30, 0, 36_500),
  };
}

/**
 * OpenTelemetry's own variables: tracing is on when an OTLP endpoint is given (the traces URL,
 * or the base URL to which /v1/traces is added), unless OTEL_SDK_DISABLED is true.
 */
function tracingConfig(env: Env): TracingConfig | undefined {
  const tracesUrl = url(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:']);
  const baseUrl = url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  const serviceName = read(env, 'OTEL_SERVICE_NAME') ?? 'omnichannel-commerce';
  if (bool(env, 'OTEL_SDK_DISABLED', false)) return undefined;
  const endpoint = tracesUrl ?? (baseUrl ? `${baseUrl.replace(/\/+$/, '')}/v1/traces` : undefined);
  return endpoint ? { endpoint, serviceName } : undefined;
}
