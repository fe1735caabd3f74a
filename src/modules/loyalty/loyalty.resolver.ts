import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import type { Connection } from '../../core/pagination';
import { Customer } from '../customer/customer.entity';
import { LoyaltyAccount, LoyaltyTier, LoyaltyTransaction } from './loyalty.entity';
import { loyaltyService } from './loyalty.service';
import { LoyaltyTransactionConnection } from './loyalty.types';

@Resolver(() => Customer)
export class CustomerLoyaltyResolver {
  @FieldResolver(() => LoyaltyAccount)
  async loyalty(@Root() customer: Customer, @Ctx() ctx: RequestContext): Promise<LoyaltyAccount> {
    const account = await ctx.loaders.loyaltyAccountByCustomer.load(customer.id);
    // Every customer has an account from sign-up; an empty one stands in for any created before.
    return account ?? Object.assign(new LoyaltyAccount(), { customer: { id: customer.id } });
  }
}

@Resolver(() => LoyaltyAccount)
export class LoyaltyAccountResolver {
  @FieldResolver(() => LoyaltyTier)
  tier(@Root() account: LoyaltyAccount, @Ctx() ctx: RequestContext): LoyaltyTier {
    return loyaltyService.tierOf(ctx.config.loyalty, account.lifetimePoints);
  }

  @FieldResolver(() => LoyaltyTransactionConnection)
  transactions(
    @Root() account: LoyaltyAccount,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<Connection<LoyaltyTransaction>> {
    return loyaltyService.transactions(ctx, account.customer.id, { first, after });
  }
}
