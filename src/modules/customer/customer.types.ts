import { Field, InputType } from 'type-graphql';
import { Customer } from './customer.entity';
import { payloadType } from '../../core/payload';

@InputType()
export class CustomerSignUpInput {
  @Field()
  email: string;

  @Field()
  password: string;

  @Field(() => String, { nullable: true })
  name?: string;
}

export const CustomerAuthPayload = payloadType('CustomerAuthPayload', { token: String, customer: Customer });
export type CustomerAuthPayload = InstanceType<typeof CustomerAuthPayload>;

export interface CustomerSession {
  token: string;
  customer: Customer;
}
