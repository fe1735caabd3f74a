import { Field, InputType, Int } from 'type-graphql';
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

  @Field(() => Boolean, { nullable: true, description: 'Stores only (a warehouse always ships): this store sends parcels too.' })
  shipEnabled?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'INVENTORY_LOW is sent when available units fall to this or below; the configured default when left out.' })
  lowStockThreshold?: number | null;
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

  @Field(() => Int, { nullable: true, description: 'INVENTORY_LOW is sent when available units fall to this or below.' })
  lowStockThreshold?: number | null;
}

export const LocationPayload = payloadType('LocationPayload', { location: Location });
export type LocationPayload = InstanceType<typeof LocationPayload>;
