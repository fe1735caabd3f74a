import { tooManyAttempts } from '../../../core/auth/throttle';
import type { ServiceContext } from '../../../core/context';
import { ErrorCode, fail, ok, type Failure, type Result } from '../../../core/errors';
import type { Order } from '../order.entity';
import { countWrongPickupCode } from '../order.sql';

/** Refuses any code while the order's code is locked after too many wrong ones. */
export function pickupCodeUnlocked(order: Order, now = new Date()): Result<void> {
  const until = order.pickupCodeLockedUntil;
  if (!until || until <= now) return ok();
  return tooManyAttempts('Too many wrong pickup codes for this order.', until.getTime() - now.getTime(), ['pickupCode']);
}

/**
 * Counts a wrong code after the refused pickup has rolled back, in a statement of its own so the
 * count commits; the PICKUP_CODE_MAX_ATTEMPTS-th wrong code locks the order's code for
 * PICKUP_CODE_LOCK_MINUTES (and starts the count again). A short code cannot be guessed this way.
 */
export async function recordWrongPickupCode(ctx: ServiceContext, orderId: string): Promise<Failure> {
  const { pickupCodeMaxAttempts: max, pickupCodeLockMinutes: minutes } = ctx.config.security;
  const { failures, lockedUntil } = await countWrongPickupCode(ctx.em, orderId, max, minutes);
  if (lockedUntil && lockedUntil > new Date()) {
    return tooManyAttempts('Too many wrong pickup codes: this order\'s code is locked.', lockedUntil.getTime() - Date.now(), ['pickupCode']);
  }
  const left = max - failures;
  return fail(ErrorCode.INVALID_PICKUP_CODE, `The pickup code does not match this order (${left} more ${left === 1 ? 'try' : 'tries'} before it is locked).`, ['pickupCode']);
}
