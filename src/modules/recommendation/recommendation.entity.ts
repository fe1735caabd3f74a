import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * How many orders held both variants, on every channel (online, app, till). Kept symmetric: a
 * pair bought together counts on (a, b) and on (b, a), so one index range reads every partner
 * of a variant.
 */
@Entity()
export class CoPurchase {
  @PrimaryKey({ type: 'uuid' })
  variantId: string;

  @PrimaryKey({ type: 'uuid' })
  otherVariantId: string;

  @Property()
  orders: number;
}

/** Units sold per variant, every channel: the best-sellers offered when recommendations may not be personal. */
@Entity()
@Index({ properties: ['units'] })
export class VariantSales {
  @PrimaryKey({ type: 'uuid' })
  variantId: string;

  @Property()
  units: number;
}

/**
 * An order whose lines the counts above have not learnt yet: written with the order (in the
 * statement that places it), consumed by the refresh job. Checkout itself never waits on the
 * counts of a popular variant.
 */
@Entity()
export class PurchaseToLearn {
  @PrimaryKey({ type: 'uuid' })
  orderId: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
