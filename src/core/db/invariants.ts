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
    // Units move between locations only through transfers: what left a sender is in transit
    // until received, then on the receiver's shelf or lost. So, per variant, the units on hand
    // everywhere, in transit and lost are exactly what the ledger ever received or adjusted
    // (counts, returns) less what it sold and handed over.
    name: 'units not accounted for: on hand everywhere + in transit + lost ≠ received or adjusted',
    sql: `select coalesce(s.variant_id, m.variant_id, x.variant_id) variant_id
         from (select variant_id, sum(on_hand) n from stock_level group by 1) s
         full join (select variant_id, sum(on_hand_delta) n from inventory_movement
                     where kind not in ('TRANSFER_OUT', 'TRANSFER_IN', 'TRANSFER_LOSS') group by 1) m on m.variant_id = s.variant_id
         full join (select l.variant_id,
                           sum(case when t.status = 'IN_TRANSIT' then l.quantity else 0 end) transit,
                           sum(case when t.status = 'RECEIVED' then l.quantity - l.received_quantity else 0 end) lost
                      from stock_transfer_line l join stock_transfer t on t.id = l.transfer_id group by 1) x
           on x.variant_id = coalesce(s.variant_id, m.variant_id)
        where coalesce(s.n, 0) + coalesce(x.transit, 0) + coalesce(x.lost, 0) <> coalesce(m.n, 0)`,
  },
  {
    // Each transfer's ledger rows say what its status says: nothing moved for a DRAFT, the
    // quantities out of the sender once shipped, in at the receiver (less the losses) once received.
    name: 'transfer whose movements do not match its lines and status',
    sql: `select t.id from stock_transfer t
         join (select transfer_id, variant_id, quantity, received_quantity from stock_transfer_line) l on l.transfer_id = t.id
         left join (select transfer_id, variant_id,
                           sum(case when kind = 'TRANSFER_OUT' then -on_hand_delta else 0 end) out_n,
                           sum(case when kind = 'TRANSFER_IN' then on_hand_delta else 0 end) + sum(case when kind = 'TRANSFER_LOSS' then on_hand_delta else 0 end) in_n,
                           sum(reserved_delta) r
                      from inventory_movement where transfer_id is not null group by 1, 2) m
           on m.transfer_id = t.id and m.variant_id = l.variant_id
        where coalesce(m.r, 0) <> 0
           or coalesce(m.out_n, 0) <> case when t.status in ('IN_TRANSIT', 'RECEIVED') then l.quantity else 0 end
           or coalesce(m.in_n, 0) <> case when t.status = 'RECEIVED' then l.received_quantity else 0 end`,
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
  {
    name: 'order without exactly one payment',
    sql: `select o.id from orders o left join payment p on p.order_id = o.id group by o.id having count(p.id) <> 1`,
  },
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
