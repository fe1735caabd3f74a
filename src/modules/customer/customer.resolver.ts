import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../core/context';
import { toPayload } from '../../core/payload';
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
    return customerService.findByEmail(ctx, email);
  }

  @Mutation(() => CustomerAuthPayload)
  async customerSignUp(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CustomerSignUpInput) input: CustomerSignUpInput,
    @Arg('cartId', () => ID, { nullable: true, description: 'A guest cart that becomes the new customer\'s cart.' }) cartId?: string,
  ): Promise<CustomerAuthPayload> {
    return toPayload(await customerService.signUp(ctx, input, cartId));
  }

  @Mutation(() => CustomerAuthPayload, { description: "Signing in with a guest cartId merges that cart into the customer's active cart." })
  async customerSignIn(
    @Ctx() ctx: RequestContext,
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
    @Arg('cartId', () => ID, { nullable: true }) cartId?: string,
  ): Promise<CustomerAuthPayload> {
    return toPayload(await customerService.signIn(ctx, email, password, cartId));
  }
}
