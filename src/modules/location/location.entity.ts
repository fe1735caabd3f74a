import { randomUUID } from 'node:crypto';
import { OptionalProps, Check, Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Address } from '../../core/address';

export enum LocationKind {
  STORE = 'STORE',
  WAREHOUSE = 'WAREHOUSE',
}
registerEnumType(LocationKind, { name: 'LocationKind' });

/** A store or a warehouse; stores are stock locations too. */
@ObjectType()
@Entity()
@Check({ name: 'location_pickup_only_in_stores', expression: "kind = 'STORE' or not pickup_enabled" })
export class Location {
  [OptionalProps]?: 'createdAt' | 'shipEnabled';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 32, unique: true })
  code: string;

  @Field()
  @Property({ length: 200 })
  name: string;

  @Field(() => LocationKind)
  @Enum({ items: () => LocationKind, nativeEnumName: 'location_kind' })
  kind: LocationKind;

  @Field()
  @Property()
  pickupEnabled: boolean;

  /** Stores can be allowed to send parcels too; a warehouse always can (see `canShip`). */
  @Property({ default: false })
  shipEnabled: boolean = false;

  /**
   * INVENTORY_LOW is sent when a variant's available units here fall to this or below (from
   * above it); LOW_STOCK_THRESHOLD when not set.
   */
  @Property({ nullable: true })
  lowStockThreshold?: number;

  @Field(() => Address, { nullable: true, description: 'Used for tax on pickup and in-store sales, and shown in store pickers.' })
  @Property({ type: 'jsonb', nullable: true })
  address?: Address;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** Warehouses always ship; stores when enabled. */
export const canShip = (location: Pick<Location, 'kind' | 'shipEnabled'>): boolean => location.kind === LocationKind.WAREHOUSE || location.shipEnabled;
