export { Product, ProductVariant, type ProductView, type VariantView } from './catalog.entity';
export { catalogService, SKU_SHAPE } from './catalog.service';
export { createCatalogLoaders } from './catalog.loader';
export { ProductResolver, ProductVariantResolver } from './catalog.resolver';
