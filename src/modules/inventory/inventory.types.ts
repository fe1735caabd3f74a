import { Field, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../core/errors';

@ObjectType()
export class StockAvailability {
  locationId: string;

  @Field(() => Int)
  available: number;
}

@ObjectType()
export class StockPayload {
  @Field(() => StockAvailability, { nullable: true })
  availability?: StockAvailability;

  @Field(() => [UserError])
  userErrors: UserError[];
}
