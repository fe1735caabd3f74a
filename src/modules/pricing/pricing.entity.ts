import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Channel } from '../../core/channel';
import { Money } from '../../core/money';
import { Customer } from '../customer/customer.entity';
import { LoyaltyTier } from '../loyalty/loyalty.entity';

/**
 * A promotion: automatic (no code) or entered with its code, the same on every channel unless
 * `channels` narrows it. Exactly one of percentOff and amountOff. `timesUsed` counts the orders
 * that hold it; checkout raises it with a conditional update, so the usage limit holds however
 * many checkouts race (the CHECK backs it up).
 */
@ObjectType({ description: 'One rule for every channel, unless channels narrows it.' })
@Entity()
@Index({
  name: 'promotion_code_unique',
  expression: `create unique index "promotion_code_unique" on "promotion" ("code") where "code" is not null`,
})
@Check({ name: 'promotion_one_value', expression: '(percent_off is null) <> (amount_off is null)' })
@Check({ name: 'promotion_percent_range', expression: 'percent_off is null or (percent_off >= 1 and percent_off <= 100)' })
@Check({ name: 'promotion_amount_positive', expression: 'amount_off is null or amount_off > 0' })
@Check({ name: 'promotion_usage_within_limit', expression: 'times_used >= 0 and (usage_limit is null or times_used <= usage_limit)' })
@Check({ name: 'promotion_window', expression: 'starts_at is null or ends_at is null or starts_at < ends_at' })
export class Promotion {
  [OptionalProps]?: 'timesUsed' | 'active' | 'version' | 'createdAt' | 'updatedAt' | 'skus' | 'collectionCodes' | 'channels';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 200 })
  title: string;

  /** Upper-cased: codes are entered in any case. Null: automatic. */
  @Field(() => String, { nullable: true, description: 'Null: automatic, applied to every cart that qualifies.' })
  @Property({ length: 64, nullable: true })
  code?: string;

  @Field(() => Int, { nullable: true, description: 'Exactly one of percentOff (1-100) and amountOff.' })
  @Property({ nullable: true })
  percentOff?: number;

  @Property({ nullable: true })
  amountOff?: number;

  @Property({ nullable: true })
  minSubtotal?: number;

  @Field(() => [String], { description: 'Only these SKUs qualify; empty: every line.' })
  @Property({ type: 'jsonb', default: '[]' })
  skus: string[] = [];

  @Field(() => [String], { description: 'Only products of these collections qualify; empty: no such limit.' })
  @Property({ type: 'jsonb', default: '[]' })
  collectionCodes: string[] = [];

  @Field(() => LoyaltyTier, { nullable: true, description: 'Only customers of this tier or above.' })
  @Enum({ items: () => LoyaltyTier, nativeEnumName: 'loyalty_tier', nullable: true })
  minTier?: LoyaltyTier;

  @Field(() => [Channel], { description: 'Only on these channels; empty: every channel.' })
  @Property({ type: 'jsonb', default: '[]' })
  channels: Channel[] = [];

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  startsAt?: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  endsAt?: Date;

  @Field(() => Int, { nullable: true, description: 'Orders that may use it in all; checkouts past the limit get DISCOUNT_USAGE_LIMIT_REACHED.' })
  @Property({ nullable: true })
  usageLimit?: number;

  @Field(() => Int, { nullable: true })
  @Property({ nullable: true })
  perCustomerLimit?: number;

  @Field(() => Int)
  @Property({ default: 0 })
  timesUsed: number = 0;

  @Field()
  @Property({ default: true })
  active: boolean = true;

  /** Rises with every change of the rule: checkout applies a promotion only as the cart was priced with it. */
  @Property({ default: 1 })
  version: number = 1;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

/** How many orders of one customer hold a promotion: the per-customer limit is checked against it at checkout. */
@Entity()
@Check({ name: 'promotion_usage_not_negative', expression: 'times_used >= 0' })
export class PromotionUsage {
  @ManyToOne(() => Promotion, { primary: true, ref: true, deleteRule: 'cascade' })
  promotion: Ref<Promotion>;

  @ManyToOne(() => Customer, { primary: true, ref: true, index: false })
  customer: Ref<Customer>;

  @Property({ default: 0 })
  timesUsed: number = 0;
}

/** A tax rate of a country, or of one region of it (which wins over the country's). */
@ObjectType()
@Entity()
@Index({
  name: 'tax_rate_place_unique',
  expression: `create unique index "tax_rate_place_unique" on "tax_rate" ("country_code", coalesce("region_code", ''))`,
})
@Check({ name: 'tax_rate_range', expression: 'rate_basis_points >= 0 and rate_basis_points <= 10000' })
export class TaxRate {
  [OptionalProps]?: 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 2 })
  countryCode: string;

  @Field(() => String, { nullable: true, description: 'A state or province; the most specific rate for an address wins.' })
  @Property({ length: 3, nullable: true })
  regionCode?: string;

  @Field()
  @Property({ length: 100 })
  name: string;

  @Field(() => Int)
  @Property()
  rateBasisPoints: number;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

@ObjectType({ description: 'A tax on a cart or order, e.g. 22 % VAT.' })
export class TaxLine {
  @Field()
  name: string;

  @Field(() => Int, { description: 'The rate in basis points: 2200 = 22 %.' })
  rateBasisPoints: number;

  @Field(() => Money)
  amount: Money;
}

@ObjectType({ description: "A promotion's share of a cart or order." })
export class AppliedDiscount {
  @Field(() => ID)
  promotionId: string;

  @Field()
  title: string;

  @Field(() => String, { nullable: true, description: 'The code the customer entered; null for an automatic promotion.' })
  code?: string | null;

  @Field(() => Money)
  amount: Money;
}
