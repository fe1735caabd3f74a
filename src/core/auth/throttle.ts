import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { ErrorCode, fail, type Failure, type Result } from '../errors';
import { describeError, type Logger } from '../logger';
import { normalizeEmail } from './credentials';

export type SignInKind = 'customer' | 'staff';

/** "in 4 minutes" / "in 30 seconds": when a refused caller may try again. */
export function retryIn(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `in ${seconds} seconds`;
  return `in ${Math.ceil(seconds / 60)} minutes`;
}

export const tooManyAttempts = (what: string, ms: number, field?: string[]): Failure =>
  fail(ErrorCode.TOO_MANY_ATTEMPTS, `${what} Try again ${retryIn(ms)}.`, field);

/**
 * Failed sign-ins counted per account and per client address over a window. Once either count
 * reaches its limit, sign-ins for that account (or from that address) are refused until the
 * window has passed — before the password is checked or the database is asked, so a guessing
 * client costs nothing. Successful sign-ins do not count. With REDIS_URL the counts live in Redis and hold across instances.
 */
export class SignInThrottle {
  private constructor(
    private readonly perAccount: RateLimiterAbstract,
    private readonly perAddress: RateLimiterAbstract,
    private readonly redis?: Redis,
  ) {}

  static create(config: Config, log: Logger): SignInThrottle {
    const { signInMaxPerAccount, signInMaxPerAddress, signInWindowSeconds } = config.security;
    const options = (keyPrefix: string, points: number) => ({ keyPrefix, points, duration: signInWindowSeconds });
    if (!config.redisUrl) {
      return new SignInThrottle(new RateLimiterMemory(options('signin:account', signInMaxPerAccount)), new RateLimiterMemory(options('signin:address', signInMaxPerAddress)));
    }
    // No offline queue: while Redis is unreachable the in-memory insurance limiter answers at
    // once, so sign-in keeps working (limited per instance) instead of hanging.
    const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', (err) => log.warn('sign-in throttle: redis error', describeError(err)));
    const limiter = (keyPrefix: string, points: number) =>
      new RateLimiterRedis({ storeClient: redis, ...options(keyPrefix, points), insuranceLimiter: new RateLimiterMemory(options(keyPrefix, points)) });
    return new SignInThrottle(limiter('signin:account', signInMaxPerAccount), limiter('signin:address', signInMaxPerAddress), redis);
  }

  /**
   * Runs one sign-in attempt unless the account or address is locked out. Each attempt takes its
   * point before the password is checked, so parallel guesses cannot slip past the limit; a
   * success clears the account's count, and any outcome but INVALID_CREDENTIALS gives it back.
   */
  async attempt<T>(kind: SignInKind, email: string, address: string | undefined, signIn: () => Promise<Result<T>>): Promise<Result<T>> {
    const account = `${kind}:${normalizeEmail(email)}`;
    const addressKey = address ?? 'unknown';
    try {
      await Promise.all([this.perAccount.consume(account), this.perAddress.consume(addressKey)]);
    } catch (refused) {
      if (refused instanceof RateLimiterRes) return tooManyAttempts('Too many failed sign-ins.', refused.msBeforeNext);
      throw refused;
    }
    const result = await signIn();
    if (result.ok) await Promise.all([this.perAccount.delete(account), this.perAddress.reward(addressKey)]);
    else if (!result.errors.some((e) => e.code === ErrorCode.INVALID_CREDENTIALS)) {
      await Promise.all([this.perAccount.reward(account), this.perAddress.reward(addressKey)]);
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis!.disconnect());
  }
}
