import type { ServiceContext } from '../../core/context';

/** A variant's available units at a location fell to the location's threshold or below. */
export interface LowStock {
  locationId: string;
  variantId: string;
  available: number;
  threshold: number;
}

/**
 * INVENTORY_LOW, raised inside the transaction of the stock change that crossed the threshold.
 * The one place the inventory module emits it: today a log line ("inventory low"); webhook
 * delivery records it here in the same transaction (`outbox.record(tx, …)`), so the event exists
 * exactly when the change does.
 */
export function recordLowStock(tx: ServiceContext, low: LowStock): void {
  tx.log.info('inventory low', { ...low });
}
