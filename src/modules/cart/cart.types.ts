import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Address } from '../../core/address';
import { Cart, FulfillmentMethod } from './cart.entity';
import { payloadType } from '../../core/payload';

@InputType({ description: 'Identify the variant by id or by sku (exactly one).' })
export class CartLineInput {
  @Field(() => ID, { nullable: true })
  variantId?: string;

  @Field(() => String, { nullable: true })
  sku?: string;

  @Field(() => Int)
  quantity: number;
}

@InputType()
export class CartLineUpdateInput {
  @Field(() => ID)
  lineId: string;

  @Field(() => Int)
  quantity: number;
}

@InputType()
export class CartCreateInput {
  @Field(() => [CartLineInput], { nullable: true })
  lines?: CartLineInput[];

  @Field(() => ID, { nullable: true })
  customerId?: string;
}

@InputType()
export class CartFulfillmentInput {
  @Field(() => FulfillmentMethod)
  method: FulfillmentMethod;

  @Field(() => ID, { nullable: true })
  locationId?: string;

  @Field(() => Address, { nullable: true })
  shippingAddress?: Address;
}

@ObjectType()
export class CartFulfillment {
  @Field(() => FulfillmentMethod)
  method: FulfillmentMethod;

  locationId?: string;

  @Field(() => Address, { nullable: true })
  shippingAddress?: Address;
}

export const CartPayload = payloadType('CartPayload', { cart: Cart });
export type CartPayload = InstanceType<typeof CartPayload>;
