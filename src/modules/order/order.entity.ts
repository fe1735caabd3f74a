import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Address } from '../../core/address';
import { Channel } from '../../core/channel';
import { Cart, FulfillmentMethod } from '../cart/cart.entity';
import { ProductVariant } from '../catalog/catalog.entity';
import { Customer } from '../customer/customer.entity';
import { Location } from '../location/location.entity';
import { OrderSummaryField } from './order.access';

export interface OrderDiscount {
  promotionId: string;
  title: string;
  code: string | null;
  amount: number;
}

export interface OrderTaxLine {
  name: string;
  rateBasisPoints: number;
  amount: number;
}

export enum OrderStatus {
  PLACED = 'PLACED',
  READY_FOR_PICKUP = 'READY_FOR_PICKUP',
  SHIPPED = 'SHIPPED',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(OrderStatus, { name: 'OrderStatus' });

export enum PaymentMethod {
  CARD = 'CARD',
  PAY_IN_STORE = 'PAY_IN_STORE',
}
registerEnumType(PaymentMethod, { name: 'PaymentMethod' });

export enum PaymentStatus {
  PENDING = 'PENDING',
  AUTHORIZED = 'AUTHORIZED',
  CAPTURED = 'CAPTURED',
  VOIDED = 'VOIDED',
  REFUNDED = 'REFUNDED',
  PARTIALLY_REFUNDED = 'PARTIALLY_REFUNDED',
}
registerEnumType(PaymentStatus, { name: 'PaymentStatus' });

/**
 * An order: made once from one cart (unique cart_id), prices snapshotted into its lines. Money
 * columns are minor units. The stock it holds is in the inventory ledger under its id.
 */
@ObjectType()
@Entity({ tableName: 'orders' })
@Index({ properties: ['customer', 'createdAt', 'id'] })
@Index({ properties: ['location', 'status', 'createdAt'] })
@Index({ properties: ['status', 'expiresAt'] })
// Open orders paid in store, counted per client address at checkout (the per-address cap).
@Index({ properties: ['clientAddress', 'status'] })
// Pickup orders never readied, found by the expiry job by age.
@Index({
  name: 'orders_placed_pickup_created_at',
  expression: `create index "orders_placed_pickup_created_at" on "orders" ("created_at") where "status" = 'PLACED' and "fulfillment_method" = 'PICKUP'`,
})
@Check({
  name: 'orders_money_consistent',
  expression:
    'total = subtotal - discount_total - loyalty_discount + case when taxes_included then 0 else tax_total end and discount_total >= 0 and loyalty_discount >= 0 and tax_total >= 0 and total >= 0',
})
export class Order {
  [OptionalProps]?:
    | 'loyaltyPointsEarned'
    | 'loyaltyPointsRedeemed'
    | 'pickupCodeFailures'
    | 'discountTotal'
    | 'taxTotal'
    | 'taxesIncluded'
    | 'discounts'
    | 'taxLines'
    | 'createdAt'
    | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: 'Human-readable, unique, e.g. W-100042.' })
  @OrderSummaryField
  @Property({ length: 20, unique: true })
  number: string;

  @ManyToOne(() => Cart, { ref: true, unique: true })
  cart: Ref<Cart>;

  @ManyToOne(() => Customer, { ref: true, nullable: true, index: false })
  customer?: Ref<Customer>;

  @Field(() => Channel)
  @OrderSummaryField
  @Enum({ items: () => Channel, nativeEnumName: 'channel' })
  channel: Channel;

  @Field(() => OrderStatus)
  @OrderSummaryField
  @Enum({ items: () => OrderStatus, nativeEnumName: 'order_status' })
  status: OrderStatus;

  @Enum({ items: () => FulfillmentMethod, nativeEnumName: 'fulfillment_method' })
  fulfillmentMethod: FulfillmentMethod;

  /** The store of a pickup or counter sale, the warehouse of a shipment: where the stock is held. */
  @ManyToOne(() => Location, { ref: true, index: false })
  location: Ref<Location>;

  @Property({ type: 'jsonb', nullable: true })
  shippingAddress?: Address;

  @Property({ length: 12, nullable: true })
  pickupCode?: string;

  /** A guest order's contact email (lower-case), copied from the cart: orderLookup's second key. */
  @Property({ length: 254, nullable: true })
  contactEmail?: string;

  /** Where a customer's or guest's checkout came from (IPv6 by /64): caps the orders paid in store per address. */
  @Property({ length: 64, nullable: true })
  clientAddress?: string;

  /** Wrong pickup codes given since the last lock: kept on the order so the limit holds on every instance. */
  @Property({ default: 0 })
  pickupCodeFailures: number = 0;

  /** No pickup code is checked for this order until then (too many wrong codes). */
  @Property({ type: 'timestamptz', nullable: true })
  pickupCodeLockedUntil?: Date;

  @Property({ type: 'timestamptz', nullable: true })
  readyAt?: Date;

  /** When the customer said they had arrived to collect (orderCheckIn); the queue puts them first. */
  @Property({ type: 'timestamptz', nullable: true })
  checkedInAt?: Date;

  /** What the customer said on arrival, e.g. "blue car, bay 4". */
  @Property({ length: 200, nullable: true })
  checkInNote?: string;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date;

  /** When the customer was reminded that the pickup is about to expire (once per order). */
  @Property({ type: 'timestamptz', nullable: true })
  pickupRemindedAt?: Date;

  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date;

  @Property()
  subtotal: number;

  @Property()
  loyaltyDiscount: number;

  /** The promotions' share, as at checkout. */
  @Property({ default: 0 })
  discountTotal: number = 0;

  @Property({ default: 0 })
  taxTotal: number = 0;

  /** Whether the prices of this order included tax (the deployment's setting at checkout). */
  @Field({ description: "True when prices already include tax (the deployment's PRICES_INCLUDE_TAX)." })
  @Property({ default: false })
  taxesIncluded: boolean = false;

  /** Each promotion's share: { promotionId, title, code, amount }, exactly as at checkout. */
  @Property({ type: 'jsonb', default: '[]' })
  discounts: OrderDiscount[] = [];

  /** Tax by rate: { name, rateBasisPoints, amount }. */
  @Property({ type: 'jsonb', default: '[]' })
  taxLines: OrderTaxLine[] = [];

  @Property()
  total: number;

  @Property()
  loyaltyPointsRedeemed: number = 0;

  @Field(() => Int, { description: 'Points this order earned (0 until it completes).' })
  @OrderSummaryField
  @Property()
  loyaltyPointsEarned: number = 0;

  @Field(() => Date)
  @OrderSummaryField
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

@ObjectType()
@Entity()
// Lines are always read by order (order pages, a store's pickup queue), oldest first.
@Index({ properties: ['order', 'createdAt'] })
// What a customer bought, on every channel: recommendations never offer it again.
@Index({ properties: ['customer', 'variant'] })
@Check({ name: 'order_line_quantities', expression: 'quantity > 0 and returned_quantity >= 0 and returned_quantity <= quantity' })
@Check({ name: 'order_line_money', expression: 'discount_total >= 0 and loyalty_discount >= 0 and tax_total >= 0 and total >= 0' })
export class OrderLine {
  [OptionalProps]?: 'returnedQuantity' | 'discountTotal' | 'loyaltyDiscount' | 'taxTotal' | 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Order, { ref: true })
  order: Ref<Order>;

  @ManyToOne(() => Customer, { ref: true, nullable: true, index: false })
  customer?: Ref<Customer>;

  @ManyToOne(() => ProductVariant, { ref: true, index: false })
  variant: Ref<ProductVariant>;

  @Field()
  @Property({ length: 64 })
  sku: string;

  @Field()
  @Property({ length: 300 })
  title: string;

  @Field(() => Int)
  @Property()
  quantity: number;

  @Field(() => Int)
  @Property()
  returnedQuantity: number = 0;

  /** Price when the order was placed (or the line bought at the counter), not today's. */
  @Property()
  unitPrice: number;

  @Property({ default: 0 })
  discountTotal: number = 0;

  /** The line's share of the points redeemed. */
  @Property({ default: 0 })
  loyaltyDiscount: number = 0;

  @Property({ default: 0 })
  taxTotal: number = 0;

  /** What this line paid: unitPrice × quantity − discountTotal − loyaltyDiscount (+ taxTotal when not included). Returns refund shares of it. */
  @Property()
  total: number;

  @Field(() => Channel)
  @Enum({ items: () => Channel, nativeEnumName: 'channel' })
  channel: Channel;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** What the GraphQL fields of an order read: a managed entity or a plain row both fit. */
export type OrderView = Pick<
  Order,
  | 'id'
  | 'number'
  | 'channel'
  | 'status'
  | 'fulfillmentMethod'
  | 'shippingAddress'
  | 'pickupCode'
  | 'readyAt'
  | 'checkedInAt'
  | 'checkInNote'
  | 'completedAt'
  | 'subtotal'
  | 'loyaltyDiscount'
  | 'discountTotal'
  | 'taxTotal'
  | 'taxesIncluded'
  | 'discounts'
  | 'taxLines'
  | 'total'
  | 'loyaltyPointsEarned'
  | 'createdAt'
> & { customer?: { id: string }; location: { id: string } };

/** What the GraphQL fields of an order line read: a managed entity or a plain row both fit. */
export type OrderLineView = Pick<
  OrderLine,
  'id' | 'sku' | 'title' | 'quantity' | 'returnedQuantity' | 'unitPrice' | 'discountTotal' | 'loyaltyDiscount' | 'taxTotal' | 'total' | 'channel'
> & {
  order: { id: string };
  variant: { id: string };
};

/** The order's timeline across channels and stores. */
@ObjectType()
@Entity()
@Index({ properties: ['order', 'at'] })
export class OrderEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Order, { ref: true, index: false })
  order: Ref<Order>;

  @Field()
  @Property({ length: 40 })
  kind: string;

  @Field(() => Channel)
  @Enum({ items: () => Channel, nativeEnumName: 'channel' })
  channel: Channel;

  @Property({ type: 'uuid', nullable: true })
  locationId?: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  at: Date = new Date();

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  message?: string;
}

/** One payment per order; amounts in minor units. */
@ObjectType()
@Entity()
@Check({ name: 'payment_amounts', expression: 'amount >= 0 and captured_amount >= 0 and refunded_amount >= 0 and refunded_amount <= captured_amount' })
@Check({ name: 'payment_provider_amounts', expression: 'provider_refunded_amount >= 0 and provider_refunded_amount <= provider_captured_amount' })
export class Payment {
  [OptionalProps]?: 'capturedAmount' | 'refundedAmount' | 'providerCapturedAmount' | 'providerRefundedAmount' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Order, { ref: true, unique: true })
  order: Ref<Order>;

  @Field(() => PaymentMethod)
  @Enum({ items: () => PaymentMethod, nativeEnumName: 'payment_method' })
  method: PaymentMethod;

  @Field(() => PaymentStatus)
  @Enum({ items: () => PaymentStatus, nativeEnumName: 'payment_status' })
  status: PaymentStatus;

  @Property()
  amount: number;

  @Property()
  capturedAmount: number = 0;

  @Property()
  refundedAmount: number = 0;

  /**
   * The part taken through the card provider. Lines added at the counter are paid in store, so
   * this can be less than `capturedAmount`; a card is never refunded more than it was charged.
   */
  @Property()
  providerCapturedAmount: number = 0;

  @Property()
  providerRefundedAmount: number = 0;

  /** The provider's reference for the authorization. */
  @Property({ length: 100, nullable: true })
  providerReference?: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/**
 * A request that must happen once: the key, what it was for (scope + fingerprint of the input),
 * and the order it produced. Retries with the same key get that order back.
 */
@Entity()
@Unique({ properties: ['scope', 'key'] })
export class IdempotencyRecord {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Whose key it is (order.idempotency.ts keyScope): keys of different callers never meet. */
  @Property({ length: 100 })
  scope: string;

  @Property({ length: 200 })
  key: string;

  @Property({ length: 64 })
  fingerprint: string;

  @Property({ type: 'uuid' })
  orderId: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
