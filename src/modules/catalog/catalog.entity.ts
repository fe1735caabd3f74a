import { randomUUID } from 'node:crypto';
import { OptionalProps, Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum ProductStatus {
  ACTIVE = 'ACTIVE',
  ARCHIVED = 'ARCHIVED',
}
registerEnumType(ProductStatus, { name: 'ProductStatus' });

@ObjectType()
@Entity()
@Index({ properties: ['createdAt', 'id'] })
export class Product {
  [OptionalProps]?: 'createdAt' | 'status';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 300 })
  title: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string;

  /** ARCHIVED products leave browse and carts; orders that hold them keep them. */
  @Field(() => ProductStatus)
  @Enum({ items: () => ProductStatus, nativeEnumName: 'product_status', default: ProductStatus.ACTIVE })
  status: ProductStatus = ProductStatus.ACTIVE;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A sellable unit. The price is live in carts and snapshotted into order lines. */
@ObjectType()
@Entity()
@Check({ name: 'product_variant_price_not_negative', expression: 'price_amount >= 0' })
export class ProductVariant {
  [OptionalProps]?: 'createdAt' | 'archived';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Product, { ref: true, index: true })
  product: Ref<Product>;

  @Field()
  @Property({ length: 64, unique: true })
  sku: string;

  @Field()
  @Property({ length: 300 })
  title: string;

  /** Minor units of the deployment's currency. */
  @Property()
  priceAmount: number;

  /**
   * Whether the product is ARCHIVED, kept on each variant by the catalog (the one writer of both)
   * so that carts and checkout, which read variants, refuse an archived one without reading products.
   */
  @Property({ default: false })
  archived: boolean = false;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** What the GraphQL fields of a variant read: a managed entity or a plain row both fit. */
export type VariantView = Pick<ProductVariant, 'id' | 'sku' | 'title' | 'priceAmount'> & { product: { id: string } };

/** What the GraphQL fields of a product read (the cursor of a page also needs createdAt). */
export type ProductView = Pick<Product, 'id' | 'title' | 'createdAt' | 'status' | 'description'>;

/** A named group of products (a season, a range): browse by it, and promotions may target it. */
@ObjectType()
@Entity()
export class Collection {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 64, unique: true })
  code: string;

  @Field()
  @Property({ length: 200 })
  title: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** Membership of a product in a collection. */
@Entity()
@Index({ properties: ['product'] })
export class CollectionProduct {
  @ManyToOne(() => Collection, { primary: true, ref: true, deleteRule: 'cascade' })
  collection: Ref<Collection>;

  @ManyToOne(() => Product, { primary: true, ref: true, index: false })
  product: Ref<Product>;
}
