import { Field, InputType, ObjectType } from 'type-graphql';
import { Address } from '../../core/address';
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

  @Field(() => Address, { nullable: true })
  address?: Address | null;

  @Field(() => Boolean, { nullable: true })
  shipEnabled?: boolean | null;
}

@InputType()
export class LocationUpdateInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true })
  pickupEnabled?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  shipEnabled?: boolean | null;

  @Field(() => Address, { nullable: true })
  address?: Address | null;
}

@ObjectType()
export class LocationPayload {
  @Field(() => Location, { nullable: true })
  location?: Location;

  @Field(() => [UserError])
  userErrors: UserError[];
}
