import { Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../context';
import { unauthenticated } from '../errors';
import { revokeSession } from './sessions';

@Resolver()
export class SessionResolver {
  @Mutation(() => Boolean, { description: 'Customer or staff: end the session of the token this request carries; the token stops working at once.' })
  async signOut(@Ctx() ctx: RequestContext): Promise<boolean> {
    const { actor } = ctx;
    if (actor.kind !== 'customer' && actor.kind !== 'staff') throw unauthenticated('Sign in first: there is no session to end.');
    await revokeSession(ctx.em, actor.sessionId, ctx.sessionCache);
    return true;
  }
}
