import { createHash } from 'node:crypto';
import type { Actor } from '../../core/auth/actor';
import type { TxContext } from '../../core/context';
import { ErrorCode, fail, type Failure } from '../../core/errors';

export const fingerprint = (...parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

export function checkKey(key: string): Failure | undefined {
  if (!key || key.length > 200) return fail(ErrorCode.INVALID_INPUT, 'An idempotency key has 1 to 200 characters.', ['idempotencyKey']);
  return undefined;
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
 * Claims an idempotency key, within the caller's scope (see keyScope), inside the caller's transaction. A concurrent retry with the same
 * key waits on the unique index until the first commits, then sees its record: so racing
 * retries get one order. The claim rolls back with a failed transaction, freeing the key.
 */
export async function claimKey(
  tx: TxContext,
  key: string,
  print: string,
  orderId: string,
  guestCartId?: string,
): Promise<{ kind: 'claimed' } | { kind: 'replay'; orderId: string } | { kind: 'reused'; failure: Failure }> {
  const scope = keyScope(tx.actor, guestCartId);
  const inserted = await tx.em.execute<{ id: string }[]>(
    `insert into idempotency_record (id, scope, key, fingerprint, order_id, created_at) values (gen_random_uuid(), ?, ?, ?, ?, now())
     on conflict (scope, key) do nothing returning id`,
    [scope, key, print, orderId],
  );
  if (inserted.length) return { kind: 'claimed' };
  const [existing] = await tx.em.execute<{ fingerprint: string; order_id: string }[]>(
    'select fingerprint, order_id from idempotency_record where scope = ? and key = ?',
    [scope, key],
  );
  if (existing.fingerprint === print) return { kind: 'replay', orderId: existing.order_id };
  return { kind: 'reused', failure: fail(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was used for a different request.', ['idempotencyKey']) };
}
