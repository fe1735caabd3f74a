import type { EntityManager } from '@mikro-orm/postgresql';
import type { Channel } from '../../core/channel';
import { camelRows, query } from '../../core/db/sql';
import { Customer, type ConsentPurpose } from './customer.entity';

/*
 * The customer module's hand-written statements: loyalty numbers, the current state of consents,
 * the till's lookup and the record of staff reads.
 */

/** The next loyalty number: a sequence (unique, short) with a Luhn check digit (see the migration's loyalty_number()). */
export async function nextLoyaltyNumber(em: EntityManager): Promise<string> {
  const [row] = await query<{ n: string }>(em, `select loyalty_number(nextval('loyalty_number_seq')) as n`);
  return row.n;
}

export interface ConsentState {
  customerId: string;
  purpose: ConsentPurpose;
  granted: boolean;
  channel: Channel;
  updatedAt: Date;
}

/** The latest yes or no per purpose of each customer given (the history stays in consent_record). */
export async function currentConsents(em: EntityManager, customerIds: string[]): Promise<ConsentState[]> {
  const rows = await query<{ customer_id: string; purpose: ConsentPurpose; granted: boolean; channel: Channel; updated_at: Date }>(
    em,
    `select distinct on (customer_id, purpose) customer_id, purpose, granted, channel, created_at as updated_at
       from consent_record
      where customer_id = any(?::uuid[])
      order by customer_id, purpose, created_at desc, id desc`,
    [`{${customerIds.join(',')}}`],
  );
  return camelRows(rows).map((r) => ({ ...r, updatedAt: new Date(r.updatedAt) }));
}

/** Customers (not erased) whose email, phone or loyalty number is exactly one of those given. */
export async function customersMatching(em: EntityManager, keys: { email?: string; phone?: string; loyaltyNumber?: string }): Promise<Customer[]> {
  const rows = await query<Record<string, unknown>>(
    em,
    `select * from customer
      where erased_at is null and (email = ? or phone = ? or loyalty_number = ?)
      order by created_at, id limit 20`,
    [keys.email ?? null, keys.phone ?? null, keys.loyaltyNumber ?? null],
  );
  return rows.map((row) => em.map(Customer, row));
}

/** One row per customer read, in one statement. */
export async function recordAccess(em: EntityManager, staffId: string, customerIds: string[], via: string): Promise<void> {
  if (!customerIds.length) return;
  await query(
    em,
    `insert into customer_access (id, customer_id, staff_id, via, at)
     select gen_random_uuid(), c, ?::uuid, ?, now() from unnest(?::uuid[]) c`,
    [staffId, via, `{${customerIds.join(',')}}`],
  );
}
