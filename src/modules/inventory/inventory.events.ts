import type { ServiceContext } from '../../core/context';
import { outbox, WebhookTopic } from '../outbox';

/** A variant's available units at a location fell to the location's threshold or below. */
export interface LowStock {
  locationId: string;
  variantId: string;
  available: number;
  threshold: number;
}

/**
 * INVENTORY_LOW, recorded in the outbox inside the transaction of the stock change that crossed
 * the threshold, so the event exists (and webhooks get it) exactly when the change does; also a
 * log line ("inventory low"). The one place the inventory module emits it.
 */
export function recordLowStock(tx: ServiceContext, low: LowStock): void {
  outbox.record(tx, { type: WebhookTopic.INVENTORY_LOW, subjectId: low.variantId, data: { stock: { ...low } } });
  tx.log.info('inventory low', { ...low });
}
