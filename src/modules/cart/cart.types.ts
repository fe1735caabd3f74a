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

  @Field(() => ID, { nullable: true, description: "A saved address of the cart's customer, instead of typing shippingAddress again." })
  addressId?: string;
}

@ObjectType()
export class CartFulfillment {
  @Field(() => FulfillmentMethod)
  method: FulfillmentMethod;

  locationId?: string;

  @Field(() => Address, { nullable: true })
  shippingAddress?: Address;
}

@InputType()
export class CartContactInput {
  @Field(() => String, { nullable: true })
  email?: string;

  @Field(() => String, { nullable: true })
  phone?: string;
}

@ObjectType({ description: "How to reach the buyer of a guest cart (a customer's cart uses the account's)." })
export class CartContact {
  @Field(() => String, { nullable: true })
  email?: string;

  @Field(() => String, { nullable: true })
  phone?: string;
}

export const CartPayload = payloadType('CartPayload', { cart: Cart });
export type CartPayload = InstanceType<typeof CartPayload>;
