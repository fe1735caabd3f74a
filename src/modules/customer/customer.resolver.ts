import { GraphQLError } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Address } from '../../core/address';
import type { RequestContext } from '../../core/context';
import { MutationResult, toMutationResult, toPayload } from '../../core/payload';
import { Location } from '../location/location.entity';
import { customerAccountService } from './customer.account';
import { ConsentPurpose, Customer, CustomerAccess, CustomerPreference, SavedAddress } from './customer.entity';
import { customerProfileService } from './customer.profile';
import { customerService } from './customer.service';
import { Consent, CustomerAuthPayload, CustomerPayload, CustomerSignUpInput, CustomerUpdateInput } from './customer.types';

const customerPayload = (result: Parameters<typeof toPayload<'customer', Customer>>[0]): CustomerPayload => toPayload(result, 'customer');

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

  @Query(() => [Customer], { description: 'Staff: customers whose email, phone or loyalty number is exactly this (what the till scans).' })
  async customerLookup(@Ctx() ctx: RequestContext, @Arg('query', () => String) query: string): Promise<Customer[]> {
    const found = await customerService.lookup(ctx, query);
    if (!found.ok) throw new GraphQLError(found.errors[0].message, { extensions: { code: 'BAD_USER_INPUT' } });
    return found.value;
  }

  @Query(() => [CustomerAccess], { description: "ADMIN: staff reads of this customer's profile (customerLookup, customerByEmail), newest first." })
  customerAccessLog(
    @Ctx() ctx: RequestContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
  ): Promise<CustomerAccess[]> {
    return customerService.accessLog(ctx, customerId, first ?? undefined);
  }

  @Mutation(() => CustomerAuthPayload)
  async customerSignUp(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CustomerSignUpInput) input: CustomerSignUpInput,
    @Arg('cartId', () => ID, { nullable: true, description: "A guest cart that becomes the new customer's cart." }) cartId?: string,
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

  @Mutation(() => CustomerPayload, { description: 'The signed-in customer, or staff serving the customer given by customerId.' })
  async customerUpdate(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CustomerUpdateInput) input: CustomerUpdateInput,
    @Arg('customerId', () => ID, { nullable: true }) customerId?: string,
  ): Promise<CustomerPayload> {
    return customerPayload(await customerProfileService.update(ctx, input, customerId));
  }

  @Mutation(() => CustomerPayload)
  async customerAddressAdd(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => Address) input: Address,
    @Arg('isDefault', () => Boolean, { nullable: true }) isDefault?: boolean,
  ): Promise<CustomerPayload> {
    return customerPayload(await customerProfileService.addAddress(ctx, input, isDefault));
  }

  @Mutation(() => CustomerPayload)
  async customerAddressRemove(@Ctx() ctx: RequestContext, @Arg('addressId', () => ID) addressId: string): Promise<CustomerPayload> {
    return customerPayload(await customerProfileService.removeAddress(ctx, addressId));
  }

  @Mutation(() => CustomerPayload)
  async customerSetConsent(
    @Ctx() ctx: RequestContext,
    @Arg('purpose', () => ConsentPurpose) purpose: ConsentPurpose,
    @Arg('granted', () => Boolean) granted: boolean,
  ): Promise<CustomerPayload> {
    return customerPayload(await customerProfileService.setConsent(ctx, purpose, granted));
  }

  @Mutation(() => MutationResult, { description: 'The same answer whether or not the email exists; the link is sent by email.' })
  async customerRequestPasswordReset(@Ctx() ctx: RequestContext, @Arg('email', () => String) email: string): Promise<MutationResult> {
    return toMutationResult(await customerAccountService.requestPasswordReset(ctx, email));
  }

  @Mutation(() => CustomerAuthPayload)
  async customerResetPassword(
    @Ctx() ctx: RequestContext,
    @Arg('token', () => String) token: string,
    @Arg('password', () => String) password: string,
  ): Promise<CustomerAuthPayload> {
    return toPayload(await customerAccountService.resetPassword(ctx, token, password));
  }

  @Mutation(() => MutationResult, { description: 'The signed-in customer erases their personal data; orders stay, anonymised, for the books.' })
  async customerDelete(@Ctx() ctx: RequestContext, @Arg('password', () => String) password: string): Promise<MutationResult> {
    return toMutationResult(await customerAccountService.erase(ctx, password));
  }

  @FieldResolver(() => Location, { nullable: true })
  preferredLocation(@Root() customer: Customer, @Ctx() ctx: RequestContext): Promise<Location | undefined> | undefined {
    return customer.preferredLocation ? ctx.loaders.locationById.load(customer.preferredLocation.id) : undefined;
  }

  @FieldResolver(() => [CustomerPreference], { description: 'Sizes, fit, favourite colours: whatever staff or the customer record, on any channel.' })
  preferences(@Root() customer: Customer, @Ctx() ctx: RequestContext): Promise<CustomerPreference[]> {
    return ctx.loaders.preferencesByCustomer.load(customer.id);
  }

  @FieldResolver(() => [SavedAddress])
  addresses(@Root() customer: Customer, @Ctx() ctx: RequestContext): Promise<SavedAddress[]> {
    return ctx.loaders.addressesByCustomer.load(customer.id);
  }

  @FieldResolver(() => [Consent])
  consents(@Root() customer: Customer, @Ctx() ctx: RequestContext): Promise<Consent[]> {
    return ctx.loaders.consentsByCustomer.load(customer.id);
  }
}
