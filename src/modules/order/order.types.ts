import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Address } from '../../core/address';
import { connectionType } from '../../core/pagination';
import { FulfillmentMethod } from '../cart/cart.entity';
import { OrderAddressField } from './order.access';
import { Order, type OrderView } from './order.entity';
import { payloadType } from '../../core/payload';

@ObjectType()
export class OrderFulfillment {
  order: OrderView;

  @Field(() => FulfillmentMethod)
  method: FulfillmentMethod;

  @Field(() => Address, { nullable: true })
  @OrderAddressField
  shippingAddress?: Address;

  @Field(() => Date, { nullable: true })
  readyAt?: Date;

  @Field(() => Date, { nullable: true })
  completedAt?: Date;

  @Field(() => Date, { nullable: true, description: 'When the customer said they had arrived (at the door or at the kerb).' })
  checkedInAt?: Date;

  @Field(() => String, { nullable: true })
  checkInNote?: string;
}

@InputType()
export class OrderLineQuantityInput {
  @Field(() => ID)
  lineId: string;

  @Field(() => Int)
  quantity: number;
}

export const OrderPayload = payloadType('OrderPayload', { order: Order });
export type OrderPayload = InstanceType<typeof OrderPayload>;

export const OrderConnection = connectionType(Order, 'Order');
