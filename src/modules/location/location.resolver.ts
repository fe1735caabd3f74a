import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { toPayload } from '../../core/payload';
import { canShip, Location } from './location.entity';
import { locationService } from './location.service';
import { LocationCreateInput, LocationPayload, LocationUpdateInput } from './location.types';

@Resolver(() => Location)
export class LocationResolver {
  @Query(() => [Location])
  locations(@Ctx() ctx: RequestContext, @Arg('pickupEnabled', () => Boolean, { nullable: true }) pickupEnabled?: boolean): Promise<Location[]> {
    return locationService.list(ctx, { pickupEnabled });
  }

  @Mutation(() => LocationPayload, { description: 'ADMIN: catalog, locations, staff, stock.' })
  async locationCreate(@Ctx() ctx: RequestContext, @Arg('input', () => LocationCreateInput) input: LocationCreateInput): Promise<LocationPayload> {
    return toPayload(await locationService.create(ctx, input), 'location');
  }

  @Mutation(() => LocationPayload)
  async locationUpdate(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => LocationUpdateInput) input: LocationUpdateInput,
  ): Promise<LocationPayload> {
    return toPayload(await locationService.update(ctx, id, input), 'location');
  }

  @FieldResolver(() => Boolean, { description: 'This location can send parcels (warehouses always can; stores when enabled).' })
  shipEnabled(@Root() location: Location): boolean {
    return canShip(location);
  }
}
