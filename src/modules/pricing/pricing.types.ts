import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Channel } from '../../core/channel';
import { UserError } from '../../core/errors';
import { LoyaltyTier } from '../loyalty/loyalty.entity';
import { Promotion, TaxRate } from './pricing.entity';

@InputType()
export class PromotionInput {
  @Field()
  title: string;

  @Field(() => String, { nullable: true })
  code?: string | null;

  @Field(() => Int, { nullable: true })
  percentOff?: number | null;

  @Field(() => Int, { nullable: true, description: 'Minor units.' })
  amountOff?: number | null;

  @Field(() => Int, { nullable: true })
  minSubtotal?: number | null;

  @Field(() => [String], { nullable: true })
  skus?: string[] | null;

  @Field(() => [String], { nullable: true })
  collectionCodes?: string[] | null;

  @Field(() => LoyaltyTier, { nullable: true })
  minTier?: LoyaltyTier | null;

  @Field(() => [Channel], { nullable: true })
  channels?: Channel[] | null;

  @Field(() => Date, { nullable: true })
  startsAt?: Date | null;

  @Field(() => Date, { nullable: true })
  endsAt?: Date | null;

  @Field(() => Int, { nullable: true })
  usageLimit?: number | null;

  @Field(() => Int, { nullable: true })
  perCustomerLimit?: number | null;
}

@InputType()
export class TaxRateInput {
  @Field()
  countryCode: string;

  @Field(() => String, { nullable: true })
  regionCode?: string | null;

  @Field()
  name: string;

  @Field(() => Int)
  rateBasisPoints: number;
}

@ObjectType()
export class PromotionPayload {
  @Field(() => Promotion, { nullable: true })
  promotion?: Promotion;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class TaxRatePayload {
  @Field(() => TaxRate, { nullable: true })
  taxRate?: TaxRate;

  @Field(() => [UserError])
  userErrors: UserError[];
}
