import type { ServiceContext } from '../../core/context';

/** A variant's available units at a location fell to the location's threshold or below. */
export interface LowStock {
  locationId: string;
  variantId: string;
  available: number;
  threshold: number;
}

/**
 * INVENTORY_LOW, recorded inside the transaction of the stock change that crossed the threshold,
 * so it exists exactly when the change does. The one place the inventory module emits it.
 */
export function recordLowStock(tx: ServiceContext, low: LowStock): void {
  tx.log.info('inventory low', { ...low });
}
