export { AppliedDiscount, Promotion, PromotionUsage, TaxLine, TaxRate } from './pricing.entity';
export { pricingService, normalizeCode, type CartToPrice } from './pricing.service';
export { groupTaxLines, type Priced, type PricedDiscount, type PricedLine, type PricedTaxLine } from './pricing.engine';
export { createPricingCaching, type PricingChangeListener } from './pricing.cache';
export { PromotionResolver, TaxRateResolver } from './pricing.resolver';
