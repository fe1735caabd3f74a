import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

/**
 * At most a few scrypt computations run at once; the others wait their turn. Each takes ~16 MB
 * and tens of milliseconds of a core: unbounded, a burst of sign-ups fills libuv's thread pool and
 * both cores, and every other request (sign-ins included) waits behind it. Checking a password
 * (signing in) goes before hashing a new one (signing up, creating staff): a flood of sign-ups
 * cannot hold back the people already registered.
 */
class HashingPool {
  private running = 0;
  private readonly waiting: { first: (() => void)[]; later: (() => void)[] } = { first: [], later: [] };

  constructor(private limit: number) {}

  setLimit(limit: number): void {
    this.limit = limit;
    this.next();
  }

  async run<T>(priority: 'first' | 'later', work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting[priority].push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.next();
    }
  }

  /** Hands freed places to waiting work, sign-ins first. */
  private next(): void {
    while (this.running < this.limit) {
      const wake = this.waiting.first.shift() ?? this.waiting.later.shift();
      if (!wake) return;
      this.running++;
      wake();
    }
  }
}

export const DEFAULT_HASH_CONCURRENCY = 2;
const pool = new HashingPool(DEFAULT_HASH_CONCURRENCY);

/** How many password hashes may be computed at once in this process (PASSWORD_HASH_CONCURRENCY). */
export const setHashConcurrency = (limit: number): void => pool.setLimit(limit);

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

/** `scrypt$N$r$p$salt$hash`: parameters travel with the hash, so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await pool.run('later', () => scrypt(password, salt, KEY_LENGTH, PARAMS));
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await pool.run('first', () => scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) }));
  return timingSafeEqual(key, expected);
}

// Verified against when the account does not exist, so the response time does not reveal
// which emails are registered.
let decoy: Promise<string> | undefined;
export const decoyHash = () => (decoy ??= hashPassword(randomBytes(16).toString('hex')));
