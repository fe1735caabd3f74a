import type { EntityManager } from '@mikro-orm/postgresql';
import type { Loaders } from '../core/context';
import { createCartLoaders } from './cart';
import { createCatalogLoaders } from './catalog';
import { createCustomerLoaders } from './customer';
import { createInventoryLoaders } from './inventory';
import { createLocationLoaders } from './location';
import { createLoyaltyLoaders } from './loyalty';
import { createNotificationLoaders } from './notification';
import { createOrderLoaders } from './order';
import { createRecommendationLoaders } from './recommendation';
import { createStaffLoaders } from './staff';

/** The per-request DataLoaders of every module, bound to the request's EntityManager. */
export const createLoaders = (em: EntityManager): Loaders => ({
  ...createLocationLoaders(em),
  ...createCatalogLoaders(em),
  ...createInventoryLoaders(em),
  ...createCustomerLoaders(em),
  ...createStaffLoaders(em),
  ...createLoyaltyLoaders(em),
  ...createCartLoaders(em),
  ...createOrderLoaders(em),
  ...createRecommendationLoaders(em),
  ...createNotificationLoaders(em),
});
