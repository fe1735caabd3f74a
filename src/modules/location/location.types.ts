import { Field, InputType } from 'type-graphql';
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
}

export const LocationPayload = payloadType('LocationPayload', { location: Location });
export type LocationPayload = InstanceType<typeof LocationPayload>;
