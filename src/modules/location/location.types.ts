import { Field, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../../core/errors';
import { Location, LocationKind } from './location.entity';

@InputType()
export class LocationCreateInput {
  @Field()
  code: string;

  @Field()
  name: string;

  @Field(() => LocationKind)
  kind: LocationKind;

  @Field()
  pickupEnabled: boolean;
}

@ObjectType()
export class LocationPayload {
  @Field(() => Location, { nullable: true })
  location?: Location;

  @Field(() => [UserError])
  userErrors: UserError[];
}
