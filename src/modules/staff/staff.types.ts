import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { StaffRole } from '../../core/auth/actor';
import { UserError } from '../../core/errors';
import { Staff } from './staff.entity';

@InputType()
export class StaffCreateInput {
  @Field()
  email: string;

  @Field()
  password: string;

  @Field(() => StaffRole)
  role: StaffRole;

  @Field(() => ID, { nullable: true })
  locationId?: string;
}

@ObjectType()
export class StaffAuthPayload {
  @Field(() => String, { nullable: true })
  token?: string;

  @Field(() => Staff, { nullable: true })
  staff?: Staff;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class StaffPayload {
  @Field(() => Staff, { nullable: true })
  staff?: Staff;

  @Field(() => [UserError])
  userErrors: UserError[];
}
