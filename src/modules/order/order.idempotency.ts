import { createHash } from 'node:crypto';
import type { ServiceContext } from '../../core/context';
import { ErrorCode, fail, ok, type Result } from '../../core/errors';
import { idempotencyRecord, insertIdempotencyKey } from './order.sql';

export const fingerprint = (...parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

export function checkKey(key: string): Result<void> {
  if (!key || key.length > 200) return fail(ErrorCode.INVALID_INPUT, 'An idempotency key has 1 to 200 characters.', ['idempotencyKey']);
  return ok();
}

/**
 * Claims an idempotency key inside the caller's transaction. A concurrent retry with the same
 * key waits on the unique index until the first commits, then sees its record: so racing
 * retries get one order; `replayOf` names the order of an earlier identical request. The claim rolls back with a failed transaction, freeing the key.
 */
export async function claimKey(
  tx: ServiceContext,
  key: string,
  print: string,
  orderId: string,
): Promise<Result<{ replayOf?: string }>> {
  if (await insertIdempotencyKey(tx.em, key, print, orderId)) return ok({});
  const existing = await idempotencyRecord(tx.em, key);
  if (existing.fingerprint === print) return ok({ replayOf: existing.orderId });
  return fail(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was used for a different request.', ['idempotencyKey']);
}
