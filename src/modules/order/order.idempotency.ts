import { createHash } from 'node:crypto';
import type { TxContext } from '../../core/context';
import { ErrorCode, fail, ok, type Failure, type Result } from '../../core/errors';

export const fingerprint = (...parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

export function checkKey(key: string): Failure | undefined {
  if (!key || key.length > 200) return fail(ErrorCode.INVALID_INPUT, 'An idempotency key has 1 to 200 characters.', ['idempotencyKey']);
  return undefined;
}

/**
 * Claims an idempotency key inside the caller's transaction. A concurrent retry with the same
 * key waits on the unique index until the first commits, then sees its record: so racing
 * retries get one order; `replayOf` names the order of an earlier identical request. The claim rolls back with a failed transaction, freeing the key.
 */
export async function claimKey(
  tx: TxContext,
  key: string,
  print: string,
  orderId: string,
): Promise<Result<{ replayOf?: string }>> {
  const inserted = await tx.em.execute<{ id: string }[]>(
    `insert into idempotency_record (id, key, fingerprint, order_id, created_at) values (gen_random_uuid(), ?, ?, ?, now())
     on conflict (key) do nothing returning id`,
    [key, print, orderId],
  );
  if (inserted.length) return ok({});
  const [existing] = await tx.em.execute<{ fingerprint: string; order_id: string }[]>(
    'select fingerprint, order_id from idempotency_record where key = ?',
    [key],
  );
  if (existing.fingerprint === print) return ok({ replayOf: existing.order_id });
  return fail(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was used for a different request.', ['idempotencyKey']);
}
