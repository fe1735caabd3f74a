import { Field, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../../core/errors';
import { Customer } from './customer.entity';

@InputType()
export class CustomerSignUpInput {
  @Field()
  email: string;

  @Field()
  password: string;

  @Field(() => String, { nullable: true })
  name?: string;
}

@ObjectType()
export class CustomerAuthPayload {
  @Field(() => String, { nullable: true })
  token?: string;

  @Field(() => Customer, { nullable: true })
  customer?: Customer;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export interface CustomerSession {
  token: string;
  customer: Customer;
}
