import type { EntityManager } from '@mikro-orm/postgresql';
import { withEntityManager, type ServiceContext } from '../context';
import type { Failure, Result } from '../errors';

/**
 * One way into a transaction: `transactional(ctx, async (tx) => ...)`. Inside, use only the `tx`
 * given to `work` (the same service context, bound to the transaction's EntityManager).
 *
 * Calls to the outside world (today: the payment provider) follow one rule, because the
 * provider cannot take part in our transaction:
 * - AUTHORIZE inside the transaction, as its last step (so no refusal of ours can follow it),
 *   and register the void as its undo right after: `onRollback(tx, () => provider.void(ref))`.
 *   If the transaction then fails (a failure result or an exception), the undo runs. A counter
 *   sale charges the card (authorize, then capture) this way: the customer is at the till, and
 *   the sale must not be recorded unless it is paid; the same void undoes the charge.
 * - CAPTURE, VOID of an existing authorization, REFUND: only after commit. The order module
 *   records them as payment calls in the transaction (its payment/payment.calls.ts), which the
 *   outbox makes after commit and retries with the provider's idempotency key: a transaction
 *   that rolls back has asked the provider for nothing, one that commits is never forgotten.
 *   `afterCommit(tx, step)` remains for a step that may run once and be lost.
 * Nothing else outside PostgreSQL is called inside a transaction; change notifications are
 * published after commit by the service.
 */
export async function transactional<T, D = never>(ctx: ServiceContext, work: (tx: ServiceContext) => Promise<Result<T, D>>): Promise<Result<T, D>> {
  const outer = steps.get(ctx);
  // Inside another transaction (a savepoint): its outside calls belong to the outer transaction.
  if (outer) return runIn(ctx.em, ctx, work, outer);
  const own: Steps = { afterCommit: [], onRollback: [] };
  let result: Result<T, D>;
  try {
    result = await runIn(ctx.em, ctx, work, own);
  } catch (err) {
    await undo(ctx, own);
    throw err;
  }
  if (!result.ok) {
    await undo(ctx, own);
    return result;
  }
  for (const step of own.afterCommit) await step();
  return result;
}

/** Runs `step` once the transaction `tx` belongs to has committed (never if it rolls back). */
export function afterCommit(tx: ServiceContext, step: () => Promise<unknown>): void {
  stepsOf(tx).afterCommit.push(step);
}

/** Runs `undo` if the transaction `tx` belongs to rolls back: the undo of an outside call made inside it. */
export function onRollback(tx: ServiceContext, undo: () => Promise<unknown>): void {
  stepsOf(tx).onRollback.push(undo);
}

interface Steps {
  afterCommit: (() => Promise<unknown>)[];
  onRollback: (() => Promise<unknown>)[];
}

const steps = new WeakMap<ServiceContext, Steps>();

function stepsOf(tx: ServiceContext): Steps {
  const found = steps.get(tx);
  if (!found) throw new Error('afterCommit/onRollback need the tx context of transactional()');
  return found;
}

class Rollback<D> extends Error {
  constructor(readonly failure: Failure<D>) {
    super('rollback');
  }
}

async function runIn<T, D>(em: EntityManager, ctx: ServiceContext, work: (tx: ServiceContext) => Promise<Result<T, D>>, own: Steps): Promise<Result<T, D>> {
  try {
    return await em.transactional(async (txEm) => {
      const tx = withEntityManager(ctx, txEm);
      steps.set(tx, own);
      const result = await work(tx);
      // A failure result rolls everything back and is returned as a value, so a service can stop
      // at the first broken rule without leaving half of its writes behind.
      if (!result.ok) throw new Rollback(result);
      return result;
    });
  } catch (err) {
    if (err instanceof Rollback) return err.failure as Failure<D>;
    throw err;
  }
}

/** Undoes the outside calls of a transaction that did not commit, newest first; an undo that fails is logged, not thrown. */
async function undo(ctx: ServiceContext, own: Steps): Promise<void> {
  for (const step of own.onRollback.reverse()) {
    try {
      await step();
    } catch (err) {
      ctx.log.error('undo after rollback failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }
  own.onRollback.length = 0;
}
