import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '../../core/db/sql';

/*
 * The recommendation module's statements: learning from placed orders and reading what to
 * recommend. Both are single statements over indexes, cheap enough for every POS lookup.
 */

const uuidArray = (ids: string[]) => `{${ids.join(',')}}`;

/**
 * Learns from up to `batch` placed orders in one statement (one transaction): claims them with
 * SKIP LOCKED (instances running the job at once take different orders), adds their pairs and
 * units to the counts, and forgets them. Rows are upserted in key order, so two instances never
 * wait on each other in a cycle. Returns how many orders were learnt.
 */
export async function learnFromPlacedOrders(em: EntityManager, batch: number): Promise<number> {
  const [row] = await query<{ n: number }>(
    em,
    `with claimed as (
       delete from purchase_to_learn where order_id in (
         select order_id from purchase_to_learn order by created_at, order_id limit ? for update skip locked)
       returning order_id
     ), bought as (
       select l.order_id, l.variant_id, sum(l.quantity)::int as units
         from order_line l join claimed c on c.order_id = l.order_id
        group by l.order_id, l.variant_id
     ), pairs as (
       insert into co_purchase (variant_id, other_variant_id, orders)
       select a.variant_id, b.variant_id, count(*)::int
         from bought a join bought b on a.order_id = b.order_id and a.variant_id <> b.variant_id
        group by a.variant_id, b.variant_id
        order by a.variant_id, b.variant_id
       on conflict (variant_id, other_variant_id) do update set orders = co_purchase.orders + excluded.orders
     ), sales as (
       insert into variant_sales (variant_id, units)
       select variant_id, sum(units)::int from bought group by variant_id order by variant_id
       on conflict (variant_id) do update set units = variant_sales.units + excluded.units
     )
     select count(*)::int as n from claimed`,
    [batch],
  );
  return row.n;
}

/** How many best-sellers are considered before filtering (archived, out of stock, already bought). */
const BEST_SELLERS_CONSIDERED = 200;

/**
 * For each customer, up to `first` variant ids, best first:
 * - with PERSONALIZATION consent (on unless withdrawn): the variants most often bought together
 *   with anything the customer bought, then best-sellers to fill up — never one they bought;
 * - without it: best-sellers only, chosen without reading the customer's purchases.
 * Only variants of ACTIVE products; with `locationId`, only those available there now.
 */
export async function recommendedVariantIds(
  em: EntityManager,
  customerIds: string[],
  first: number,
  locationId: string | null,
): Promise<{ customer_id: string; variant_id: string }[]> {
  return query(
    em,
    `select c.id as customer_id, r.variant_id
       from unnest(?::uuid[]) with ordinality as c(id, n)
       cross join lateral (
         select coalesce((select k.granted from consent_record k
                           where k.customer_id = c.id and k.purpose = 'PERSONALIZATION'
                           order by k.created_at desc, k.id desc limit 1), true) as personal
       ) consent
       cross join lateral (
         select cand.variant_id, row_number() over (order by min(cand.tier), max(cand.score) desc, cand.variant_id) as rank
           from (
             select cp.other_variant_id as variant_id, 0 as tier, sum(cp.orders)::bigint as score
               from co_purchase cp
              where consent.personal
                and cp.variant_id in (select l.variant_id from order_line l where l.customer_id = c.id)
              group by cp.other_variant_id
             union all
             select s.variant_id, 1, s.units::bigint
               from (select variant_id, units from variant_sales order by units desc, variant_id limit ${BEST_SELLERS_CONSIDERED}) s
           ) cand
           join product_variant v on v.id = cand.variant_id
           join product p on p.id = v.product_id
          where p.status = 'ACTIVE'
            and (not consent.personal or not exists (select 1 from order_line x where x.customer_id = c.id and x.variant_id = cand.variant_id))
            and (?::uuid is null or exists (select 1 from stock_level sl
                                             where sl.location_id = ?::uuid and sl.variant_id = cand.variant_id and sl.on_hand - sl.reserved > 0))
          group by cand.variant_id
          order by min(cand.tier), max(cand.score) desc, cand.variant_id
          limit ?
       ) r
      order by c.n, r.rank`,
    [uuidArray(customerIds), locationId, locationId, first],
  );
}
