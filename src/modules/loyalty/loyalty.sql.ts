import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '../../core/db/sql';

/*
 * The loyalty module's hand-written statements: the balance moves by a conditional UPDATE, so two
 * channels spending the same points at once cannot both succeed.
 */

/**
 * Moves the balance by `points` (and the lifetime points by `lifetime`, never below zero) unless
 * that would take the balance below zero. Returns the new balance, or undefined when refused.
 */
export async function moveBalance(em: EntityManager, customerId: string, points: number, lifetime: number): Promise<number | undefined> {
  const [row] = await query<{ balance: number }>(
    em,
    `update loyalty_account set balance = balance + ?, lifetime_points = greatest(0, lifetime_points + ?), updated_at = now()
      where customer_id = ? and balance + ? >= 0
      returning balance`,
    [points, lifetime, customerId, points],
  );
  return row?.balance;
}

/** The balance, with the account row locked until the transaction ends (undefined: no account). */
export async function lockBalance(em: EntityManager, customerId: string): Promise<number | undefined> {
  const [row] = await query<{ balance: number }>(em, 'select balance from loyalty_account where customer_id = ? for update', [customerId]);
  return row?.balance;
}
