import { randomUUID } from 'node:crypto';
import { OptionalProps, Check, Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType()
@Entity()
@Index({ properties: ['createdAt', 'id'] })
export class Product {
  [OptionalProps]?: 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ length: 300 })
  title: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A sellable unit. The price is live in carts and snapshotted into order lines. */
@ObjectType()
@Entity()
@Check({ name: 'product_variant_price_not_negative', expression: 'price_amount >= 0' })
export class ProductVariant {
  [OptionalProps]?: 'createdAt';

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

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** What the GraphQL fields of a variant read: a managed entity or a plain row both fit. */
export type VariantView = Pick<ProductVariant, 'id' | 'sku' | 'title' | 'priceAmount'> & { product: { id: string } };

/** What the GraphQL fields of a product read (the cursor of a page also needs createdAt). */
export type ProductView = Pick<Product, 'id' | 'title' | 'createdAt'>;
