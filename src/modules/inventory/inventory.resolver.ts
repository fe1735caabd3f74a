import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { toPayload } from '../../core/payload';
import { ProductVariant, type VariantView } from '../catalog/catalog.entity';
import { Location } from '../location/location.entity';
import { inventoryService } from './inventory.service';
import { StockAvailability, StockPayload } from './inventory.types';

@Resolver(() => ProductVariant)
export class VariantStockResolver {
  @FieldResolver(() => Int, { description: 'Sellable units now, summed over all locations.' })
  async availableQuantity(@Root() variant: VariantView, @Ctx() ctx: RequestContext): Promise<number> {
    const levels = await ctx.loaders.stockByVariant.load(variant.id);
    return levels.reduce((sum, level) => sum + level.available, 0);
  }

  @FieldResolver(() => [StockAvailability], {
    description: 'Sellable units per location (all locations holding the variant when locationIds is omitted).',
  })
  async availability(
    @Root() variant: VariantView,
    @Ctx() ctx: RequestContext,
    @Arg('locationIds', () => [ID], { nullable: true }) locationIds?: string[],
  ): Promise<StockAvailability[]> {
    const levels = await ctx.loaders.stockByVariant.load(variant.id);
    const wanted = locationIds ? new Set(locationIds) : undefined;
    return levels
      .filter((level) => !wanted || wanted.has(level.locationId))
      .map((level) => ({ locationId: level.locationId, available: level.available }));
  }

  @Mutation(() => StockPayload, { description: 'ADMIN, or MANAGER of that store: set the on-hand count of a variant at a location.' })
  async inventorySet(
    @Ctx() ctx: RequestContext,
    @Arg('locationId', () => ID) locationId: string,
    @Arg('sku', () => String) sku: string,
    @Arg('onHand', () => Int) onHand: number,
  ): Promise<StockPayload> {
    return toPayload(await inventoryService.setOnHand(ctx, { locationId, sku, onHand }), 'availability');
  }
}

@Resolver(() => StockAvailability)
export class StockAvailabilityResolver {
  @FieldResolver(() => Location)
  async location(@Root() availability: StockAvailability, @Ctx() ctx: RequestContext): Promise<Location> {
    return (await ctx.loaders.locationById.load(availability.locationId))!;
  }
}
