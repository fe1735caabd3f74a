import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Channel } from '../../core/channel';
import { Customer } from '../customer/customer.entity';

export enum LoyaltyTier {
  BRONZE = 'BRONZE',
  SILVER = 'SILVER',
  GOLD = 'GOLD',
}
registerEnumType(LoyaltyTier, { name: 'LoyaltyTier' });

export enum LoyaltyTransactionKind {
  EARN = 'EARN',
  REDEEM = 'REDEEM',
  REVERSAL = 'REVERSAL',
  ADJUSTMENT = 'ADJUSTMENT',
}
registerEnumType(LoyaltyTransactionKind, { name: 'LoyaltyTransactionKind' });

/**
 * A customer's points: the same balance on every channel. `balance` is the running sum of the
 * ledger, kept in the same transaction as each ledger row; the CHECK makes a negative balance
 * impossible whatever the code does.
 */
@ObjectType()
@Entity()
@Check({ name: 'loyalty_account_balance_not_negative', expression: 'balance >= 0' })
@Check({ name: 'loyalty_account_lifetime_not_negative', expression: 'lifetime_points >= 0' })
export class LoyaltyAccount {
  [OptionalProps]?: 'balance' | 'lifetimePoints' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { ref: true, unique: true })
  customer: Ref<Customer>;

  @Field(() => Int)
  @Property()
  balance: number = 0;

  @Field(() => Int)
  @Property()
  lifetimePoints: number = 0;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

/** The append-only points ledger (a trigger refuses UPDATE and DELETE). */
@ObjectType()
@Entity()
@Index({ properties: ['customer', 'createdAt', 'id'] })
@Index({ properties: ['orderId'] })
@Index({
  name: 'loyalty_transaction_one_earn_per_order',
  expression: `create unique index "loyalty_transaction_one_earn_per_order" on "loyalty_transaction" ("order_id") where "kind" = 'EARN'`,
})
@Check({ name: 'loyalty_transaction_balance_after_not_negative', expression: 'balance_after >= 0' })
export class LoyaltyTransaction {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { ref: true, index: false })
  customer: Ref<Customer>;

  @Field(() => LoyaltyTransactionKind)
  @Enum({ items: () => LoyaltyTransactionKind, nativeEnumName: 'loyalty_transaction_kind' })
  kind: LoyaltyTransactionKind;

  /** Signed: positive adds to the balance, negative takes from it. */
  @Field(() => Int)
  @Property()
  points: number;

  @Property()
  balanceAfter: number;

  @Field(() => Channel)
  @Enum({ items: () => Channel, nativeEnumName: 'channel' })
  channel: Channel;

  @Property({ type: 'uuid', nullable: true })
  orderId?: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
