import type { EntityManager } from '@mikro-orm/postgresql';
import { groupLoader } from '../../core/loader';
import { StockLevel } from './inventory.entity';

export const createInventoryLoaders = (em: EntityManager) => ({
  /** Every stock level of a variant, across locations: one statement for any number of variants. */
  stockByVariant: groupLoader(
    (variantIds) => em.find(StockLevel, { variant: { $in: variantIds } }),
    (level) => level.variant.id,
  ),
});

export const availableOf = (level: StockLevel): number => Math.max(0, level.onHand - level.reserved);
