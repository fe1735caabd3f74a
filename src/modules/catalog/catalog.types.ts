import { Field, InputType, Int } from 'type-graphql';
import { connectionType } from '../../core/pagination';
import { Product } from './catalog.entity';
import { payloadType } from '../../core/payload';

@InputType()
export class ProductVariantInput {
  @Field()
  sku: string;

  @Field()
  title: string;

  @Field(() => Int)
  priceAmount: number;
}

@InputType()
export class ProductCreateInput {
  @Field()
  title: string;

  @Field(() => [ProductVariantInput])
  variants: ProductVariantInput[];
}

export const ProductPayload = payloadType('ProductPayload', { product: Product });
export type ProductPayload = InstanceType<typeof ProductPayload>;

export const ProductConnection = connectionType(Product, 'Product');
