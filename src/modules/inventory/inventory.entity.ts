import { randomUUID } from 'node:crypto';
import { OptionalProps, Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Channel } from '../../core/channel';
import { ProductVariant } from '../catalog/catalog.entity';
import { Location } from '../location/location.entity';

/**
 * Units of one variant at one location. available = onHand − reserved. The CHECKs are the last
 * line of defence: no code path can oversell or leave a negative count, even with a bug.
 */
@Entity()
@Unique({ properties: ['location', 'variant'] })
@Check({ name: 'stock_level_on_hand_not_negative', expression: 'on_hand >= 0' })
@Check({ name: 'stock_level_reserved_not_negative', expression: 'reserved >= 0' })
@Check({ name: 'stock_level_reserved_within_on_hand', expression: 'reserved <= on_hand' })
export class StockLevel {
  [OptionalProps]?: 'createdAt' | 'onHand' | 'reserved';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Location, { ref: true })
  location: Ref<Location>;

  @ManyToOne(() => ProductVariant, { ref: true, index: true })
  variant: Ref<ProductVariant>;

  @Property()
  onHand: number = 0;

  @Property()
  reserved: number = 0;
}

export enum MovementKind {
  /** A count set by staff (inventorySet). */
  ADJUSTMENT = 'ADJUSTMENT',
  /** Held for an open order. */
  RESERVE = 'RESERVE',
  /** A hold given back (cancel, expiry). */
  RELEASE = 'RELEASE',
  /** Reserved units leave the location (pickup, shipment). */
  FULFILL = 'FULFILL',
  /** Units sold and handed over at once (counter sale, extra lines at pickup). */
  SALE = 'SALE',
  /** Units returned to the shelf. */
  RETURN = 'RETURN',
}

/** The append-only stock ledger: every change of onHand or reserved is one row (a trigger forbids edits). */
@Entity()
@Index({ properties: ['location', 'variant', 'createdAt'] })
@Index({ properties: ['orderId'] })
export class InventoryMovement {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Location, { ref: true, index: false })
  location: Ref<Location>;

  @ManyToOne(() => ProductVariant, { ref: true, index: false })
  variant: Ref<ProductVariant>;

  @Enum({ items: () => MovementKind, nativeEnumName: 'movement_kind' })
  kind: MovementKind;

  @Property()
  onHandDelta: number;

  @Property()
  reservedDelta: number;

  @Property({ type: 'uuid', nullable: true })
  orderId?: string;

  @Property({ type: 'uuid', nullable: true })
  staffId?: string;

  @Enum({ items: () => Channel, nativeEnumName: 'channel', nullable: true })
  channel?: Channel;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
