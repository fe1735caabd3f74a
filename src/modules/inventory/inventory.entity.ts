import { randomUUID } from 'node:crypto';
import { OptionalProps, Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
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
  /** Units leave the sender of a stock transfer (they are in transit until received). */
  TRANSFER_OUT = 'TRANSFER_OUT',
  /** A transfer's units enter the receiver: what was sent. */
  TRANSFER_IN = 'TRANSFER_IN',
  /** What was sent but did not arrive, taken off the receiver at once (the units were never there). */
  TRANSFER_LOSS = 'TRANSFER_LOSS',
}

/** The append-only stock ledger: every change of onHand or reserved is one row (a trigger forbids edits). */
@Entity()
@Index({ properties: ['location', 'variant', 'createdAt'] })
@Index({ properties: ['orderId'] })
@Index({ properties: ['transferId'] })
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
  transferId?: string;

  @Property({ type: 'uuid', nullable: true })
  staffId?: string;

  @Enum({ items: () => Channel, nativeEnumName: 'channel', nullable: true })
  channel?: Channel;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

export enum StockTransferStatus {
  DRAFT = 'DRAFT',
  IN_TRANSIT = 'IN_TRANSIT',
  RECEIVED = 'RECEIVED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(StockTransferStatus, { name: 'StockTransferStatus' });

/**
 * Goods moved from one location to another: DRAFT when created, IN_TRANSIT once shipped (the
 * units have left the sender and show as incoming at the receiver), RECEIVED when counted in.
 */
@ObjectType()
@Entity()
@Index({ properties: ['fromLocation', 'createdAt'] })
@Index({ properties: ['toLocation', 'createdAt'] })
@Check({ name: 'stock_transfer_two_locations', expression: 'from_location_id <> to_location_id' })
export class StockTransfer {
  [OptionalProps]?: 'createdAt' | 'status';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Location, { ref: true, index: false })
  fromLocation: Ref<Location>;

  @ManyToOne(() => Location, { ref: true, index: false })
  toLocation: Ref<Location>;

  @Field(() => StockTransferStatus)
  @Enum({ items: () => StockTransferStatus, nativeEnumName: 'stock_transfer_status' })
  status: StockTransferStatus = StockTransferStatus.DRAFT;

  @Property({ type: 'uuid', nullable: true })
  createdBy?: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  shippedAt?: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  receivedAt?: Date;
}

/** One variant of a transfer: sent `quantity`, of which `receivedQuantity` arrived. */
@ObjectType()
@Entity()
@Unique({ properties: ['transfer', 'variant'] })
@Check({ name: 'stock_transfer_line_quantities', expression: 'quantity > 0 and received_quantity >= 0 and received_quantity <= quantity' })
export class StockTransferLine {
  [OptionalProps]?: 'receivedQuantity';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => StockTransfer, { ref: true, index: false })
  transfer: Ref<StockTransfer>;

  @ManyToOne(() => ProductVariant, { ref: true, index: false })
  variant: Ref<ProductVariant>;

  /** The line's place in the transfer, as it was entered. */
  @Property()
  position: number;

  @Field(() => Int)
  @Property()
  quantity: number;

  @Field(() => Int)
  @Property()
  receivedQuantity: number = 0;
}
