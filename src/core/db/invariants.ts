/**
 * The promises about money and stock, each one SQL statement over the whole database (a
 * consistent snapshot, so they hold even while others write). Used by the tests after every
 * step, by the reliability suite after crashes and faults, and by `npm run check:invariants`.
 */
export interface Invariant {
  name: string;
  /** Returns one row per violation. */
  sql: string;
}

export const INVARIANTS: Invariant[] = [
  { name: 'stock level outside 0 ≤ reserved ≤ onHand', sql: `select id from stock_level where reserved < 0 or on_hand < reserved` },
  {
    name: 'stock level not explained by its movements',
    sql: `select s.id from stock_level s
         left join (select location_id, variant_id, sum(on_hand_delta) oh, sum(reserved_delta) r from inventory_movement group by 1, 2) m
           on m.location_id = s.location_id and m.variant_id = s.variant_id
        where s.on_hand <> coalesce(m.oh, 0) or s.reserved <> coalesce(m.r, 0)`,
  },
  {
    // Exact for reservations made for orders; units held without an order (possible only
    // through the inventory service directly, as some tests do) are outside this promise.
    name: 'order reservations not equal to what open orders hold',
    sql: `select coalesce(m.location_id, h.location_id) location_id, coalesce(m.variant_id, h.variant_id) variant_id
         from (select location_id, variant_id, sum(reserved_delta) r from inventory_movement where order_id is not null group by 1, 2) m
         full join (select o.location_id, l.variant_id, sum(l.quantity) q from orders o join order_line l on l.order_id = o.id
                     where o.status in ('PLACED', 'READY_FOR_PICKUP') group by 1, 2) h
           on h.location_id = m.location_id and h.variant_id = m.variant_id
        where coalesce(m.r, 0) <> coalesce(h.q, 0)`,
  },
  { name: 'more than one order for a cart', sql: `select cart_id from orders group by cart_id having count(*) > 1` },
  { name: 'order of a cart that is not COMPLETED', sql: `select o.id from orders o join cart c on c.id = o.cart_id where c.status <> 'COMPLETED'` },
  {
    name: 'order without lines, or whose subtotal is not the sum of its lines',
    sql: `select o.id from orders o left join (select order_id, sum(quantity * unit_price) s from order_line group by 1) l on l.order_id = o.id
        where l.s is null or l.s <> o.subtotal`,
  },
  { name: 'order without exactly one payment', sql: `select o.id from orders o left join payment p on p.order_id = o.id group by o.id having count(p.id) <> 1` },
  {
    name: 'loyalty balance not the sum of its ledger, or negative',
    sql: `select a.id from loyalty_account a
         left join (select customer_id, sum(points) p from loyalty_transaction group by 1) t on t.customer_id = a.customer_id
        where a.balance <> coalesce(t.p, 0) or a.balance < 0`,
  },
];

export type RunSql = (sql: string) => Promise<Record<string, unknown>[]>;

/** The violations found, one line per broken invariant with a few of its rows; empty when all hold. */
export async function invariantViolations(run: RunSql): Promise<string[]> {
  const violations: string[] = [];
  for (const { name, sql } of INVARIANTS) {
    const rows = await run(sql);
    if (rows.length) violations.push(`${name}: ${rows.length} (${JSON.stringify(rows.slice(0, 3))})`);
  }
  return violations;
}
