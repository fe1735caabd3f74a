import { Field, InputType } from 'type-graphql';
import { Address } from '../../core/address';
import { Location, LocationKind } from './location.entity';
import { payloadType } from '../../core/payload';

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

export const LocationPayload = payloadType('LocationPayload', { location: Location });
export type LocationPayload = InstanceType<typeof LocationPayload>;
