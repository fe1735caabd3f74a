import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Channel } from '../../core/channel';
import { payloadType } from '../../core/payload';
import { ConsentPurpose, Customer } from './customer.entity';

@InputType()
export class CustomerSignUpInput {
  @Field()
  email: string;

  @Field()
  password: string;

  @Field(() => String, { nullable: true })
  name?: string;
}

@InputType()
export class PreferenceInput {
  @Field()
  key: string;

  @Field()
  value: string;
}

@InputType()
export class CustomerUpdateInput {
  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => String, { nullable: true })
  phone?: string;

  @Field(() => String, { nullable: true })
  language?: string;

  @Field(() => ID, { nullable: true })
  preferredLocationId?: string;

  @Field(() => [PreferenceInput], { nullable: true, description: 'Replaces the value of each key given; an empty value removes the key.' })
  preferences?: PreferenceInput[];
}

/** The current state of one consent purpose: what the customer last said, where and when. */
@ObjectType()
export class Consent {
  @Field(() => ConsentPurpose)
  purpose: ConsentPurpose;

  @Field()
  granted: boolean;

  @Field(() => Channel, { description: 'Where the customer last said yes or no.' })
  channel: Channel;

  @Field(() => Date)
  updatedAt: Date;
}

export const CustomerAuthPayload = payloadType('CustomerAuthPayload', { token: String, customer: Customer });
export type CustomerAuthPayload = InstanceType<typeof CustomerAuthPayload>;

export const CustomerPayload = payloadType('CustomerPayload', { customer: Customer });
export type CustomerPayload = InstanceType<typeof CustomerPayload>;

export interface CustomerSession {
  token: string;
  customer: Customer;
}
