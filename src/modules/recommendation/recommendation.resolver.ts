import { Arg, Ctx, FieldResolver, ID, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { badRequest } from '../../core/errors';
import { isUuid } from '../../core/loader';
import { ProductVariant } from '../catalog/catalog.entity';
import { Customer } from '../customer/customer.entity';

const MAX_FIRST = 50;

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
    const count = first ?? 10;
    if (!Number.isInteger(count) || count < 0 || count > MAX_FIRST) throw badRequest(`first is from 0 to ${MAX_FIRST}.`);
    if (count === 0 || (locationId && !isUuid(locationId))) return [];
    const ids = await ctx.loaders.recommendedVariantIds.load({ customerId: customer.id, first: count, locationId: locationId ?? null });
    const variants = await ctx.loaders.variantById.loadMany(ids);
    return variants.filter((v): v is ProductVariant => v instanceof ProductVariant);
  }
}
