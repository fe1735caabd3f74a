import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../core/errors';
import { connectionType } from '../../core/pagination';
import { Collection, Product, ProductStatus, ProductVariant } from './catalog.entity';

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

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  collectionCodes?: string[] | null;
}

@InputType()
export class ProductUpdateInput {
  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ProductStatus, { nullable: true })
  status?: ProductStatus | null;
}

@InputType()
export class CollectionCreateInput {
  @Field()
  code: string;

  @Field()
  title: string;

  @Field(() => [ID], { nullable: true })
  productIds?: string[] | null;
}

@ObjectType()
export class VariantPayload {
  @Field(() => ProductVariant, { nullable: true })
  variant?: ProductVariant;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class CollectionPayload {
  @Field(() => Collection, { nullable: true })
  collection?: Collection;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class ProductPayload {
  @Field(() => Product, { nullable: true })
  product?: Product;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const ProductConnection = connectionType(Product, 'Product');
