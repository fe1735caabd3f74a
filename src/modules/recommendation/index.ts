export { CoPurchase, PurchaseToLearn, VariantSales } from './recommendation.entity';
export { recommendationService } from './recommendation.service';
export { createRecommendationLoaders } from './recommendation.loader';
export { CustomerRecommendationsResolver } from './recommendation.resolver';
