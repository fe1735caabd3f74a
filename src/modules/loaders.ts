import type { EntityManager } from '@mikro-orm/postgresql';
import { createCatalogLoaders } from './catalog';
import { createCustomerLoaders } from './customer';
import { createInventoryLoaders } from './inventory';
import { createLocationLoaders } from './location';
import { createStaffLoaders } from './staff';

/** The per-request DataLoaders of every module, bound to the request's EntityManager. */
export const createLoaders = (em: EntityManager) => ({
  ...createLocationLoaders(em),
  ...createCatalogLoaders(em),
  ...createInventoryLoaders(em),
  ...createCustomerLoaders(em),
  ...createStaffLoaders(em),
});

export type Loaders = ReturnType<typeof createLoaders>;
