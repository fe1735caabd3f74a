import type { EntityManager } from '@mikro-orm/postgresql';
import { placeholders, query } from '../../core/db/sql';
import type { VariantView } from './catalog.entity';

/*
 * The catalog module's hand-written statements: reads of product pages as plain rows (building
 * managed entities for hundreds of variants cost more than the rest of the request).
 */

/** The variants of the products named, in the order they were added (then by SKU). */
export async function variantsOfProducts(em: EntityManager, productIds: string[]): Promise<VariantView[]> {
  const rows = await query<{ id: string; product_id: string; sku: string; title: string; price_amount: number }>(
    em,
    `select id, product_id, sku, title, price_amount from product_variant
      where product_id in (${placeholders(productIds.length)}) order by created_at asc, sku asc`,
    productIds,
  );
  return rows.map((r) => ({ id: r.id, product: { id: r.product_id }, sku: r.sku, title: r.title, priceAmount: r.price_amount }));
}
