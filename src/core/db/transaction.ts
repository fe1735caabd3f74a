import type { TxContext } from '../context';
import { inTransaction } from '../context';
import type { Failure, Result } from '../errors';

class Rollback extends Error {
  constructor(readonly failure: Failure) {
    super('rollback');
  }
}

/**
 * Runs `work` in one database transaction. A failure result rolls everything back and is
 * returned as a value, so a service can stop at the first broken rule without leaving half of
 * its writes behind. Inside, use only the `tx` context given to `work`.
 */
export async function transactional<T>(ctx: TxContext, work: (tx: TxContext) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await ctx.em.transactional(async (em) => {
      const result = await work(inTransaction(ctx, em));
      if (!result.ok) throw new Rollback(result);
      return result;
    });
  } catch (err) {
    if (err instanceof Rollback) return err.failure;
    throw err;
  }
}
