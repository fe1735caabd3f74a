import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, groupLoader } from '../../core/loader';
import { StockTransfer, StockTransferLine } from './inventory.entity';
import { availableByVariant } from './inventory.sql';

/** What reads of stock need of a level: plain values, not managed entities. */
export interface StockRow {
  locationId: string;
  variantId: string;
  /** Sellable units: on hand less reserved, never below zero. */
  available: number;
  /** Units on their way here in shipped transfers. */
  incoming: number;
}

export const createInventoryLoaders = (em: EntityManager) => ({
  /**
   * Every stock level of a variant, across locations: one statement for any number of variants.
   * Plain rows rather than entities: a page of products reads hundreds of levels, and building
   * managed entities for them cost more than the rest of the request.
   */
  stockByVariant: groupLoader(
    (variantIds): Promise<StockRow[]> => availableByVariant(em, variantIds),
    (row) => row.variantId,
  ),
  transferById: byIdLoader(em, StockTransfer),
  linesByTransfer: groupLoader(
    (transferIds) => em.find(StockTransferLine, { transfer: { $in: transferIds } }, { orderBy: { transfer: 'asc', position: 'asc' } }),
    (line) => line.transfer.id,
  ),
});

declare module '../../core/context' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Loaders extends ReturnType<typeof createInventoryLoaders> {}
}
