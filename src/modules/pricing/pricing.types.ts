import { Field, InputType, Int } from 'type-graphql';
import { Channel } from '../../core/channel';
import { payloadType } from '../../core/payload';
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

export const PromotionPayload = payloadType('PromotionPayload', { promotion: Promotion });
export type PromotionPayload = InstanceType<typeof PromotionPayload>;

export const TaxRatePayload = payloadType('TaxRatePayload', { taxRate: TaxRate });
export type TaxRatePayload = InstanceType<typeof TaxRatePayload>;
