import type { StaffActor } from '../../../core/auth/actor';
import { retryIn, tooManyAttempts } from '../../../core/auth/throttle';
import type { RequestContext, ServiceContext } from '../../../core/context';
import { ErrorCode, fail, ok, tooManyRequests, type Failure, type Result } from '../../../core/errors';
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
    return tooManyAttempts("Too many wrong pickup codes: this order's code is locked.", lockedUntil.getTime() - Date.now(), ['pickupCode']);
  }
  const left = max - failures;
  return fail(ErrorCode.INVALID_PICKUP_CODE, `The pickup code does not match this order (${left} more ${left === 1 ? 'try' : 'tries'} before it is locked).`, [
    'pickupCode',
  ]);
}

/**
 * orderByPickupCode, limited so that codes cannot be guessed: every lookup takes a point from the
 * staff member's and the store's counts of failed lookups before it runs, and a lookup that finds
 * its order gives them back. Parallel lookups (aliases in one query, or many requests) each take
 * theirs first, so none slips past the limit; the counts live in Redis or the database, so they
 * hold across instances. Half a limit, and the first refusal, raise an alert.
 */
export async function limitedPickupLookup(
  ctx: RequestContext,
  staff: StaffActor,
  locationId: string,
  find: () => Promise<Order | null>,
): Promise<Order | null> {
  const { pickupLookupMaxFailuresPerStaff: perStaff, pickupLookupMaxFailuresPerStore: perStore, pickupLookupWindowSeconds: window } = ctx.config.security;
  const keys = [`pickup-lookup:staff:${staff.staffId}`, `pickup-lookup:store:${locationId}`];
  const [byStaff, byStore] = await ctx.limits.failures.add(ctx.em, keys, window);
  const alertAt = (limit: number) => [Math.ceil(limit / 2), limit + 1];
  if (alertAt(perStaff).includes(byStaff.count) || alertAt(perStore).includes(byStore.count)) {
    ctx.limits.alert('pickup_code_guessing', {
      staffId: staff.staffId,
      locationId,
      failuresByStaff: byStaff.count,
      failuresAtStore: byStore.count,
      windowSeconds: window,
      requestId: ctx.requestId,
    });
  }
  if (byStaff.count > perStaff || byStore.count > perStore) {
    const ms = Math.max(byStaff.count > perStaff ? byStaff.msLeft : 0, byStore.count > perStore ? byStore.msLeft : 0);
    throw tooManyRequests(
      `Too many pickup codes that match no order ${byStaff.count > perStaff ? 'from you' : 'at this store'}. Try again ${retryIn(ms)}.`,
      ms,
    );
  }
  const order = await find();
  if (order) await ctx.limits.failures.remove(ctx.em, keys);
  return order;
}
