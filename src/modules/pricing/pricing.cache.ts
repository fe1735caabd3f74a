import type { EntityManager } from '@mikro-orm/postgresql';
import { Client, type ClientBase, type Notification } from 'pg';
import type { Config } from '../../core/config';
import { describeError, type Logger } from '../../core/logger';
import type { PricingRules } from './pricing.engine';
import { readRules } from './pricing.sql';

/** The channel of the triggers in the pricing migration: any change of promotions, tax rates or collections. */
const CHANNEL = 'pricing_change';
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/**
 * An instance's copy of the pricing rules. It is used only while this instance listens for the
 * database's pricing notifications (sent on COMMIT by triggers, whoever writes), so a change made
 * through any instance reaches every instance's next request; while not listening, every pricing
 * reads the rules afresh. A change that lands while the rules are being read is not lost: the
 * generation tells that the copy read is already stale.
 */
export class PricingCache {
  private rules?: PricingRules;
  private generation = 0;
  live = false;

  async get(em: EntityManager): Promise<PricingRules> {
    if (this.live && this.rules) return this.rules;
    const generation = this.generation;
    const rules = await readRules(em);
    if (this.live && generation === this.generation) this.rules = rules;
    return rules;
  }

  invalidate(): void {
    this.generation += 1;
    this.rules = undefined;
  }
}

/**
 * The caches of this process that share one database session: PGlite (the embedded database)
 * delivers a notification only on the connection whose COMMIT sent it, so whichever connection of
 * the process hears one hands it to every cache in it.
 */
const sharedSessionCaches = new Set<PricingCache>();

/**
 * Keeps a pricing cache truthful, like the session cache (src/core/auth/session-notifications.ts):
 * one dedicated connection LISTENs (reconnecting with backoff), and every pooled connection
 * LISTENs too, so a change committed through this instance is applied before its COMMIT returns.
 * On the embedded database (one PostgreSQL session) the pooled connections are the ones that hear.
 */
export class PricingChangeListener {
  private client?: Client;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  private sharedSession = false;

  constructor(
    readonly cache: PricingCache,
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  readonly onConnection = async (connection: ClientBase): Promise<void> => {
    connection.on('notification', this.heard);
    await connection.query(`listen ${CHANNEL}`);
  };

  private readonly heard = (notification: Notification): void => {
    if (notification.channel !== CHANNEL) return;
    for (const cache of this.sharedSession ? sharedSessionCaches : [this.cache]) cache.invalidate();
  };

  start(): Promise<void> {
    return this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.stop();
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.url, keepAlive: true, connectionTimeoutMillis: 5_000 });
    this.client = client;
    client.on('notification', this.heard);
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      const { rows } = await client.query<{ version: string }>('select version() as version');
      this.sharedSession = rows[0].version.includes('PGlite');
      await client.query(`listen ${CHANNEL}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.client !== client) return;
    if (this.sharedSession) sharedSessionCaches.add(this.cache);
    this.retryMs = FIRST_RETRY_MS;
    // Whatever changed while nobody listened is read again.
    this.cache.invalidate();
    this.cache.live = true;
  }

  private stop(): void {
    this.client = undefined;
    sharedSessionCaches.delete(this.cache);
    this.cache.live = false;
    this.cache.invalidate();
  }

  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return;
    this.stop();
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.log.warn('pricing cache bypassed: not listening for pricing changes; retrying', { retryInMs: this.retryMs, ...describeError(err) });
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}

/** The cache of each running service, found from its configuration (every context carries it). */
const caches = new WeakMap<Config, PricingCache>();

export function createPricingCaching(config: Config, url: string, log: Logger): PricingChangeListener {
  const cache = new PricingCache();
  caches.set(config, cache);
  return new PricingChangeListener(cache, url, log);
}

/** The service's cache; a context of no running service (a tool) gets one that never caches. */
export const pricingCacheOf = (config: Config): PricingCache => caches.get(config) ?? new PricingCache();
