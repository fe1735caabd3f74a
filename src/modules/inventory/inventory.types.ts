import { Field, InputType, Int, ObjectType, ID } from 'type-graphql';
import { payloadType } from '../../core/payload';
import { StockTransfer } from './inventory.entity';

@ObjectType()
export class StockAvailability {
  locationId: string;
  variantId: string;

  @Field(() => Int)
  available: number;

  /** Known when read with the level; otherwise read by its field resolver. */
  incoming?: number;
}

export const StockPayload = payloadType('StockPayload', { availability: StockAvailability });
export type StockPayload = InstanceType<typeof StockPayload>;

@InputType()
export class StockTransferLineInput {
  @Field()
  sku: string;

  @Field(() => Int)
  quantity: number;
}

@InputType()
export class StockTransferCreateInput {
  @Field(() => ID)
  fromLocationId: string;

  @Field(() => ID)
  toLocationId: string;

  @Field(() => [StockTransferLineInput])
  lines: StockTransferLineInput[];
}

export const StockTransferPayload = payloadType('StockTransferPayload', { transfer: StockTransfer });
export type StockTransferPayload = InstanceType<typeof StockTransferPayload>;
