import { Arg, Ctx, FieldResolver, ID, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { isUuid } from '../../core/loader';
import { ProductVariant } from '../catalog/catalog.entity';
import { Customer } from '../customer/customer.entity';

const DEFAULT_FIRST = 10;
const MAX_FIRST = 100;

@Resolver(() => Customer)
export class CustomerRecommendationsResolver {
  @FieldResolver(() => [ProductVariant], {
    description:
      'What this customer may want next, learnt from purchases on every channel: never a variant\nthey already bought; with locationId, only what that location can hand over now.',
  })
  async recommendations(
    @Root() customer: Customer,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('locationId', () => ID, { nullable: true }) locationId?: string,
  ): Promise<ProductVariant[]> {
    // `first` is checked (1–100) with the request's cost, before any resolver runs.
    const count = Math.min(first ?? DEFAULT_FIRST, MAX_FIRST);
    if (count < 1 || (locationId && !isUuid(locationId))) return [];
    const ids = await ctx.loaders.recommendedVariantIds.load({ customerId: customer.id, first: count, locationId: locationId ?? null });
    const variants = await ctx.loaders.variantById.loadMany(ids);
    return variants.filter((v): v is ProductVariant => v instanceof ProductVariant);
  }
}
