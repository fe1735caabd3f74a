import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { toPayload } from '../../core/payload';
import { ProductVariant, type VariantView } from '../catalog/catalog.entity';
import { Location } from '../location/location.entity';
import { StockTransfer, StockTransferLine, StockTransferStatus } from './inventory.entity';
import { inventoryService } from './inventory.service';
import { StockAvailability, StockPayload, StockTransferCreateInput, StockTransferLineInput, StockTransferPayload } from './inventory.types';
import { transferService } from './transfer/transfer.service';

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
      .map((level) => ({ locationId: level.locationId, variantId: level.variantId, available: level.available, incoming: level.incoming }));
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

  @FieldResolver(() => Int, { description: 'Units on their way to this location in open transfers.' })
  async incoming(@Root() availability: StockAvailability, @Ctx() ctx: RequestContext): Promise<number> {
    if (availability.incoming !== undefined) return availability.incoming;
    const levels = await ctx.loaders.stockByVariant.load(availability.variantId);
    return levels.find((level) => level.locationId === availability.locationId)?.incoming ?? 0;
  }
}

@Resolver(() => StockTransfer)
export class StockTransferResolver {
  @Query(() => [StockTransfer], { description: 'Staff: transfers from or to their store (any for ADMIN), newest first.' })
  stockTransfers(
    @Ctx() ctx: RequestContext,
    @Arg('locationId', () => ID) locationId: string,
    @Arg('statuses', () => [StockTransferStatus], { nullable: true }) statuses?: StockTransferStatus[],
  ): Promise<StockTransfer[]> {
    return transferService.list(ctx, locationId, statuses);
  }

  @Mutation(() => StockTransferPayload, { description: 'Staff of the sending store, or ADMIN: a transfer to ship later; nothing moves yet.' })
  async stockTransferCreate(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => StockTransferCreateInput) input: StockTransferCreateInput,
  ): Promise<StockTransferPayload> {
    return toPayload(await transferService.create(ctx, input), 'transfer');
  }

  @Mutation(() => StockTransferPayload, {
    description: 'Staff of the sending store, or ADMIN: the units leave (never units reserved for orders); all lines or none.',
  })
  async stockTransferShip(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<StockTransferPayload> {
    return toPayload(await transferService.ship(ctx, id), 'transfer');
  }

  @Mutation(() => StockTransferPayload, { description: 'Quantities received per SKU; what is missing is recorded as a loss.' })
  async stockTransferReceive(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('lines', () => [StockTransferLineInput]) lines: StockTransferLineInput[],
  ): Promise<StockTransferPayload> {
    return toPayload(await transferService.receive(ctx, id, lines), 'transfer');
  }

  @FieldResolver(() => Location)
  async from(@Root() transfer: StockTransfer, @Ctx() ctx: RequestContext): Promise<Location> {
    return (await ctx.loaders.locationById.load(transfer.fromLocation.id))!;
  }

  @FieldResolver(() => Location)
  async to(@Root() transfer: StockTransfer, @Ctx() ctx: RequestContext): Promise<Location> {
    return (await ctx.loaders.locationById.load(transfer.toLocation.id))!;
  }

  @FieldResolver(() => [StockTransferLine])
  lines(@Root() transfer: StockTransfer, @Ctx() ctx: RequestContext): Promise<StockTransferLine[]> {
    return ctx.loaders.linesByTransfer.load(transfer.id);
  }
}

@Resolver(() => StockTransferLine)
export class StockTransferLineResolver {
  @FieldResolver(() => ProductVariant)
  async variant(@Root() line: StockTransferLine, @Ctx() ctx: RequestContext): Promise<VariantView> {
    return (await ctx.loaders.variantById.load(line.variant.id))!;
  }
}
