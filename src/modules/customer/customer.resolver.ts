import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireStaff } from '../../core/auth/guards';
import type { RequestContext } from '../../core/context';
import { cartService } from '../cart/cart.service';
import { Customer } from './customer.entity';
import { customerService } from './customer.service';
import { CustomerAuthPayload, CustomerSignUpInput } from './customer.types';

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => Customer, { nullable: true, description: 'The signed-in customer (customer token), else null.' })
  async me(@Ctx() ctx: RequestContext): Promise<Customer | undefined> {
    return ctx.actor.kind === 'customer' ? ctx.loaders.customerById.load(ctx.actor.customerId) : undefined;
  }

  @Query(() => Customer, { nullable: true, description: 'Staff only: find a customer by email to serve them at the counter.' })
  async customerByEmail(@Ctx() ctx: RequestContext, @Arg('email', () => String) email: string): Promise<Customer | null> {
    requireStaff(ctx);
    return customerService.findByEmail(ctx, email);
  }

  @Mutation(() => CustomerAuthPayload)
  async customerSignUp(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CustomerSignUpInput) input: CustomerSignUpInput,
    @Arg('cartId', () => ID, { nullable: true, description: 'A guest cart that becomes the new customer\'s cart.' }) cartId?: string,
  ): Promise<CustomerAuthPayload> {
    const unusable = cartId ? await cartService.checkMergeable(ctx, cartId) : undefined;
    if (unusable) return { userErrors: unusable.errors };
    const result = await ctx.signInThrottle.signUp(ctx.clientAddress, () => customerService.signUp(ctx, input));
    if (!result.ok) return { userErrors: result.errors };
    if (cartId) await cartService.mergeGuestCart(ctx, result.value.customer.id, cartId);
    return { ...result.value, userErrors: [] };
  }

  @Mutation(() => CustomerAuthPayload, { description: "Signing in with a guest cartId merges that cart into the customer's active cart." })
  async customerSignIn(
    @Ctx() ctx: RequestContext,
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
    @Arg('cartId', () => ID, { nullable: true }) cartId?: string,
  ): Promise<CustomerAuthPayload> {
    const customer = await ctx.signInThrottle.attempt('customer', email, ctx.clientAddress, () => customerService.authenticate(ctx, email, password));
    if (!customer.ok) return { userErrors: customer.errors };
    // The cart comes along before the session opens: a cart that cannot be merged fails the sign-in, changing nothing.
    if (cartId) {
      const merged = await cartService.mergeGuestCart(ctx, customer.value.id, cartId);
      if (!merged.ok) return { userErrors: merged.errors };
    }
    return { ...(await customerService.openSession(ctx, customer.value)), userErrors: [] };
  }
}
