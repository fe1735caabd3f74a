import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../core/errors';
import { connectionType } from '../../core/pagination';
import { Product } from './catalog.entity';

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

@ObjectType()
export class ProductPayload {
  @Field(() => Product, { nullable: true })
  product?: Product;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const ProductConnection = connectionType(Product, 'Product');
