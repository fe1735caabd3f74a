import { createHash } from 'node:crypto';
import type { Actor } from '../../core/auth/actor';
import type { ServiceContext } from '../../core/context';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { idempotencyRecord, insertIdempotencyKey } from './order.sql';

export const fingerprint = (...parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

export function checkKey(key: string): Result<void> {
  if (!key || key.length > 200) return fail(ErrorCode.INVALID_INPUT, 'An idempotency key has 1 to 200 characters.', ['idempotencyKey']);
  return ok();
}

/**
 * Whose keys a key is compared with: a customer's, a staff member's, or — for a guest, who has no
 * account — the guest cart's. Keys are chosen by clients ("order-1"), so one caller's key must
 * never answer for (or block) another caller's request.
 */
export function keyScope(actor: Actor, guestCartId?: string): string {
  switch (actor.kind) {
    case 'customer':
      return `customer:${actor.customerId}`;
    case 'staff':
      return `staff:${actor.staffId}`;
    case 'system':
      return 'system';
    case 'guest':
      return `cart:${guestCartId ?? ''}`;
  }
}

/**
 * Claims an idempotency key, within the caller's scope (see keyScope), inside the caller's
 * transaction. A concurrent retry with the same key waits on the unique index until the first
 * commits, then sees its record: so racing retries get one order; `replayOf` names the order of
 * an earlier identical request. The claim rolls back with a failed transaction, freeing the key.
 */
export async function claimKey(tx: ServiceContext, key: string, print: string, orderId: string, guestCartId?: string): Promise<Result<{ replayOf?: string }>> {
  const scope = keyScope(tx.actor, guestCartId);
  if (await insertIdempotencyKey(tx.em, scope, key, print, orderId)) return ok({});
  const existing = await idempotencyRecord(tx.em, scope, key);
  if (existing.fingerprint === print) return ok({ replayOf: existing.orderId });
  return fail(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was used for a different request.', ['idempotencyKey']);
}
