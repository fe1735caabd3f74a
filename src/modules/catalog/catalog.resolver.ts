import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { toPayload } from '../../core/payload';
import { Money } from '../../core/money';
import type { Connection } from '../../core/pagination';
import { Collection, Product, ProductStatus, ProductVariant, type ProductView, type VariantView } from './catalog.entity';
import { catalogService } from './catalog.service';
import {
  CollectionCreateInput,
  CollectionPayload,
  ProductConnection,
  ProductCreateInput,
  ProductPayload,
  ProductUpdateInput,
  VariantPayload,
} from './catalog.types';

@Resolver(() => Product)
export class ProductResolver {
  @Query(() => Product, { nullable: true })
  async product(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Product | undefined> {
    return ctx.loaders.productById.load(id);
  }

  @Query(() => ProductConnection)
  products(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('query', () => String, { nullable: true }) query?: string,
    @Arg('collectionCode', () => String, { nullable: true }) collectionCode?: string,
    @Arg('status', () => ProductStatus, { nullable: true }) status?: ProductStatus,
  ): Promise<Connection<ProductView>> {
    return catalogService.products(ctx, { first, after, query, collectionCode, status });
  }

  @Query(() => ProductVariant, { nullable: true })
  variantBySku(@Ctx() ctx: RequestContext, @Arg('sku', () => String) sku: string): Promise<ProductVariant | undefined> {
    return ctx.loaders.variantBySku.load(sku.trim());
  }

  @Mutation(() => ProductPayload)
  async productCreate(@Ctx() ctx: RequestContext, @Arg('input', () => ProductCreateInput) input: ProductCreateInput): Promise<ProductPayload> {
    return toPayload(await catalogService.createProduct(ctx, input), 'product');
  }

  @Mutation(() => ProductPayload, { description: 'ADMIN: change a product; ARCHIVED products leave browse and can no longer be added to carts.' })
  async productUpdate(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => ProductUpdateInput) input: ProductUpdateInput,
  ): Promise<ProductPayload> {
    return toPayload(await catalogService.updateProduct(ctx, id, input), 'product');
  }

  @Mutation(() => VariantPayload, { description: 'ADMIN: a new price; carts show it at once, placed orders keep theirs.' })
  async variantSetPrice(
    @Ctx() ctx: RequestContext,
    @Arg('sku', () => String) sku: string,
    @Arg('priceAmount', () => Int) priceAmount: number,
  ): Promise<VariantPayload> {
    return toPayload(await catalogService.setPrice(ctx, sku, priceAmount), 'variant');
  }

  @FieldResolver(() => [Collection])
  collections(@Root() product: ProductView, @Ctx() ctx: RequestContext): Promise<Collection[]> {
    return ctx.loaders.collectionsByProduct.load(product.id);
  }

  @FieldResolver(() => [ProductVariant])
  variants(@Root() product: ProductView, @Ctx() ctx: RequestContext): Promise<VariantView[]> {
    return ctx.loaders.variantsByProduct.load(product.id);
  }
}

@Resolver(() => ProductVariant)
export class ProductVariantResolver {
  @FieldResolver(() => Money)
  price(@Root() variant: VariantView, @Ctx() ctx: RequestContext): Money {
    return new Money(variant.priceAmount, ctx.config.currencyCode);
  }

  @FieldResolver(() => Product)
  async product(@Root() variant: VariantView, @Ctx() ctx: RequestContext): Promise<Product> {
    return (await ctx.loaders.productById.load(variant.product.id))!;
  }
}

@Resolver(() => Collection)
export class CollectionResolver {
  @Query(() => [Collection])
  collections(@Ctx() ctx: RequestContext): Promise<Collection[]> {
    return catalogService.collections(ctx);
  }

  @Query(() => Collection, { nullable: true })
  collection(@Ctx() ctx: RequestContext, @Arg('code', () => String) code: string): Promise<Collection | undefined> {
    return ctx.loaders.collectionByCode.load(code.trim().toUpperCase());
  }

  @Mutation(() => CollectionPayload)
  async collectionCreate(@Ctx() ctx: RequestContext, @Arg('input', () => CollectionCreateInput) input: CollectionCreateInput): Promise<CollectionPayload> {
    return toPayload(await catalogService.createCollection(ctx, input), 'collection');
  }

  @Mutation(() => CollectionPayload)
  async collectionAddProducts(
    @Ctx() ctx: RequestContext,
    @Arg('code', () => String) code: string,
    @Arg('productIds', () => [ID]) productIds: string[],
  ): Promise<CollectionPayload> {
    return toPayload(await catalogService.addProductsToCollection(ctx, code, productIds), 'collection');
  }

  @FieldResolver(() => ProductConnection)
  products(
    @Root() collection: Collection,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<Connection<ProductView>> {
    return catalogService.products(ctx, { first, after, collectionCode: collection.code });
  }
}
