import type { EntityManager } from '@mikro-orm/postgresql';
import { placeholders, query, values } from '../../core/db/sql';
import { Collection, ProductVariant, type VariantView } from './catalog.entity';

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

/** The collections of the products named, by code, as managed entities with the product they belong to. */
export async function collectionsOfProducts(em: EntityManager, productIds: string[]): Promise<{ productId: string; collection: Collection }[]> {
  const rows = await query<Record<string, unknown> & { member_product_id: string }>(
    em,
    `select cp.product_id as member_product_id, c.* from collection_product cp join collection c on c.id = cp.collection_id
      where cp.product_id in (${placeholders(productIds.length)}) order by c.code`,
    productIds,
  );
  return rows.map(({ member_product_id, ...row }) => ({ productId: member_product_id, collection: em.map(Collection, row) }));
}

/** The ids of a collection's products. */
export async function productIdsOfCollection(em: EntityManager, code: string): Promise<string[]> {
  const rows = await query<{ product_id: string }>(
    em,
    'select cp.product_id from collection_product cp join collection c on c.id = cp.collection_id where c.code = ?',
    [code],
  );
  return rows.map((r) => r.product_id);
}

/** Puts products into a collection; those already in it stay. */
export async function addCollectionProducts(em: EntityManager, collectionId: string, productIds: string[]): Promise<void> {
  const pairs = values(productIds, ['uuid', 'uuid'], (id) => [collectionId, id]);
  await query(em, `insert into collection_product (collection_id, product_id) values ${pairs.sql} on conflict do nothing`, pairs.params);
}

/** A variant's new price, in one statement; undefined when no variant has the SKU. */
export async function setVariantPrice(em: EntityManager, sku: string, priceAmount: number): Promise<ProductVariant | undefined> {
  const [row] = await query<Record<string, unknown>>(em, 'update product_variant set price_amount = ? where sku = ? returning *', [priceAmount, sku]);
  return row ? em.map(ProductVariant, row) : undefined;
}
