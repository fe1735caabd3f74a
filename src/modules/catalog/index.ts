export { Collection, CollectionProduct, Product, ProductStatus, ProductVariant, type ProductView, type VariantView } from './catalog.entity';
export { catalogService, SKU_SHAPE } from './catalog.service';
export { createCatalogLoaders } from './catalog.loader';
export { CollectionResolver, ProductResolver, ProductVariantResolver } from './catalog.resolver';
