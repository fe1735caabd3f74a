import { Field, Int, ObjectType } from 'type-graphql';
import { payloadType } from '../../core/payload';

@ObjectType()
export class StockAvailability {
  locationId: string;

  @Field(() => Int)
  available: number;
}

export const StockPayload = payloadType('StockPayload', { availability: StockAvailability });
export type StockPayload = InstanceType<typeof StockPayload>;
