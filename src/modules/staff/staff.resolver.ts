import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { toPayload } from '../../core/payload';
import { Location } from '../location/location.entity';
import { Staff } from './staff.entity';
import { staffService } from './staff.service';
import { StaffAuthPayload, StaffCreateInput, StaffPayload } from './staff.types';

@Resolver(() => Staff)
export class StaffResolver {
  @Query(() => Staff, { nullable: true, description: 'The signed-in staff member (staff token), else null.' })
  async staffMe(@Ctx() ctx: RequestContext): Promise<Staff | undefined> {
    return ctx.actor.kind === 'staff' ? ctx.loaders.staffById.load(ctx.actor.staffId) : undefined;
  }

  @Mutation(() => StaffAuthPayload)
  async staffSignIn(
    @Ctx() ctx: RequestContext,
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
  ): Promise<StaffAuthPayload> {
    return toPayload(await staffService.signIn(ctx, email, password));
  }

  @Mutation(() => StaffPayload)
  async staffCreate(@Ctx() ctx: RequestContext, @Arg('input', () => StaffCreateInput) input: StaffCreateInput): Promise<StaffPayload> {
    return toPayload(await staffService.create(ctx, input), 'staff');
  }

  @FieldResolver(() => Location, { nullable: true, description: 'The store this staff member works in; null for ADMIN.' })
  async location(@Root() staff: Staff, @Ctx() ctx: RequestContext): Promise<Location | undefined> {
    return staff.location ? ctx.loaders.locationById.load(staff.location.id) : undefined;
  }
}
