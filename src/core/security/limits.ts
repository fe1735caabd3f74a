import type { EntityManager } from '@mikro-orm/postgresql';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { tooManyAttempts } from '../auth/throttle';
import type { Config } from '../config';
import type { Failure } from '../errors';
import { describeError, type Logger } from '../logger';
import { addressBucket } from './client-address';

/** Per-address limits on what a guest may start: carts and checkout attempts. */
export type AddressLimit = 'guestCart' | 'guestCheckout';

/** A count of failures under one key in its current window. */
export interface FailureWindow {
  count: number;
  msLeft: number;
}

/**
 * Failures counted per key over a fixed window, shared by every instance: in Redis with
 * REDIS_URL, else in the database (table failure_count), so that several instances without Redis
 * still count together. Each call is one round trip whatever the number of keys.
 */
export interface FailureCounter {
  /** Counts one more under each key; returns the counts after it, in the same order. */
  add(em: EntityManager, keys: string[], windowSeconds: number): Promise<FailureWindow[]>;
  /** Takes one back under each key (the attempt turned out well). */
  remove(em: EntityManager, keys: string[]): Promise<void>;
}

/** Kinds of abnormal traffic worth a person's attention: a metric counter and a warn line each. */
export type SecurityAlert = 'pickup_code_guessing';

/**
 * The abuse limits of one instance: per-address rate limits (Redis when REDIS_URL, memory
 * otherwise, as the sign-in throttle) and the shared failure counter. Refusals come before any
 * SQL of the request they refuse.
 */
export class AbuseLimits {
  private readonly alertListeners: ((alert: SecurityAlert) => void)[] = [];

  private constructor(
    private readonly perAddress: Record<AddressLimit, RateLimiterAbstract>,
    readonly failures: FailureCounter,
    private readonly log: Logger,
    private readonly redis?: Redis,
  ) {}

  static create(config: Config, log: Logger): AbuseLimits {
    const { guestCartsPerAddress, guestCheckoutsPerAddress, guestLimitWindowSeconds: duration } = config.security;
    const options = (keyPrefix: string, points: number) => ({ keyPrefix, points, duration });
    if (!config.redisUrl) {
      return new AbuseLimits(
        {
          guestCart: new RateLimiterMemory(options('guest:cart', guestCartsPerAddress)),
          guestCheckout: new RateLimiterMemory(options('guest:checkout', guestCheckoutsPerAddress)),
        },
        databaseFailureCounter,
        log,
      );
    }
    // As the sign-in throttle: no offline queue, an in-memory insurance limiter while Redis is away.
    const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', (err) => log.warn('abuse limits: redis error', describeError(err)));
    const limiter = (keyPrefix: string, points: number) =>
      new RateLimiterRedis({ storeClient: redis, ...options(keyPrefix, points), insuranceLimiter: new RateLimiterMemory(options(keyPrefix, points)) });
    return new AbuseLimits(
      { guestCart: limiter('guest:cart', guestCartsPerAddress), guestCheckout: limiter('guest:checkout', guestCheckoutsPerAddress) },
      redisFailureCounter(redis, log),
      log,
      redis,
    );
  }

  /**
   * Waits (a little) for Redis, so the first requests count in Redis rather than in the
   * instance's insurance limiter; an unreachable Redis delays the start by `timeoutMs` at most.
   */
  async connected(timeoutMs = 2000): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ready) this.log.warn('abuse limits: redis not ready, counting in this instance until it is');
  }

  /** Takes one of the address's points for `limit`; TOO_MANY_ATTEMPTS once they are spent for the window. */
  async take(limit: AddressLimit, address: string | undefined): Promise<Failure | undefined> {
    try {
      await this.perAddress[limit].consume(addressBucket(address));
      return undefined;
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      const what = limit === 'guestCart' ? 'Too many new carts from your network.' : 'Too many checkout attempts from your network.';
      return tooManyAttempts(what, refused.msBeforeNext);
    }
  }

  /** Raises an alert: one warn line here, and whatever listens (the metrics counter). */
  alert(alert: SecurityAlert, details: Record<string, unknown>): void {
    this.log.warn('security alert', { alert, ...details });
    for (const listener of this.alertListeners) listener(alert);
  }

  onAlert(listener: (alert: SecurityAlert) => void): void {
    this.alertListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis!.disconnect());
  }
}

/** One upsert for every key: a key whose window has passed starts again at 1. */
const databaseFailureCounter: FailureCounter = {
  async add(em, keys, windowSeconds) {
    const rows = await em.getConnection().execute<{ key: string; count: number; ms_left: string | number }[]>(
      `insert into failure_count (key, count, window_ends_at)
       values ${keys.map(() => `(?, 1, now() + make_interval(secs => ?))`).join(', ')}
       on conflict (key) do update set
         count = case when failure_count.window_ends_at <= now() then 1 else failure_count.count + 1 end,
         window_ends_at = case when failure_count.window_ends_at <= now() then excluded.window_ends_at else failure_count.window_ends_at end
       returning key, count, greatest(0, extract(epoch from (window_ends_at - now())) * 1000) ms_left`,
      keys.flatMap((key) => [key, windowSeconds]),
    );
    const byKey = new Map(rows.map((r) => [r.key, { count: Number(r.count), msLeft: Number(r.ms_left) }]));
    return keys.map((key) => byKey.get(key)!);
  },
  async remove(em, keys) {
    await em
      .getConnection()
      .execute(`update failure_count set count = count - 1 where key in (${keys.map(() => '?').join(', ')}) and count > 0 and window_ends_at > now()`, keys);
  },
};

/** Counts in this instance only: what the Redis counter falls back to while Redis is unreachable. */
function memoryFailureCounter(): FailureCounter {
  const windows = new Map<string, { count: number; endsAt: number }>();
  return {
    async add(_em, keys, windowSeconds) {
      const now = Date.now();
      return keys.map((key) => {
        let window = windows.get(key);
        if (!window || window.endsAt <= now) windows.set(key, (window = { count: 0, endsAt: now + windowSeconds * 1000 }));
        window.count += 1;
        return { count: window.count, msLeft: window.endsAt - now };
      });
    },
    async remove(_em, keys) {
      for (const key of keys) {
        const window = windows.get(key);
        if (window && window.count > 0) window.count -= 1;
      }
    },
  };
}

// The window starts with the first failure; a key that has expired is not brought back by a decrement.
const ADD = `local out = {} for i, k in ipairs(KEYS) do redis.call('set', k, 0, 'EX', ARGV[1], 'NX') out[i * 2 - 1] = redis.call('incr', k) out[i * 2] = redis.call('pttl', k) end return out`;
const REMOVE = `for _, k in ipairs(KEYS) do if redis.call('exists', k) == 1 then redis.call('decr', k) end end return 0`;

/** One script per call in Redis; while Redis is unreachable, this instance counts alone (and says so). */
function redisFailureCounter(redis: Redis, log: Logger): FailureCounter {
  const fallback = memoryFailureCounter();
  const named = (keys: string[]) => keys.map((k) => `failures:${k}`);
  return {
    async add(em, keys, windowSeconds) {
      try {
        const out = (await redis.eval(ADD, keys.length, ...named(keys), windowSeconds)) as number[];
        return keys.map((_, i) => ({ count: Number(out[i * 2]), msLeft: Math.max(0, Number(out[i * 2 + 1])) }));
      } catch (err) {
        log.warn('failure counter: redis unavailable, counting in this instance', describeError(err));
        return fallback.add(em, keys, windowSeconds);
      }
    },
    async remove(em, keys) {
      try {
        await redis.eval(REMOVE, keys.length, ...named(keys));
      } catch {
        await fallback.remove(em, keys);
      }
    },
  };
}
