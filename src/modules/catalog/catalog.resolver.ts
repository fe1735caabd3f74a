import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { toPayload } from '../../core/payload';
import { Money } from '../../core/money';
import type { Connection } from '../../core/pagination';
import { Product, ProductVariant, type ProductView, type VariantView } from './catalog.entity';
import { catalogService } from './catalog.service';
import { ProductConnection, ProductCreateInput, ProductPayload } from './catalog.types';

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
  ): Promise<Connection<ProductView>> {
    return catalogService.products(ctx, { first, after, query });
  }

  @Query(() => ProductVariant, { nullable: true })
  variantBySku(@Ctx() ctx: RequestContext, @Arg('sku', () => String) sku: string): Promise<ProductVariant | undefined> {
    return ctx.loaders.variantBySku.load(sku.trim());
  }

  @Mutation(() => ProductPayload)
  async productCreate(@Ctx() ctx: RequestContext, @Arg('input', () => ProductCreateInput) input: ProductCreateInput): Promise<ProductPayload> {
    return toPayload(await catalogService.createProduct(ctx, input), 'product');
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
