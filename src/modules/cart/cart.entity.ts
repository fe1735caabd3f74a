import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Address } from '../../core/address';
import { Channel } from '../../core/channel';
import { ProductVariant } from '../catalog/catalog.entity';
import { Customer } from '../customer/customer.entity';
import { Location } from '../location/location.entity';

export enum CartStatus {
  ACTIVE = 'ACTIVE',
  MERGED = 'MERGED',
  COMPLETED = 'COMPLETED',
  ABANDONED = 'ABANDONED',
}
registerEnumType(CartStatus, { name: 'CartStatus' });

export enum FulfillmentMethod {
  SHIP = 'SHIP',
  PICKUP = 'PICKUP',
  IN_STORE = 'IN_STORE',
}
registerEnumType(FulfillmentMethod, { name: 'FulfillmentMethod' });

/**
 * A cart, guest or customer's. A customer has at most one ACTIVE cart, enforced by a partial
 * unique index, so every channel finds the same one. `version` rises with every change.
 */
@ObjectType()
@Entity()
@Index({
  name: 'cart_one_active_per_customer',
  expression: `create unique index "cart_one_active_per_customer" on "cart" ("customer_id") where "status" = 'ACTIVE'`,
})
@Index({ properties: ['status', 'updatedAt'] })
@Check({ name: 'cart_loyalty_points_not_negative', expression: 'loyalty_points_applied >= 0' })
@Check({ name: 'cart_version_positive', expression: 'version >= 1' })
export class Cart {
  [OptionalProps]?: 'status' | 'version' | 'loyaltyPointsApplied' | 'discountCodes' | 'createdAt' | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { ref: true, nullable: true, index: false })
  customer?: Ref<Customer>;

  @Field(() => CartStatus)
  @Enum({ items: () => CartStatus, nativeEnumName: 'cart_status' })
  status: CartStatus = CartStatus.ACTIVE;

  @Field(() => Channel, { description: 'The channel on which the cart was created.' })
  @Enum({ items: () => Channel, nativeEnumName: 'channel' })
  channel: Channel;

  @Field(() => Int, { description: 'Increases with every change; pass it as expectedVersion to refuse a stale update.' })
  @Property()
  version: number = 1;

  @Field(() => Int)
  @Property()
  loyaltyPointsApplied: number = 0;

  @Enum({ items: () => FulfillmentMethod, nativeEnumName: 'fulfillment_method', nullable: true })
  fulfillmentMethod?: FulfillmentMethod;

  @ManyToOne(() => Location, { ref: true, nullable: true, index: false })
  fulfillmentLocation?: Ref<Location>;

  @Property({ type: 'jsonb', nullable: true })
  shippingAddress?: Address;

  /** Codes entered on any channel (upper-cased): they stay with the cart wherever it is opened next. */
  @Field(() => [String], { description: 'Codes entered on any channel; they stay with the cart wherever it is opened next.' })
  @Property({ type: 'jsonb', default: '[]' })
  discountCodes: string[] = [];

  /** A guest cart's buyer: where the confirmation goes, and what finds the order later (orderLookup). */
  @Property({ length: 254, nullable: true })
  contactEmail?: string;

  @Property({ length: 16, nullable: true })
  contactPhone?: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

@ObjectType()
@Entity()
@Unique({ properties: ['cart', 'variant'] })
@Check({ name: 'cart_line_quantity_positive', expression: 'quantity > 0' })
export class CartLine {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Cart, { ref: true, deleteRule: 'cascade', index: false })
  cart: Ref<Cart>;

  /** The cart's customer, carried on every customer-owned row (rows can then be distributed by customer). */
  @ManyToOne(() => Customer, { ref: true, nullable: true, index: false })
  customer?: Ref<Customer>;

  @ManyToOne(() => ProductVariant, { ref: true, index: false })
  variant: Ref<ProductVariant>;

  @Field(() => Int)
  @Property()
  quantity: number;

  @Field(() => Channel, { description: 'The channel on which this line was added.' })
  @Enum({ items: () => Channel, nativeEnumName: 'channel' })
  channel: Channel;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
