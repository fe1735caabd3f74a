export { LoyaltyAccount, LoyaltyTier, LoyaltyTransaction, LoyaltyTransactionKind } from './loyalty.entity';
export { loyaltyService } from './loyalty.service';
export { createLoyaltyLoaders } from './loyalty.loader';
export { CustomerLoyaltyResolver, LoyaltyAccountResolver } from './loyalty.resolver';
