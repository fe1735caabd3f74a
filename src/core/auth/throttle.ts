import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { ErrorCode, fail, type Failure, type Result } from '../errors';
import { describeError, type Logger } from '../logger';
import { addressBucket } from '../security/client-address';
import { normalizeEmail } from './credentials';
import { setHashConcurrency } from './password';

/** What a guess is about: an account's password, or a guest order's email (orderLookup). */
export type SignInKind = 'customer' | 'staff' | 'order';

/** "in 4 minutes" / "in 30 seconds": when a refused caller may try again. */
export function retryIn(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `in ${seconds} seconds`;
  return `in ${Math.ceil(seconds / 60)} minutes`;
}

export const tooManyAttempts = (what: string, ms: number, field?: string[]): Failure =>
  fail(ErrorCode.TOO_MANY_ATTEMPTS, `${what} Try again ${retryIn(ms)}.`, field);

/** The first slowed-down attempt waits this long; each further failure doubles it, up to SIGNIN_MAX_DELAY_MS. */
const FIRST_DELAY_MS = 250;

/** Outcomes that did not cost a password hash and tell nothing about an account: their point is given back. */
const FREE_SIGN_UP_FAILURES = new Set<string>([ErrorCode.INVALID_INPUT, ErrorCode.WEAK_PASSWORD, ErrorCode.NOT_FOUND, ErrorCode.CART_NOT_ACTIVE]);

/**
 * The limits on the public account mutations, counted per client address group (an IPv4
 * address, an IPv6 /64, loopback as one: see addressBucket). With REDIS_URL the counts live in
 * Redis and hold across instances.
 *
 * Sign-in never locks an account — anyone who knows an email could lock its owner out, the
 * admin included. Instead:
 * - an address is refused after SIGNIN_MAX_ATTEMPTS_PER_ADDRESS failed sign-ins in the window,
 *   and, for one account, after SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT: a guesser runs out, the owner
 *   signing in from elsewhere does not;
 * - past SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT failures from all addresses together, every sign-in to
 *   that account waits (250 ms, doubling with each failure, at most SIGNIN_MAX_DELAY_MS) before
 *   its password is checked — the right one too, so the wait does not tell a guess was right.
 *   Guessers spread over many addresses are slowed down; the owner still gets in.
 * Refusals come before the password is checked or the database is asked: they cost nothing.
 *
 * Sign-up is limited per address (SIGNUP_MAX_PER_ADDRESS per SIGNUP_WINDOW_SECONDS): it hashes
 * a password and answers EMAIL_TAKEN for a registered email, so both the work and the probing
 * of emails are bounded.
 */
export class SignInThrottle {
  private constructor(
    private readonly perAddress: RateLimiterAbstract,
    private readonly perAccountAddress: RateLimiterAbstract,
    private readonly perAccount: RateLimiterAbstract,
    private readonly signUps: RateLimiterAbstract,
    private readonly maxDelayMs: number,
    private readonly slowAfter: number,
    private readonly redis?: Redis,
  ) {}

  static create(config: Config, log: Logger): SignInThrottle {
    const { signInMaxPerAccount, signInMaxPerAddress, signInWindowSeconds, signInMaxDelayMs, signUpMaxPerAddress, signUpWindowSeconds } = config.security;
    // The hashing pool is the other half of bounding what sign-ins and sign-ups cost.
    setHashConcurrency(config.security.passwordHashConcurrency);
    const options = (keyPrefix: string, points: number, duration = signInWindowSeconds) => ({ keyPrefix, points, duration });
    // Failures per account are only counted (for the slow-down), never refused.
    const limits = [
      options('signin:address', signInMaxPerAddress),
      options('signin:account-address', signInMaxPerAccount),
      options('signin:account', Number.MAX_SAFE_INTEGER),
      options('signup:address', signUpMaxPerAddress, signUpWindowSeconds),
    ] as const;
    const build = (limiter: (o: (typeof limits)[number]) => RateLimiterAbstract, redis?: Redis) =>
      new SignInThrottle(limiter(limits[0]), limiter(limits[1]), limiter(limits[2]), limiter(limits[3]), signInMaxDelayMs, signInMaxPerAccount, redis);
    if (!config.redisUrl) return build((o) => new RateLimiterMemory(o));
    // No offline queue: while Redis is unreachable the in-memory insurance limiter answers at
    // once, so sign-in keeps working (limited per instance) instead of hanging.
    const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', (err) => log.warn('sign-in throttle: redis error', describeError(err)));
    return build((o) => new RateLimiterRedis({ storeClient: redis, ...o, insuranceLimiter: new RateLimiterMemory(o) }), redis);
  }

  /**
   * Runs one sign-in attempt unless its address is refused. Each attempt takes its points before
   * the password is checked, so parallel guesses cannot slip past the limits; a success clears
   * the address's count for the account, and any outcome but INVALID_CREDENTIALS gives them back.
   */
  async attempt<T>(kind: SignInKind, email: string, address: string | undefined, signIn: () => Promise<Result<T>>): Promise<Result<T>> {
    const account = `${kind}:${normalizeEmail(email)}`;
    const bucket = addressBucket(address);
    const pair = `${account}@${bucket}`;
    const taken = await Promise.allSettled([this.perAddress.consume(bucket), this.perAccountAddress.consume(pair)]);
    const refusals = taken.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (refusals.length) {
      const unexpected = refusals.find((r) => !(r instanceof RateLimiterRes));
      if (unexpected) throw unexpected;
      // Neither count keeps a point for an attempt that never ran.
      await Promise.all([this.perAddress.reward(bucket), this.perAccountAddress.reward(pair)]);
      const wait = Math.max(...refusals.map((r) => (r as RateLimiterRes).msBeforeNext));
      return tooManyAttempts('Too many failed sign-ins from your network.', wait);
    }
    const delay = this.delayFor((await this.perAccount.get(account))?.consumedPoints ?? 0);
    if (delay) await sleep(delay);
    const result = await signIn();
    if (result.ok) await Promise.all([this.perAccountAddress.delete(pair), this.perAddress.reward(bucket)]);
    else if (result.errors.some((e) => e.code === ErrorCode.INVALID_CREDENTIALS)) await this.perAccount.penalty(account);
    else await Promise.all([this.perAccountAddress.reward(pair), this.perAddress.reward(bucket)]);
    return result;
  }

  /** The wait before an account's next sign-in, after `failures` failed ones in the window. */
  delayFor(failures: number): number {
    if (failures < this.slowAfter || this.maxDelayMs === 0) return 0;
    return Math.min(this.maxDelayMs, FIRST_DELAY_MS * 2 ** Math.min(failures - this.slowAfter, 20));
  }

  /** Runs one sign-up unless its address has used up its sign-ups for the window. */
  async signUp<T>(address: string | undefined, signUp: () => Promise<Result<T>>): Promise<Result<T>> {
    const bucket = addressBucket(address);
    try {
      await this.signUps.consume(bucket);
    } catch (refused) {
      if (refused instanceof RateLimiterRes) return tooManyAttempts('Too many sign-ups from your network.', refused.msBeforeNext);
      throw refused;
    }
    const result = await signUp();
    if (!result.ok && result.errors.every((e) => FREE_SIGN_UP_FAILURES.has(e.code))) await this.signUps.reward(bucket);
    return result;
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis!.disconnect());
  }
}
