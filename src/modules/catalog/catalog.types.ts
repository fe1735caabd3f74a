import { Field, ID, InputType, Int } from 'type-graphql';
import { connectionType } from '../../core/pagination';
import { Collection, Product, ProductStatus, ProductVariant } from './catalog.entity';
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

export const ProductPayload = payloadType('ProductPayload', { product: Product });
export type ProductPayload = InstanceType<typeof ProductPayload>;

export const ProductConnection = connectionType(Product, 'Product');

export const VariantPayload = payloadType('VariantPayload', { variant: ProductVariant });
export type VariantPayload = InstanceType<typeof VariantPayload>;

export const CollectionPayload = payloadType('CollectionPayload', { collection: Collection });
export type CollectionPayload = InstanceType<typeof CollectionPayload>;
