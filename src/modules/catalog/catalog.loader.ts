import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { byIdLoader, groupLoader } from '../../core/loader';
import { Collection, Product, ProductVariant, type VariantView } from './catalog.entity';

export const createCatalogLoaders = (em: EntityManager) => ({
  collectionByCode: new DataLoader<string, Collection | undefined>(async (codes) => {
    const rows = await em.find(Collection, { code: { $in: [...codes] } });
    return codes.map((code) => rows.find((c) => c.code === code));
  }),
  /** The collections of each product, one statement for a whole page. */
  collectionsByProduct: new DataLoader<string, Collection[]>(async (productIds) => {
    const rows = await em.execute<(Record<string, unknown> & { member_product_id: string })[]>(
      `select cp.product_id as member_product_id, c.* from collection_product cp join collection c on c.id = cp.collection_id
        where cp.product_id in (${productIds.map(() => '?').join(', ')}) order by c.code`,
      [...productIds],
    );
    const groups = new Map<string, Collection[]>(productIds.map((id) => [id, []]));
    for (const { member_product_id, ...row } of rows) groups.get(member_product_id)?.push(em.map(Collection, row));
    return productIds.map((id) => groups.get(id) ?? []);
  }),
  productById: byIdLoader(em, Product),
  variantById: byIdLoader(em, ProductVariant),
  variantBySku: new DataLoader<string, ProductVariant | undefined>(async (skus) => {
    const rows = await em.find(ProductVariant, { sku: { $in: [...skus] } });
    const bySku = new Map(rows.map((v) => [v.sku, v]));
    return skus.map((sku) => bySku.get(sku));
  }),
  /**
   * A product's variants, for reading only. Plain rows rather than managed entities: a page of
   * products lists hundreds of variants, and building tracked entities for them (identity map,
   * property accessors, the garbage they leave) cost more than the rest of the request.
   */
  variantsByProduct: groupLoader(
    async (productIds): Promise<VariantView[]> => {
      const rows = await em.execute<{ id: string; product_id: string; sku: string; title: string; price_amount: number }[]>(
        `select id, product_id, sku, title, price_amount from product_variant
          where product_id in (${productIds.map(() => '?').join(', ')}) order by created_at asc, sku asc`,
        productIds,
      );
      return rows.map((r) => ({ id: r.id, product: { id: r.product_id }, sku: r.sku, title: r.title, priceAmount: r.price_amount }));
    },
    (variant) => variant.product.id,
  ),
});
