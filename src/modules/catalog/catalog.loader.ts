import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { byIdLoader, groupLoader } from '../../core/loader';
import { Collection, Product, ProductVariant, type VariantView } from './catalog.entity';
import { collectionsOfProducts, variantsOfProducts } from './catalog.sql';

export const createCatalogLoaders = (em: EntityManager) => ({
  collectionByCode: new DataLoader<string, Collection | undefined>(async (codes) => {
    const rows = await em.find(Collection, { code: { $in: [...codes] } });
    return codes.map((code) => rows.find((c) => c.code === code));
  }),
  /** The collections of each product, one statement for a whole page. */
  collectionsByProduct: new DataLoader<string, Collection[]>(async (productIds) => {
    const rows = await collectionsOfProducts(em, [...productIds]);
    return productIds.map((id) => rows.filter((r) => r.productId === id).map((r) => r.collection));
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
    (productIds): Promise<VariantView[]> => variantsOfProducts(em, productIds),
    (variant) => variant.product.id,
  ),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createCatalogLoaders> {}
}
