import type { EntityManager } from '@mikro-orm/postgresql';
import { camelRows, placeholders, query, values } from '../../core/db/sql';

/*
 * The inventory module's hand-written statements: stock changes lock and update many levels in
 * one statement each, whatever the number of lines (counted in statement-budget tests).
 */

/** A stock level as the stock-change statements read it. */
export interface StockLevelRow {
  id: string;
  location_id: string;
  variant_id: string;
  on_hand: number;
  reserved: number;
  /** The location's low-stock threshold, when it set one. */
  low_stock_threshold: number | null;
}

export interface LevelKey {
  locationId: string;
  variantId: string;
}

const keyValues = (keys: LevelKey[]) => values(keys, ['uuid', 'uuid'], (k) => [k.locationId, k.variantId]);

/** Creates the levels named that do not exist yet, at zero. */
export async function insertMissingLevels(em: EntityManager, keys: LevelKey[]): Promise<void> {
  const list = keyValues(keys);
  await query(
    em,
    `insert into stock_level (id, location_id, variant_id, on_hand, reserved)
     select gen_random_uuid(), v.location_id, v.variant_id, 0, 0 from (values ${list.sql}) as v(location_id, variant_id)
     on conflict (location_id, variant_id) do nothing`,
    list.params,
  );
}

/** `SELECT … FOR UPDATE` of the levels named, in one fixed order (location, variant) so concurrent changes cannot deadlock. */
export function lockLevels(em: EntityManager, keys: LevelKey[]): Promise<StockLevelRow[]> {
  const list = keyValues(keys);
  return query<StockLevelRow>(
    em,
    `select s.id, s.location_id, s.variant_id, s.on_hand, s.reserved, l.low_stock_threshold from stock_level s
       join location l on l.id = s.location_id
      where (s.location_id, s.variant_id) in (${list.sql})
      order by s.location_id, s.variant_id
      for update of s`,
    list.params,
  );
}

/** Adds to on hand and reserved of many levels in one UPDATE. */
export async function addToLevels(em: EntityManager, deltas: { id: string; onHand: number; reserved: number }[]): Promise<void> {
  const list = values(deltas, ['uuid', 'int', 'int'], (d) => [d.id, d.onHand, d.reserved]);
  await query(
    em,
    `update stock_level s set on_hand = s.on_hand + v.d_on, reserved = s.reserved + v.d_res
       from (values ${list.sql}) as v(id, d_on, d_res)
      where s.id = v.id`,
    list.params,
  );
}

/**
 * Sellable units (on hand less reserved, never below zero) of every level of the variants named,
 * and the units on their way there in transfers shipped and not yet received.
 */
export async function availableByVariant(
  em: EntityManager,
  variantIds: string[],
): Promise<{ locationId: string; variantId: string; available: number; incoming: number }[]> {
  return camelRows(
    await query<{ location_id: string; variant_id: string; available: number; incoming: number }>(
      em,
      `select s.location_id, s.variant_id, greatest(s.on_hand - s.reserved, 0) as available, coalesce(i.incoming, 0)::int as incoming
         from stock_level s
         left join (select t.to_location_id, l.variant_id, sum(l.quantity) as incoming
                      from stock_transfer_line l join stock_transfer t on t.id = l.transfer_id and t.status = 'IN_TRANSIT'
                     where l.variant_id in (${placeholders(variantIds.length)})
                     group by 1, 2) i on i.to_location_id = s.location_id and i.variant_id = s.variant_id
        where s.variant_id in (${placeholders(variantIds.length)})`,
      [...variantIds, ...variantIds],
    ),
  );
}
