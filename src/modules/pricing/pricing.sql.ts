import type { EntityManager } from '@mikro-orm/postgresql';
import { placeholders, query, values } from '../../core/db/sql';
import { TaxRate } from './pricing.entity';
import type { PricingRules, PromotionRule, TaxRateRule } from './pricing.engine';

/*
 * The pricing module's hand-written statements: the rules in one read, a promotion's use counted
 * (and given back) under its row lock, tax rates set per place.
 */

interface RulesRow {
  promotions: Record<string, unknown>[];
  tax_rates: { country_code: string; region_code: string | null; name: string; rate_basis_points: number }[];
  memberships: { product_id: string; code: string }[];
}

/**
 * Every rule a cart is priced with, in one statement: the active promotions, the tax rates, and
 * which products belong to the collections those promotions name. However many promotions there
 * are, pricing a cart costs this one statement, and none while an instance's cache holds it.
 */
export async function readRules(em: EntityManager): Promise<PricingRules> {
  const [row] = await query<RulesRow>(
    em,
    `select
       (select coalesce(jsonb_agg(to_jsonb(p) order by p.created_at, p.id), '[]'::jsonb) from promotion p where p.active) as promotions,
       (select coalesce(jsonb_agg(to_jsonb(t)), '[]'::jsonb) from tax_rate t) as tax_rates,
       (select coalesce(jsonb_agg(jsonb_build_object('product_id', cp.product_id, 'code', c.code)), '[]'::jsonb)
          from collection_product cp join collection c on c.id = cp.collection_id
         where c.code in (select jsonb_array_elements_text(p.collection_codes) from promotion p where p.active)) as memberships`,
  );
  const promotions = row.promotions.map(toRule);
  const collectionsOf = new Map<string, Set<string>>();
  for (const { product_id, code } of row.memberships) {
    const set = collectionsOf.get(product_id) ?? new Set<string>();
    set.add(code);
    collectionsOf.set(product_id, set);
  }
  const taxRates: TaxRateRule[] = row.tax_rates.map((t) => ({
    countryCode: t.country_code,
    regionCode: t.region_code,
    name: t.name,
    rateBasisPoints: t.rate_basis_points,
  }));
  return {
    automatic: promotions.filter((p) => !p.code),
    byCode: new Map(promotions.filter((p) => p.code).map((p) => [p.code!, p])),
    taxRates,
    collectionsOf,
  };
}

const date = (value: unknown): Date | null => (value ? new Date(value as string) : null);

function toRule(p: Record<string, unknown>): PromotionRule {
  return {
    id: p.id as string,
    title: p.title as string,
    code: p.code as string | null,
    percentOff: p.percent_off as number | null,
    amountOff: p.amount_off as number | null,
    minSubtotal: p.min_subtotal as number | null,
    skus: p.skus as string[],
    collectionCodes: p.collection_codes as string[],
    minTier: p.min_tier as PromotionRule['minTier'],
    channels: p.channels as PromotionRule['channels'],
    startsAt: date(p.starts_at),
    endsAt: date(p.ends_at),
    usageLimit: p.usage_limit as number | null,
    perCustomerLimit: p.per_customer_limit as number | null,
    timesUsed: p.times_used as number,
    active: p.active as boolean,
    version: p.version as number,
    createdAt: new Date(p.created_at as string),
  };
}

/**
 * Counts one order's use of limited promotions, in one statement: a conditional update of each
 * promotion's counter (the row lock makes racing checkouts queue, and each then sees the count
 * the one before it left) and a conditional upsert of the customer's count. Returns how many
 * promotions were counted, how many of those have a per-customer limit, and how many customer
 * counts went up: anything short of all means a limit was reached (or the rule changed).
 */
export async function countLimitedUses(
  em: EntityManager,
  uses: { promotionId: string; version: number }[],
  customerId: string | undefined,
): Promise<{ bumped: number; limited: number; counted: number }> {
  const wanted = values(uses, ['uuid', 'int'], (u) => [u.promotionId, u.version]);
  const [row] = await query<{ bumped: number; limited: number; counted: number }>(
    em,
    `with wanted(id, version) as (values ${wanted.sql}),
     bumped as (
       update promotion p set times_used = p.times_used + 1
         from wanted w
        where p.id = w.id and p.version = w.version and p.active
          and (p.usage_limit is null or p.times_used < p.usage_limit)
       returning p.id, p.per_customer_limit),
     counted as (
       insert into promotion_usage (promotion_id, customer_id, times_used)
       select b.id, ?::uuid, 1 from bumped b where b.per_customer_limit is not null and ?::uuid is not null
       on conflict (promotion_id, customer_id) do update set times_used = promotion_usage.times_used + 1
        where promotion_usage.times_used < (select per_customer_limit from promotion where id = excluded.promotion_id)
       returning promotion_id)
     select (select count(*) from bumped)::int as bumped,
            (select count(*) from bumped where per_customer_limit is not null)::int as limited,
            (select count(*) from counted)::int as counted`,
    [...wanted.params, customerId ?? null, customerId ?? null],
  );
  return row;
}

/** Counts a use of promotions without a limit (nothing is decided on these counters). */
export async function countUses(em: EntityManager, promotionIds: string[]): Promise<void> {
  await query(em, `update promotion set times_used = times_used + 1 where id in (${placeholders(promotionIds.length)})`, promotionIds);
}

/** Gives back one use of each promotion, and of the customer's count. */
export async function releaseUses(em: EntityManager, promotionIds: string[], customerId: string | undefined): Promise<void> {
  await query(
    em,
    `with released as (
       update promotion set times_used = times_used - 1 where id in (${placeholders(promotionIds.length)}) and times_used > 0 returning id)
     update promotion_usage set times_used = times_used - 1
      where customer_id = ?::uuid and times_used > 0 and promotion_id in (select id from released)`,
    [...promotionIds, customerId ?? null],
  );
}

/** The rate of a place, replacing the one it had. */
export async function upsertTaxRate(
  em: EntityManager,
  rate: { countryCode: string; regionCode: string | null; name: string; rateBasisPoints: number },
): Promise<TaxRate> {
  const [row] = await query<Record<string, unknown>>(
    em,
    `insert into tax_rate (id, country_code, region_code, name, rate_basis_points, updated_at) values (gen_random_uuid(), ?, ?, ?, ?, now())
     on conflict (country_code, coalesce(region_code, '')) do update set name = excluded.name, rate_basis_points = excluded.rate_basis_points, updated_at = excluded.updated_at
     returning *`,
    [rate.countryCode, rate.regionCode, rate.name, rate.rateBasisPoints],
  );
  return em.map(TaxRate, row);
}

/** Which of the SKUs and collection codes exist. */
export async function existingSkusAndCollections(em: EntityManager, skus: string[], codes: string[]): Promise<{ skus: string[]; codes: string[] }> {
  const [row] = await query<{ skus: string[]; codes: string[] }>(
    em,
    `select (select coalesce(array_agg(sku), '{}') from product_variant where sku in (select jsonb_array_elements_text(?::jsonb))) as skus,
            (select coalesce(array_agg(code), '{}') from collection where code in (select jsonb_array_elements_text(?::jsonb))) as codes`,
    [JSON.stringify(skus), JSON.stringify(codes)],
  );
  return row;
}
