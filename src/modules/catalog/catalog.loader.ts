import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { byIdLoader, groupLoader } from '../../core/loader';
import { Product, ProductVariant } from './catalog.entity';

export const createCatalogLoaders = (em: EntityManager) => ({
  productById: byIdLoader(em, Product),
  variantById: byIdLoader(em, ProductVariant),
  variantBySku: new DataLoader<string, ProductVariant | undefined>(async (skus) => {
    const rows = await em.find(ProductVariant, { sku: { $in: [...skus] } });
    const bySku = new Map(rows.map((v) => [v.sku, v]));
    return skus.map((sku) => bySku.get(sku));
  }),
  variantsByProduct: groupLoader(
    (productIds) => em.find(ProductVariant, { product: { $in: productIds } }, { orderBy: { createdAt: 'asc', sku: 'asc' } }),
    (variant) => variant.product.id,
  ),
});
