import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { toPayload } from '../../core/payload';
import { canShip, Location } from './location.entity';
import { locationService } from './location.service';
import { LocationCreateInput, LocationPayload } from './location.types';

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

  @FieldResolver(() => Boolean, { description: 'This location can send parcels (warehouses always can; stores when enabled).' })
  shipEnabled(@Root() location: Location): boolean {
    return canShip(location);
  }
}
